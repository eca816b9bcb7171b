package org.covlab.tensor;

/**
 * Causal multi-head self-attention, forward and backward, one task per (sequence, head). A head has only
 * hs = C / NH columns (32 in the benchmark), so packing its operands for the GEMM would cost as much as the
 * products: every product here reads its B operand in place ({@link Gemm#gemmInPlaceB}). The keys (forward)
 * and the values (backward) are transposed once per head so that they can be that operand, and the forward's
 * values are copied together once (see {@link #copyHead}); queries are taken
 * in blocks, and a block's scores stop at its last query (the causal triangle), then go through the softmax
 * and into the value product while they are in L1. References: {@code Reference.attentionForward},
 * {@code Reference.attentionBackward}.
 * B = batch, T = sequence length, C = model width, NH = heads, hs = C / NH.
 */
public final class Attention {
    private Attention() {}

    /** Queries per block: whole micro-tiles whose last query falls in the first key panel (30 at 512 bits). */
    static final int QUERY_BLOCK = Math.max(1, Gemm.NR / Gemm.MR) * Gemm.MR;

    /** Per-thread scratch: a head transposed (hs, T) or copied (T, hs), each with room past its end; (T, T) of dS. */
    private static final class Scratch {
        float[] headT = new float[0], head = new float[0], dAtt = new float[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * For each (b, head): att = softmax(q kᵀ / sqrt(hs)) with the causal mask, out = att · v.
     * // qkv: (B, T, 3C) as [q | k | v], heads side by side in each; att: (B, NH, T, T), zero right of the
     * diagonal; out: (B, T, C)
     */
    public static void forward(Parallel pool, float[] out, float[] att, float[] qkv, int b, int t, int c, int nh) {
        int hs = c / nh, c3 = 3 * c;
        float scale = (float) (1 / Math.sqrt(hs));
        pool.forEach(b * nh, (task, worker) -> {
            Head head = Head.of(task, t, c, nh);
            int q = head.q(), a = head.att(), y = head.out();
            float[] kt = transposeHead(qkv, head.k(), c3, t, hs);                 // (hs, T)
            float[] vh = copyHead(qkv, head.v(), c3, t, hs);                      // (T, hs)
            for (int i0 = 0; i0 < t; i0 += QUERY_BLOCK) {
                int rows = Math.min(QUERY_BLOCK, t - i0), keys = i0 + rows;
                Gemm.gemmInPlaceB(false, rows, wholePanels(keys, t), hs, qkv, q + i0 * c3, c3, kt, 0, t, att, a + i0 * t, t, false);
                Softmax.causalForward(att, a, i0, keys, t, t, scale);
                Gemm.gemmInPlaceB(false, rows, hs, keys, att, a + i0 * t, t, vh, 0, hs, out, y + i0 * c, c, false);
            }
        });
    }

    /**
     * Attention of b rows of t new tokens that all continue one prefix of p tokens, whose keys and values are read
     * from {@code prefix} (positions 0..p-1, rows 3C apart, as in qkv): query j of a row sees the prefix and the row's
     * tokens 0..j. Row r holds lengths[r] tokens; the rest of it is padding, whose outputs are computed but mean
     * nothing. A token's output equals {@link #forward}'s on its row's whole sequence (prefix ++ the row's
     * lengths[r] tokens), bit for bit: its scores are the same products, its softmax row has the same length and
     * width, and its value product runs over the same keys in the same order (the prefix's values, then the row's,
     * side by side in one block). One task per head, which transposes the prefix's keys once for all rows.
     * // qkv: (B, T, 3C); prefix: (>= p, 3C); out: (B, T, C)
     */
    public static void forwardOnPrefix(Parallel pool, float[] out, float[] qkv, int b, int t, int[] lengths,
                                       float[] prefix, int p, int c, int nh) {
        int hs = c / nh, c3 = 3 * c, w = p + t;
        float scale = (float) (1 / Math.sqrt(hs));
        pool.forEach(nh, (h, worker) -> {
            Scratch s = SCRATCH.get();
            if (s.headT.length < hs * w + Gemm.NR) s.headT = new float[hs * w + Gemm.NR];
            if (s.head.length < hs * w + Gemm.NR) s.head = new float[hs * w + Gemm.NR];
            float[] kt = s.headT, vh = s.head, sc = dAttScratch(t * w);       // (hs, w), (w, hs), (t, w)
            Gemm.transpose(prefix, c + h * hs, c3, p, hs, kt, 0, w);
            for (int j = 0; j < p; j++) System.arraycopy(prefix, j * c3 + 2 * c + h * hs, vh, j * hs, hs);
            for (int r = 0; r < b; r++) {
                int q = r * t * c3 + h * hs, own = p + lengths[r];
                Gemm.transpose(qkv, q + c, c3, t, hs, kt, p, w);              // the row's keys and values after the prefix's
                for (int j = 0; j < t; j++) System.arraycopy(qkv, q + j * c3 + 2 * c, vh, (p + j) * hs, hs);
                Gemm.gemmInPlaceB(false, t, w, hs, qkv, q, c3, kt, 0, w, sc, 0, w, false);
                for (int j = 0; j < t; j++) {
                    int width = j < lengths[r] ? own : w;      // the width forward() gives this row
                    Softmax.rowForward(sc, j * w, p + j + 1, width, scale);
                    java.util.Arrays.fill(sc, j * w + width, (j + 1) * w, 0f);
                }
                Gemm.gemmInPlaceB(false, t, hs, w, sc, 0, w, vh, 0, hs, out, r * t * c + h * hs, c, false);
            }
        });
    }

    /**
     * dqkv = d/dqkv of {@link #forward}, given dout = d/dout; overwrites dqkv.
     * // dout: (B, T, C); att: (B, NH, T, T) from forward; qkv, dqkv: (B, T, 3C)
     */
    public static void backward(Parallel pool, float[] dqkv, float[] dout, float[] att, float[] qkv,
                                int b, int t, int c, int nh) {
        int hs = c / nh, c3 = 3 * c;
        float scale = (float) (1 / Math.sqrt(hs));
        pool.forEach(b * nh, (task, worker) -> {
            Head head = Head.of(task, t, c, nh);
            int q = head.q(), k = head.k(), v = head.v(), a = head.att(), y = head.out();
            float[] vt = transposeHead(qkv, v, c3, t, hs);                        // (hs, T)
            float[] dAtt = dAttScratch(t * t);                                        // (T, T)
            for (int i0 = 0; i0 < t; i0 += QUERY_BLOCK) {
                int rows = Math.min(QUERY_BLOCK, t - i0), keys = i0 + rows, rest = t - i0;
                // dP = dY · vᵀ for queries i0.. (keys 0..keys); dv = Pᵀ · dY for keys i0.. (queries i0..t)
                Gemm.gemmInPlaceB(false, rows, wholePanels(keys, t), hs, dout, y + i0 * c, c, vt, 0, t, dAtt, i0 * t, t, false);
                Gemm.gemmInPlaceB(true, rows, hs, rest, att, a + i0 * t + i0, t, dout, y + i0 * c, c,
                        dqkv, v + i0 * c3, c3, false);
            }
            Softmax.causalBackward(dAtt, 0, att, a, t, t, scale);      // dP -> dS (scaled), zero right of the diagonal
            for (int i0 = 0; i0 < t; i0 += QUERY_BLOCK) {
                int rows = Math.min(QUERY_BLOCK, t - i0), keys = i0 + rows, rest = t - i0;
                // dq = dS · k for queries i0.. ; dk = dSᵀ · q for keys i0.. (queries i0..t)
                Gemm.gemmInPlaceB(false, rows, hs, keys, dAtt, i0 * t, t, qkv, k, c3, dqkv, q + i0 * c3, c3, false);
                Gemm.gemmInPlaceB(true, rows, hs, rest, dAtt, i0 * t + i0, t, qkv, q + i0 * c3, c3,
                        dqkv, k + i0 * c3, c3, false);
            }
        });
    }

    /**
     * Where task (b, head) = (task / nh, task % nh) finds its operands: its q, k and v columns in qkv (rows 3C
     * apart), its (T, T) block of att and its columns of out (rows C apart).
     */
    private record Head(int q, int k, int v, int att, int out) {
        static Head of(int task, int t, int c, int nh) {
            int hs = c / nh, bb = task / nh, h = task % nh, q = bb * t * 3 * c + h * hs;
            return new Head(q, q + c, q + 2 * c, task * t * t, bb * t * c + h * hs);
        }
    }

    /**
     * Keys up to a query block's last query, rounded up to whole panels (at most t): the extra scores lie right
     * of the diagonal, where the softmax writes zeros, and whole panels are stored as vectors.
     */
    private static int wholePanels(int keys, int t) {
        return Math.min(t, Gemm.ceilDiv(keys, Gemm.NR) * Gemm.NR);
    }

    /**
     * One head's t rows of hs columns (row j at x[off + j * ld]) transposed into this thread's scratch:
     * (hs, t) with rows t apart, followed by NR floats that a last panel may read past the end.
     */
    private static float[] transposeHead(float[] x, int off, int ld, int t, int hs) {
        Scratch s = SCRATCH.get();
        if (s.headT.length < hs * t + Gemm.NR) s.headT = new float[hs * t + Gemm.NR];
        Gemm.transpose(x, off, ld, t, hs, s.headT, 0, t);
        return s.headT;
    }

    /**
     * One head's t rows of hs columns copied together, rows hs apart, then NR floats of room. Read in place, rows
     * 3C floats apart fall into a few L1 sets and evict each other when P · V runs over more than ~64 keys.
     */
    private static float[] copyHead(float[] x, int off, int ld, int t, int hs) {
        Scratch s = SCRATCH.get();
        if (s.head.length < hs * t + Gemm.NR) s.head = new float[hs * t + Gemm.NR];
        for (int j = 0; j < t; j++) System.arraycopy(x, off + j * ld, s.head, j * hs, hs);
        return s.head;
    }

    /** This thread's (T, T) of dS in the backward, or the (T, p + T) scores of {@link #forwardOnPrefix}. */
    private static float[] dAttScratch(int size) {
        Scratch s = SCRATCH.get();
        if (s.dAtt.length < size) s.dAtt = new float[size];
        return s.dAtt;
    }
}
