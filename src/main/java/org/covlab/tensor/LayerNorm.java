package org.covlab.tensor;

import static org.covlab.tensor.VectorMath.L;
import static org.covlab.tensor.VectorMath.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * LayerNorm over the last dimension, as {@code torch.nn.LayerNorm(c)}: y = (x - mean) * rstd * w + b with the
 * biased variance and rstd = 1 / sqrt(var + eps). Forward keeps mean and rstd for the backward pass.
 * Weight and bias live in the flat parameter array at the given offsets; their gradients sit at the same
 * offsets of the flat gradient array. References: {@code Reference.layerNormForward},
 * {@code Reference.layerNormBackward}.
 */
public final class LayerNorm {
    private LayerNorm() {}

    /** PyTorch's default. */
    public static final float EPS = 1e-5f;
    private static final int MIN_ROWS = 16;

    /** out, mean, rstd from inp. // inp, out: (n, c); mean, rstd: (n) */
    public static void forward(Parallel pool, float[] out, float[] mean, float[] rstd, float[] inp,
                               float[] w, int wOff, float[] b, int bOff, int n, int c) {
        pool.forRange(n, MIN_ROWS, (lo, hi) -> {
            for (int row = lo; row < hi; row++) forwardRow(out, mean, rstd, inp, w, wOff, b, bOff, row, c);
        });
    }

    private static void forwardRow(float[] out, float[] mean, float[] rstd, float[] inp,
                                  float[] w, int wOff, float[] b, int bOff, int row, int c) {
        int x = row * c, bound = S.loopBound(c);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i < bound; i += L) acc = acc.add(FloatVector.fromArray(S, inp, x + i));
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < c; i++) sum += inp[x + i];
        float m = sum / c;
        acc = FloatVector.zero(S);
        for (i = 0; i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(S, inp, x + i).sub(m);
            acc = d.fma(d, acc);
        }
        float var = acc.reduceLanes(VectorOperators.ADD);
        for (; i < c; i++) var += (inp[x + i] - m) * (inp[x + i] - m);
        float s = (float) (1.0 / Math.sqrt(var / c + EPS));
        for (i = 0; i < bound; i += L) {
            FloatVector norm = FloatVector.fromArray(S, inp, x + i).sub(m).mul(s);
            norm.fma(FloatVector.fromArray(S, w, wOff + i), FloatVector.fromArray(S, b, bOff + i)).intoArray(out, x + i);
        }
        for (; i < c; i++) out[x + i] = (inp[x + i] - m) * s * w[wOff + i] + b[bOff + i];
        mean[row] = m;
        rstd[row] = s;
    }

    /**
     * dinp += d/dinp, dw += sum_rows dout * norm, db += sum_rows dout.
     * // dout, inp, dinp: (n, c); mean, rstd: (n); w, dw, db: (c) at their offsets
     */
    public static void backward(Parallel pool, float[] dinp, float[] dw, int dwOff, float[] db, int dbOff,
                                float[] dout, float[] inp, float[] w, int wOff, float[] mean, float[] rstd,
                                int n, int c) {
        pool.forRange(n, MIN_ROWS, (lo, hi) -> {
            for (int row = lo; row < hi; row++) inputGradRow(dinp, dout, inp, w, wOff, mean[row], rstd[row], row, c);
        });
        // Column strips: each column is summed over the rows in order, so any thread count gives the same bits.
        pool.forRange(Gemm.ceilDiv(c, L), 1, (lo, hi) -> {
            int j0 = lo * L, j1 = Math.min(c, hi * L);
            for (int row = 0; row < n; row++) {
                int x = row * c;
                float m = mean[row], s = rstd[row];
                int j = j0;
                for (; j + L <= j1; j += L) {
                    FloatVector g = FloatVector.fromArray(S, dout, x + j);
                    FloatVector norm = FloatVector.fromArray(S, inp, x + j).sub(m).mul(s);
                    g.fma(norm, FloatVector.fromArray(S, dw, dwOff + j)).intoArray(dw, dwOff + j);
                    g.add(FloatVector.fromArray(S, db, dbOff + j)).intoArray(db, dbOff + j);
                }
                for (; j < j1; j++) {
                    dw[dwOff + j] += dout[x + j] * (inp[x + j] - m) * s;
                    db[dbOff + j] += dout[x + j];
                }
            }
        });
    }

    /** dinp += (w dout - mean(w dout) - norm mean(w dout norm)) rstd for one row. */
    private static void inputGradRow(float[] dinp, float[] dout, float[] inp, float[] w, int wOff,
                                     float m, float s, int row, int c) {
        int x = row * c, bound = S.loopBound(c), i = 0;
        FloatVector sumG = FloatVector.zero(S), sumGN = sumG;
        for (; i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(S, dout, x + i).mul(FloatVector.fromArray(S, w, wOff + i));
            FloatVector norm = FloatVector.fromArray(S, inp, x + i).sub(m).mul(s);
            sumG = sumG.add(g);
            sumGN = g.fma(norm, sumGN);
        }
        float a = sumG.reduceLanes(VectorOperators.ADD), bb = sumGN.reduceLanes(VectorOperators.ADD);
        for (; i < c; i++) {
            float g = dout[x + i] * w[wOff + i];
            a += g;
            bb += g * (inp[x + i] - m) * s;
        }
        float meanG = a / c, meanGN = bb / c;
        for (i = 0; i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(S, dout, x + i).mul(FloatVector.fromArray(S, w, wOff + i));
            FloatVector norm = FloatVector.fromArray(S, inp, x + i).sub(m).mul(s);
            FloatVector d = g.sub(meanG).sub(norm.mul(meanGN)).mul(s);
            d.add(FloatVector.fromArray(S, dinp, x + i)).intoArray(dinp, x + i);
        }
        for (; i < c; i++) {
            float g = dout[x + i] * w[wOff + i], norm = (inp[x + i] - m) * s;
            dinp[x + i] += (g - meanG - norm * meanGN) * s;
        }
    }
}
