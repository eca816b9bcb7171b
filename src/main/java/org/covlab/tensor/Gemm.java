package org.covlab.tensor;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix multiply on row-major float[] matrices: C (+)= op(A) · op(B), where op(X) is X or its transpose.
 * The transformer needs three forms: C += A·B (input gradients), C += A·Bᵀ (a Linear layer's forward, since
 * PyTorch stores weights as (out, in)) and C += Aᵀ·B (weight gradients).
 *
 * <p>GotoBLAS layout: panels of B are copied ("packed") into contiguous scratch, which also absorbs B's
 * transpose, and a register-blocked micro-kernel keeps an MR x NR tile of C in 12 vector registers for a
 * whole KC-deep panel, broadcasting elements of A read in place through strides (so A needs no copy in
 * either orientation). One micro-kernel serves all forms.
 * Large products share one packed B and split C into tiles run on the {@link Parallel} pool.
 * The obvious reference is {@code Reference.gemm}.
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
    /** Rows of A used together: MC x KC floats (96 KB) stay in L2. */
    static final int MC = 96;
    /** Columns of B packed at once: KC x NC floats (1 MB) stay in L2/L3. */
    static final int NC = 1024;
    /** Up to this many rows, A·Bᵀ is done as dot products without packing (see {@link #dots}). */
    public static final int DOT_MAX_ROWS = 4;
    /** Columns of C per dot-product block: 2 rows x 4 columns = 8 vector accumulators. */
    private static final int DOT_COLS = 4;
    /** Tiles of C per thread: the pool hands them out one by one, so a thread slowed down waits less. */
    private static final int TILES_PER_THREAD = 4;
    /** Below this many multiply-adds a product runs on one thread: waking the pool costs more. */
    private static final long PARALLEL_MIN_FMAS = 1L << 17;

    private static final class Scratch {
        final float[] b = new float[KC * NC];
        final float[] edge = new float[MR * NR];
        final int[] rowStarts = new int[L];         // transpose's gather offsets
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
        gemm(pool, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, null, 0);
    }

    /**
     * {@link #gemm} plus a bias: C (+)= op(A) · op(B) + bias, with bias[biasOff + j] added to column j of every
     * row as the tiles are stored (a Linear layer's bias, without a pass of its own). No bias if null.
     */
    public static void gemm(Parallel pool, boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate, float[] bias, int biasOff) {
        if (emptyProduct(m, n, k, c, cOff, ldc, accumulate)) {
            if (bias != null) for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c[cOff + i * ldc + j] += bias[biasOff + j];
            return;
        }
        int threads = (long) m * n * k < PARALLEL_MIN_FMAS ? 1 : pool.threads();
        if (!transA && transB && m <= DOT_MAX_ROWS) {
            // A few rows of A·Bᵀ (a query against cached keys): both operands are contiguous along k, so take
            // dot products and skip packing B, which would cost as much as the product itself.
            if (threads == 1) {
                dots(m, 0, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, bias, biasOff);
                return;
            }
            int strips = Math.min(ceilDiv(n, DOT_COLS), TILES_PER_THREAD * threads);
            int width = ceilDiv(ceilDiv(n, strips), DOT_COLS) * DOT_COLS;
            pool.forEach(ceilDiv(n, width), (t, w) -> dots(m, t * width, Math.min(n, (t + 1) * width), k,
                    a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, bias, biasOff));
            return;
        }
        blocks(pool, threads, transA, m, n, k, a, aOff, lda, null, transB, b, bOff, ldb, c, cOff, ldc, accumulate, bias, biasOff);
    }

    /**
     * op(B) (k, n) packed once, block by block as {@link #gemm} packs it, for products that reuse it: a Linear
     * layer's weights, shared by every shard of a forward pass. {@link #pack} refills it in place.
     */
    public static final class Packed {
        final int k, n;
        final float[] data;

        public Packed(int k, int n) {
            if (k < 1 || n < 1) throw new IllegalArgumentException("packed B must be at least 1 x 1, got " + k + " x " + n);
            this.k = k;
            this.n = n;
            long size = 0;
            for (int jc = 0; jc < n; jc += NC) size += (long) ceilDiv(Math.min(NC, n - jc), NR) * NR * k;
            if (size > Integer.MAX_VALUE - 16) throw new IllegalArgumentException(k + " x " + n + " is too large to pack");
            this.data = new float[(int) size];
        }
    }

    /** Packs op(B) (dst.k, dst.n) into dst, on the calling thread. */
    public static void pack(boolean transB, float[] b, int bOff, int ldb, Packed dst) {
        int at = 0;
        for (int jc = 0; jc < dst.n; jc += NC) {
            int nc = Math.min(NC, dst.n - jc), panels = ceilDiv(nc, NR);
            for (int pc = 0; pc < dst.k; pc += KC) {
                int kc = Math.min(KC, dst.k - pc);
                packB(transB, b, bOff, ldb, pc, jc, kc, 0, panels, nc, dst.data, at);
                at += panels * NR * kc;
            }
        }
    }

    /** {@link #gemm} with op(B) already packed: C (+)= op(A) · B + bias (no bias if null). */
    public static void gemm(Parallel pool, boolean transA, int m, float[] a, int aOff, int lda, Packed b,
                            float[] c, int cOff, int ldc, boolean accumulate, float[] bias, int biasOff) {
        if (m == 0) return;
        int threads = (long) m * b.n * b.k < PARALLEL_MIN_FMAS ? 1 : pool.threads();
        blocks(pool, threads, transA, m, b.n, b.k, a, aOff, lda, b, false, null, 0, 0, c, cOff, ldc, accumulate, bias, biasOff);
    }

    /**
     * The blocked product: for each (NC, KC) block of op(B), packed here (shared by all threads) unless
     * {@code packed} holds it, tiles of C run on the pool.
     */
    private static void blocks(Parallel pool, int threads, boolean transA, int m, int n, int k, float[] a, int aOff,
                               int lda, Packed packed, boolean transB, float[] b, int bOff, int ldb,
                               float[] c, int cOff, int ldc, boolean accumulate, float[] bias, int biasOff) {
        float[] bp = packed != null ? packed.data : SCRATCH.get().b;
        int at = 0;                                 // where the block starts in packed.data
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc), panels = ceilDiv(nc, NR);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc), jcc = jc, pcc = pc, bi = packed != null ? at : 0;
                at += panels * NR * kc;
                boolean overwrite = !accumulate && pc == 0;
                float[] blockBias = pc == 0 ? bias : null;                        // the bias goes in once
                // A grid of tiles, several per thread so a core that is busy elsewhere holds up little.
                int rowTiles = Math.min(ceilDiv(m, MR), TILES_PER_THREAD * threads);
                int colTiles = Math.min(panels, ceilDiv(TILES_PER_THREAD * threads, rowTiles));
                int rowStrip = ceilDiv(ceilDiv(m, rowTiles), MR) * MR, colStrip = ceilDiv(panels, colTiles);
                int rowCount = ceilDiv(m, rowStrip), colCount = ceilDiv(panels, colStrip);
                if (threads == 1) {
                    if (packed == null) packB(transB, b, bOff, ldb, pc, jc, kc, 0, panels, nc, bp, 0);
                    tile(transA, a, aOff, lda, pc, kc, 0, m, bp, bi, NR * kc, NR, 0, panels, nc, c, cOff + jc, ldc, overwrite,
                            blockBias, biasOff + jc);
                    continue;
                }
                if (packed == null) {
                    int packTasks = Math.min(panels, 2 * threads), packStrip = ceilDiv(panels, packTasks);
                    pool.forEach(ceilDiv(panels, packStrip), (t, w) -> packB(transB, b, bOff, ldb, pcc, jcc, kc,
                            t * packStrip, Math.min(panels, (t + 1) * packStrip), nc, bp, 0));
                }
                pool.forEach(rowCount * colCount, (t, w) -> {
                    int r = t / colCount, q = t % colCount;
                    tile(transA, a, aOff, lda, pcc, kc, r * rowStrip, Math.min(m, (r + 1) * rowStrip), bp, bi, NR * kc, NR,
                            q * colStrip, Math.min(panels, (q + 1) * colStrip), nc, c, cOff + jcc, ldc, overwrite,
                            blockBias, biasOff + jcc);
                });
            }
        }
    }

    /**
     * C (+)= op(A) · B on the calling thread with B read in place, not packed: for small products whose B is
     * already (k, n) row-major, such as attention's keys, values and queries, where packing would cost as much
     * as the product. B is read in whole panels of NR columns; columns past n are read (and ignored) when they
     * lie inside b, else the last, partial panel is packed. Same layout and results as {@link #gemm}.
     */
    public static void gemmInPlaceB(boolean transA, int m, int n, int k, float[] a, int aOff, int lda,
                                    float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        if (emptyProduct(m, n, k, c, cOff, ldc, accumulate)) return;
        int panels = ceilDiv(n, NR);
        int inPlace = bOff + (long) (k - 1) * ldb + (long) panels * NR <= b.length ? panels : n / NR;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            boolean overwrite = !accumulate && pc == 0;
            tile(transA, a, aOff, lda, pc, kc, 0, m, b, bOff + pc * ldb, NR, ldb, 0, inPlace, n, c, cOff, ldc, overwrite, null, 0);
            if (inPlace < panels) {
                float[] bp = SCRATCH.get().b;
                packB(false, b, bOff, ldb, pc, 0, kc, inPlace, panels, n, bp, 0);
                tile(transA, a, aOff, lda, pc, kc, 0, m, bp, 0, NR * kc, NR, inPlace, panels, n, c, cOff, ldc, overwrite, null, 0);
            }
        }
    }

    /** Handles m, n or k = 0 (k = 0 zeroes C unless accumulating); false if there is a product to do. */
    private static boolean emptyProduct(int m, int n, int k, float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return true;
        if (k != 0) return false;
        if (!accumulate) for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
        return true;
    }

    /**
     * Rows [i0, i1) times B panels [q0, q1) of a (kc, nc) block of B: panel q starts at b[bi + q * panelStep]
     * and its rows are bs apart (packed: bi 0, panelStep NR kc, bs NR; in place: panelStep NR, bs ldb).
     * A is read in place (element (i, p) at a[aOff + i * rs + p * cs]), MC rows at a time so that they stay
     * in L2 while every B panel passes. Column j of the block gets bias[biasOff + j] if bias is not null.
     */
    private static void tile(boolean transA, float[] a, int aOff, int lda, int pc, int kc, int i0, int i1,
                             float[] b, int bi, int panelStep, int bs, int q0, int q1, int nc,
                             float[] c, int cOff, int ldc, boolean overwrite, float[] bias, int biasOff) {
        float[] edge = SCRATCH.get().edge;
        int rs = transA ? 1 : lda, cs = transA ? lda : 1;
        for (int ic = i0; ic < i1; ic += MC) {
            int mc = Math.min(MC, i1 - ic);
            for (int q = q0; q < q1; q++) {
                int jr = q * NR;
                for (int ir = 0; ir < mc; ir += MR) {
                    kernel(kc, a, aOff + (ic + ir) * rs + pc * cs, rs, cs, b, bi + q * panelStep, bs, c,
                            cOff + (ic + ir) * ldc + jr, ldc, Math.min(MR, mc - ir), Math.min(NR, nc - jr), overwrite,
                            bias, biasOff + jr, edge);
                }
            }
        }
    }

    /**
     * Packs panels [q0, q1) of op(B)[pc:pc+kc, jc:jc+nc] as NR-column panels, each laid out (kc, NR);
     * missing columns are zero. Panel q goes to dst[dstOff + q * NR * kc].
     */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int jc, int kc,
                              int q0, int q1, int nc, float[] dst, int dstOff) {
        for (int jr = q0 * NR; jr < q1 * NR; jr += NR) {
            int cols = Math.min(NR, nc - jr), base = dstOff + jr * kc;
            if (transB) {                           // B(p, j) = b[j * ldb + p]
                transpose(b, bOff + (jc + jr) * ldb + pc, ldb, cols, kc, dst, base, NR);
                for (int p = 0; p < kc; p++) for (int j = cols; j < NR; j++) dst[base + p * NR + j] = 0f;
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

    /**
     * dst[dOff + p * dld + j] = src[off + j * ld + p] for j < rows, p < cols: a strided block transposed, L rows
     * at a time by gathering one column of them into a vector.
     */
    static void transpose(float[] src, int off, int ld, int rows, int cols, float[] dst, int dOff, int dld) {
        int[] map = SCRATCH.get().rowStarts;
        for (int l = 0; l < L; l++) map[l] = l * ld;
        int j = 0;
        for (; j + L <= rows; j += L) {
            int from = off + j * ld, to = dOff + j;
            for (int p = 0; p < cols; p++) FloatVector.fromArray(S, src, from + p, map, 0).intoArray(dst, to + p * dld);
        }
        for (; j < rows; j++) {
            int from = off + j * ld;
            for (int p = 0; p < cols; p++) dst[dOff + p * dld + j] = src[from + p];
        }
    }

    /**
     * C[rows, cols] (+)= A rows (kc deep, read in place with row stride rs and column stride cs) times a
     * B panel (kc, NR) with rows bs apart, in 12 vector registers, plus bias[biasOff + j] (if not null) on column j.
     * Missing rows re-read the last row and are not stored; missing columns are computed from whatever B holds
     * there and not stored.
     */
    private static void kernel(int kc, float[] a, int ai, int rs, int cs, float[] bp, int bi, int bs, float[] c, int ci,
                               int ldc, int rows, int cols, boolean overwrite, float[] bias, int biasOff, float[] edge) {
        int last = rows - 1;
        int a0 = ai, a1 = ai + Math.min(1, last) * rs, a2 = ai + Math.min(2, last) * rs;
        int a3 = ai + Math.min(3, last) * rs, a4 = ai + Math.min(4, last) * rs, a5 = ai + Math.min(5, last) * rs;
        // the accumulators start from the bias when it can be read as two whole vectors, else it is added at the store
        boolean vectorBias = bias != null && biasOff + NR <= bias.length;
        FloatVector c00 = vectorBias ? FloatVector.fromArray(S, bias, biasOff) : FloatVector.zero(S);
        FloatVector c01 = vectorBias ? FloatVector.fromArray(S, bias, biasOff + L) : c00;
        FloatVector c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01, c40 = c00, c41 = c01, c50 = c00, c51 = c01;
        for (int p = 0, o = 0; p < kc; p++, o += cs, bi += bs) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + o]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + o]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + o]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + o]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[a4 + o]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + o]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        if (cols == NR) {
            store(c, ci, c00, c01, overwrite);
            if (rows > 1) store(c, ci + ldc, c10, c11, overwrite);
            if (rows > 2) store(c, ci + 2 * ldc, c20, c21, overwrite);
            if (rows > 3) store(c, ci + 3 * ldc, c30, c31, overwrite);
            if (rows > 4) store(c, ci + 4 * ldc, c40, c41, overwrite);
            if (rows > 5) store(c, ci + 5 * ldc, c50, c51, overwrite);
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
                float v = bias == null || vectorBias ? edge[r * NR + j] : edge[r * NR + j] + bias[biasOff + j];
                c[i] = overwrite ? v : c[i] + v;
            }
        }
    }

    /**
     * C[0:m, j0:j1] (+)= A · Bᵀ with A (m, k) and B (n, k) both read along k: blocks of 2 rows x 4 columns
     * accumulate 8 vectors, reduced at the end, plus bias[biasOff + j] if not null. Missing rows and columns
     * re-read the last one, unstored.
     */
    private static void dots(int m, int j0, int j1, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate, float[] bias, int biasOff) {
        int kv = S.loopBound(k);
        for (int i = 0; i < m; i += 2) {
            int r0 = aOff + i * lda, r1 = aOff + Math.min(i + 1, m - 1) * lda;
            for (int j = j0; j < j1; j += DOT_COLS) {
                int q0 = bOff + j * ldb, q1 = bOff + Math.min(j + 1, j1 - 1) * ldb;
                int q2 = bOff + Math.min(j + 2, j1 - 1) * ldb, q3 = bOff + Math.min(j + 3, j1 - 1) * ldb;
                FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00;
                for (int p = 0; p < kv; p += L) {
                    FloatVector x0 = FloatVector.fromArray(S, a, r0 + p), x1 = FloatVector.fromArray(S, a, r1 + p);
                    FloatVector y = FloatVector.fromArray(S, b, q0 + p);
                    s00 = x0.fma(y, s00); s10 = x1.fma(y, s10);
                    y = FloatVector.fromArray(S, b, q1 + p);
                    s01 = x0.fma(y, s01); s11 = x1.fma(y, s11);
                    y = FloatVector.fromArray(S, b, q2 + p);
                    s02 = x0.fma(y, s02); s12 = x1.fma(y, s12);
                    y = FloatVector.fromArray(S, b, q3 + p);
                    s03 = x0.fma(y, s03); s13 = x1.fma(y, s13);
                }
                float[] sums = {sum(s00), sum(s01), sum(s02), sum(s03), sum(s10), sum(s11), sum(s12), sum(s13)};
                for (int r = 0; r < 2 && i + r < m; r++) {
                    int row = aOff + (i + r) * lda;
                    for (int q = 0; q < DOT_COLS && j + q < j1; q++) {
                        float v = sums[r * DOT_COLS + q];
                        int col = bOff + (j + q) * ldb;
                        for (int p = kv; p < k; p++) v += a[row + p] * b[col + p];
                        if (bias != null) v += bias[biasOff + j + q];
                        int ci = cOff + (i + r) * ldc + j + q;
                        c[ci] = accumulate ? c[ci] + v : v;
                    }
                }
            }
        }
    }

    private static float sum(FloatVector v) {
        return v.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
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
