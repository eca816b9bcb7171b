package org.covlab.tensor;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix multiply on row-major float[] matrices: C (+)= op(A) · op(B), where op(X) is X or its transpose.
 * The transformer needs three forms: C += A·B (input gradients), C += A·Bᵀ (a Linear layer's forward, since
 * PyTorch stores weights as (out, in)) and C += Aᵀ·B (weight gradients).
 *
 * <p>GotoBLAS layout: panels of A and B are copied ("packed") into contiguous scratch so the micro-kernel
 * reads both sequentially, then a register-blocked micro-kernel keeps an MR x NR tile of C in 12 vector
 * registers for a whole KC-deep panel. Packing also absorbs the transposes, so there is one micro-kernel.
 * Large products share one packed B and split C into tiles run on the {@link Parallel} pool.
 * The obvious reference is {@link Reference#gemm}.
 */
public final class Gemm {
    private Gemm() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Rows of C per micro-tile: 6 rows x 2 vectors = 12 accumulators, leaving registers for A and B. */
    static final int MR = 6;
    /** Columns of C per micro-tile: two vectors. */
    static final int NR = 2 * L;
    /** Depth of a packed panel: a KC x NR panel of B (32 KB at 512 bits) stays near L1. */
    static final int KC = 256;
    /** Rows of A packed at once: MC x KC floats (96 KB) stay in L2. */
    static final int MC = 96;
    /** Columns of B packed at once: KC x NC floats (1 MB) stay in L2/L3. */
    static final int NC = 1024;
    /** Below this many multiply-adds a product runs on one thread: waking the pool costs more. */
    private static final long PARALLEL_MIN_FMAS = 1L << 17;

    private static final class Scratch {
        final float[] a = new float[MC * KC];
        final float[] b = new float[KC * NC];
        final float[] edge = new float[MR * NR];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** C (m, n) (+)= A (m, k) · B (k, n). */
    public static void mul(Parallel pool, float[] c, float[] a, float[] b, int m, int n, int k, boolean accumulate) {
        gemm(pool, false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, accumulate);
    }

    /** C (m, n) (+)= A (m, k) · Bᵀ, with B stored as (n, k): a Linear layer's forward. */
    public static void mulTransB(Parallel pool, float[] c, float[] a, float[] b, int m, int n, int k, boolean accumulate) {
        gemm(pool, false, true, m, n, k, a, 0, k, b, 0, k, c, 0, n, accumulate);
    }

    /** C (m, n) (+)= Aᵀ · B, with A stored as (k, m) and B as (k, n): a weight gradient. */
    public static void mulTransA(Parallel pool, float[] c, float[] a, float[] b, int m, int n, int k, boolean accumulate) {
        gemm(pool, true, false, m, n, k, a, 0, m, b, 0, n, c, 0, n, accumulate);
    }

    /**
     * The general form on strided sub-matrices: element (i, j) of a stored row-major matrix X is
     * {@code x[xOff + i * ldx + j]}. op(A) is (m, k), op(B) is (k, n), C is (m, n).
     *
     * @param accumulate add to C; otherwise C is overwritten
     */
    public static void gemm(Parallel pool, boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        int threads = (long) m * n * k < PARALLEL_MIN_FMAS ? 1 : pool.threads();
        float[] bp = SCRATCH.get().b;               // B is packed once per block and shared by all threads
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc), panels = ceilDiv(nc, NR);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc), jcc = jc, pcc = pc;
                boolean overwrite = !accumulate && pc == 0;
                // A grid of tiles, about two per thread so a slow core does not hold up the rest.
                int rowTiles = Math.min(ceilDiv(m, MR), 2 * threads);
                int colTiles = Math.min(panels, ceilDiv(2 * threads, rowTiles));
                int rowStrip = ceilDiv(ceilDiv(m, rowTiles), MR) * MR, colStrip = ceilDiv(panels, colTiles);
                int rowCount = ceilDiv(m, rowStrip), colCount = ceilDiv(panels, colStrip);
                if (threads == 1) {
                    packB(transB, b, bOff, ldb, pc, jc, kc, 0, panels, nc, bp);
                    tile(transA, a, aOff, lda, pc, kc, 0, m, bp, 0, panels, nc, c, cOff + jc, ldc, overwrite);
                    continue;
                }
                int packTasks = Math.min(panels, 2 * threads), packStrip = ceilDiv(panels, packTasks);
                pool.forEach(ceilDiv(panels, packStrip), (t, w) -> packB(transB, b, bOff, ldb, pcc, jcc, kc,
                        t * packStrip, Math.min(panels, (t + 1) * packStrip), nc, bp));
                pool.forEach(rowCount * colCount, (t, w) -> {
                    int r = t / colCount, q = t % colCount;
                    tile(transA, a, aOff, lda, pcc, kc, r * rowStrip, Math.min(m, (r + 1) * rowStrip),
                            bp, q * colStrip, Math.min(panels, (q + 1) * colStrip), nc, c, cOff + jcc, ldc, overwrite);
                });
            }
        }
    }

    /** Rows [i0, i1) times B panels [q0, q1) of one packed (kc, nc) block; A is packed MC rows at a time. */
    private static void tile(boolean transA, float[] a, int aOff, int lda, int pc, int kc, int i0, int i1,
                             float[] bp, int q0, int q1, int nc, float[] c, int cOff, int ldc, boolean overwrite) {
        Scratch s = SCRATCH.get();
        for (int ic = i0; ic < i1; ic += MC) {
            int mc = Math.min(MC, i1 - ic);
            packA(transA, a, aOff, lda, ic, pc, mc, kc, s.a);
            for (int q = q0; q < q1; q++) {
                int jr = q * NR;
                for (int ir = 0; ir < mc; ir += MR) {
                    kernel(kc, s.a, ir * kc, bp, jr * kc, c, cOff + (ic + ir) * ldc + jr, ldc,
                            Math.min(MR, mc - ir), Math.min(NR, nc - jr), overwrite, s.edge);
                }
            }
        }
    }

    /** Packs op(A)[ic:ic+mc, pc:pc+kc] as MR-row panels, each laid out (kc, MR); missing rows are zero. */
    private static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int pc, int mc, int kc, float[] dst) {
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir), base = ir * kc;
            if (transA) {                           // A(i, p) = a[p * lda + i]: rows of a are contiguous in i
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (pc + p) * lda + ic + ir, d = base + p * MR;
                    for (int r = 0; r < rows; r++) dst[d + r] = a[src + r];
                    for (int r = rows; r < MR; r++) dst[d + r] = 0f;
                }
            } else {                                // A(i, p) = a[i * lda + p]
                for (int r = 0; r < MR; r++) {
                    if (r < rows) {
                        int src = aOff + (ic + ir + r) * lda + pc;
                        for (int p = 0; p < kc; p++) dst[base + p * MR + r] = a[src + p];
                    } else {
                        for (int p = 0; p < kc; p++) dst[base + p * MR + r] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs panels [q0, q1) of op(B)[pc:pc+kc, jc:jc+nc] as NR-column panels, each laid out (kc, NR);
     * missing columns are zero.
     */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int jc, int kc,
                              int q0, int q1, int nc, float[] dst) {
        for (int jr = q0 * NR; jr < q1 * NR; jr += NR) {
            int cols = Math.min(NR, nc - jr), base = jr * kc;
            if (transB) {                           // B(p, j) = b[j * ldb + p]
                for (int j = 0; j < NR; j++) {
                    if (j < cols) {
                        int src = bOff + (jc + jr + j) * ldb + pc;
                        for (int p = 0; p < kc; p++) dst[base + p * NR + j] = b[src + p];
                    } else {
                        for (int p = 0; p < kc; p++) dst[base + p * NR + j] = 0f;
                    }
                }
            } else if (cols == NR) {                // B(p, j) = b[p * ldb + j]: whole vectors
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (pc + p) * ldb + jc + jr, d = base + p * NR;
                    FloatVector.fromArray(S, b, src).intoArray(dst, d);
                    FloatVector.fromArray(S, b, src + L).intoArray(dst, d + L);
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (pc + p) * ldb + jc + jr, d = base + p * NR;
                    for (int j = 0; j < cols; j++) dst[d + j] = b[src + j];
                    for (int j = cols; j < NR; j++) dst[d + j] = 0f;
                }
            }
        }
    }

    /** C[rows, cols] (+)= packed A panel (kc, MR) times packed B panel (kc, NR), in 12 vector registers. */
    private static void kernel(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc,
                               int rows, int cols, boolean overwrite, float[] edge) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, ap[ai]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        if (rows == MR && cols == NR) {
            store(c, ci, c00, c01, overwrite);
            store(c, ci + ldc, c10, c11, overwrite);
            store(c, ci + 2 * ldc, c20, c21, overwrite);
            store(c, ci + 3 * ldc, c30, c31, overwrite);
            store(c, ci + 4 * ldc, c40, c41, overwrite);
            store(c, ci + 5 * ldc, c50, c51, overwrite);
            return;
        }
        c00.intoArray(edge, 0); c01.intoArray(edge, L);
        c10.intoArray(edge, NR); c11.intoArray(edge, NR + L);
        c20.intoArray(edge, 2 * NR); c21.intoArray(edge, 2 * NR + L);
        c30.intoArray(edge, 3 * NR); c31.intoArray(edge, 3 * NR + L);
        c40.intoArray(edge, 4 * NR); c41.intoArray(edge, 4 * NR + L);
        c50.intoArray(edge, 5 * NR); c51.intoArray(edge, 5 * NR + L);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                int i = ci + r * ldc + j;
                c[i] = overwrite ? edge[r * NR + j] : c[i] + edge[r * NR + j];
            }
        }
    }

    private static void store(float[] c, int i, FloatVector v0, FloatVector v1, boolean overwrite) {
        if (!overwrite) {
            v0 = v0.add(FloatVector.fromArray(S, c, i));
            v1 = v1.add(FloatVector.fromArray(S, c, i + L));
        }
        v0.intoArray(c, i);
        v1.intoArray(c, i + L);
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
