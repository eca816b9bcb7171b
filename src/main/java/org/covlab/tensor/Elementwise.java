package org.covlab.tensor;

import static org.covlab.tensor.VectorMath.L;
import static org.covlab.tensor.VectorMath.S;

import jdk.incubator.vector.FloatVector;

/**
 * Memory-bound pieces: residual add, bias broadcast and bias-gradient reduction, and the fused AdamW update.
 * Every element (or column) is computed the same way for any thread count, so results are bit-identical
 * across {@code --threads}. References are the same-named methods of {@code Reference}.
 */
public final class Elementwise {
    private Elementwise() {}

    private static final int MIN_CHUNK = 4096;
    private static final int MIN_ROWS = 16;

    /** out = a + b; out may alias a or b. // (n) */
    public static void add(Parallel pool, float[] out, float[] a, float[] b, int n) {
        pool.forRange(Gemm.ceilDiv(n, L), MIN_CHUNK / L, (lo, hi) -> {
            int i = lo * L;
            hi = Math.min(n, hi * L);            // chunks hold whole vectors: the same bits for any thread count
            for (; i + L <= hi; i += L) {
                FloatVector.fromArray(S, a, i).add(FloatVector.fromArray(S, b, i)).intoArray(out, i);
            }
            for (; i < hi; i++) out[i] = a[i] + b[i];
        });
    }

    /** y[yOff + i] += alpha * x[xOff + i] for i < n, on the calling thread (for small vectors). */
    public static void axpy(float[] y, int yOff, float alpha, float[] x, int xOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, x, xOff + i).mul(alpha).add(FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    /** sum_i a[aOff + i] * b[bOff + i] for i < n, on the calling thread (for small vectors). */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= n; i += L) acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
        float s = acc.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        for (; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    /** out[r, :] += bias for every row. // out: (rows, cols); bias: (cols) at bOff */
    public static void addBias(Parallel pool, float[] out, float[] bias, int bOff, int rows, int cols) {
        pool.forRange(rows, MIN_ROWS, (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int x = r * cols, j = 0;
                for (; j + L <= cols; j += L) {
                    FloatVector.fromArray(S, out, x + j).add(FloatVector.fromArray(S, bias, bOff + j)).intoArray(out, x + j);
                }
                for (; j < cols; j++) out[x + j] += bias[bOff + j];
            }
        });
    }

    /** db += sum over rows of dout, summed row by row per column. // dout: (rows, cols); db: (cols) at dbOff */
    public static void biasGrad(Parallel pool, float[] db, int dbOff, float[] dout, int rows, int cols) {
        pool.forRange(Gemm.ceilDiv(cols, L), 1, (lo, hi) -> {
            int j0 = lo * L, j1 = Math.min(cols, hi * L);
            for (int r = 0; r < rows; r++) {
                int x = r * cols, j = j0;
                for (; j + L <= j1; j += L) {
                    FloatVector.fromArray(S, dout, x + j).add(FloatVector.fromArray(S, db, dbOff + j)).intoArray(db, dbOff + j);
                }
                for (; j < j1; j++) db[dbOff + j] += dout[x + j];
            }
        });
    }

    /**
     * One AdamW step on p[from, to), exactly as {@code torch.optim.AdamW} (decoupled weight decay):
     * p *= 1 - lr wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
     * p -= (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps), with bias corrections bc = 1 - beta^step.
     */
    public static void adamw(Parallel pool, float[] p, float[] g, float[] m, float[] v, int from, int to,
                             float lr, float beta1, float beta2, float eps, float weightDecay, int step) {
        float decay = 1f - lr * weightDecay;
        float stepSize = (float) (lr / (1 - Math.pow(beta1, step)));
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
        pool.forRange(Gemm.ceilDiv(to - from, L), MIN_CHUNK / L, (lo, hi) -> {
            int i = from + lo * L, end = Math.min(to, from + hi * L);
            for (; i + L <= end; i += L) {
                FloatVector gi = FloatVector.fromArray(S, g, i);
                FloatVector mi = FloatVector.fromArray(S, m, i).mul(beta1).add(gi.mul(1f - beta1));
                FloatVector vi = FloatVector.fromArray(S, v, i).mul(beta2).add(gi.mul(gi).mul(1f - beta2));
                mi.intoArray(m, i);
                vi.intoArray(v, i);
                FloatVector denom = vi.sqrt().div(bc2Sqrt).add(eps);
                FloatVector.fromArray(S, p, i).mul(decay).sub(mi.mul(stepSize).div(denom)).intoArray(p, i);
            }
            for (; i < end; i++) {
                m[i] = beta1 * m[i] + g[i] * (1f - beta1);
                v[i] = beta2 * v[i] + g[i] * g[i] * (1f - beta2);
                p[i] = p[i] * decay - stepSize * m[i] / ((float) Math.sqrt(v[i]) / bc2Sqrt + eps);
            }
        });
    }
}
