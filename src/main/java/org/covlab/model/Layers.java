package org.covlab.model;

import org.covlab.tensor.Elementwise;
import org.covlab.tensor.Gemm;
import org.covlab.tensor.Parallel;
import org.covlab.tensor.Softmax;

/**
 * The GPT's layers as explicit forward/backward pairs, llm.c style (attention is {@link org.covlab.tensor.Attention}). Parameters are read from the flat
 * parameter array and gradients added into the flat gradient array at the same offsets. Backward functions
 * accumulate (+=) into parameter gradients; whether they add into input gradients is said per function.
 * B = batch, T = sequence length, C = dModel, NH = heads, hs = C / NH, V = vocab.
 */
final class Layers {
    private Layers() {}

    /** Marks a Linear without bias (the LM head). */
    static final int NO_BIAS = -1;

    // ---- encoder: token embedding + learned absolute position embedding -------------------------------------

    /** out[b, t] = tok[tokens[b, t]] + pos[t]. // tokens: (B, T); out: (B, T, C) */
    static void encoderForward(float[] out, int[] tokens, float[] params, int tokOff, int posOff, int b, int t, int c) {
        for (int bt = 0; bt < b * t; bt++) {
            int tok = tokOff + tokens[bt] * c, pos = posOff + (bt % t) * c, o = bt * c;
            for (int i = 0; i < c; i++) out[o + i] = params[tok + i] + params[pos + i];
        }
    }

    /** dtok[tokens[b, t]] += dout[b, t]; dpos[t] += dout[b, t]. // dout: (B, T, C) */
    static void encoderBackward(float[] grads, int tokOff, int posOff, float[] dout, int[] tokens, int b, int t, int c) {
        for (int bt = 0; bt < b * t; bt++) {
            int tok = tokOff + tokens[bt] * c, pos = posOff + (bt % t) * c, o = bt * c;
            for (int i = 0; i < c; i++) {
                grads[tok + i] += dout[o + i];
                grads[pos + i] += dout[o + i];
            }
        }
    }

    // ---- Linear: out = inp · Wᵀ + bias, with W stored (out, in) as in PyTorch --------------------------------

    /**
     * out (=|+=) inp · Wᵀ + bias, reading W packed if {@code packed} is not null (same bits: only a few rows, which
     * the GEMM takes as dot products from W itself, ignore it). // inp: (rows, in); W: (outC, in); out: (rows, outC)
     */
    static void linearForward(Parallel pool, float[] out, boolean accumulate, float[] inp, float[] params,
                              int wOff, Gemm.Packed packed, int bOff, int rows, int in, int outC) {
        float[] bias = bOff == NO_BIAS ? null : params;
        if (packed != null && rows > Gemm.DOT_MAX_ROWS) {
            Gemm.gemm(pool, false, rows, inp, 0, in, packed, out, 0, outC, accumulate, bias, bOff);
        } else {
            Gemm.gemm(pool, false, true, rows, outC, in, inp, 0, in, params, wOff, in, out, 0, outC, accumulate, bias, bOff);
        }
    }

    /** dinp (=|+=) dout · W; dW += doutᵀ · inp; dbias += column sums of dout. */
    static void linearBackward(Parallel pool, float[] dinp, boolean accumulate, float[] grads, float[] dout,
                               float[] inp, float[] params, int wOff, int bOff, int rows, int in, int outC) {
        Gemm.gemm(pool, false, false, rows, in, outC, dout, 0, outC, params, wOff, in, dinp, 0, in, accumulate);
        Gemm.gemm(pool, true, false, outC, in, rows, dout, 0, outC, inp, 0, in, grads, wOff, in, true);
        if (bOff != NO_BIAS) Elementwise.biasGrad(pool, grads, bOff, dout, rows, outC);
    }

    // ---- cross-entropy with per-token weights ----------------------------------------------------------------

    /**
     * Returns sum_bt w[bt] (lse[bt] - logits[bt, targets[bt]]) and fills lse (the log-normaliser per row).
     * Rows with weight 0 still get lse (scoring reads it) but add nothing. // logits: (BT, V)
     */
    static double crossEntropyForward(Parallel pool, float[] lse, float[] logits, int[] targets, float[] weights,
                                      int bt, int v) {
        pool.forRange(bt, 16, (lo, hi) -> {
            for (int r = lo; r < hi; r++) lse[r] = Softmax.logSumExp(logits, r * v, v);
        });
        double sum = 0;
        for (int r = 0; r < bt; r++) if (weights[r] != 0) sum += weights[r] * ((double) lse[r] - logits[r * v + targets[r]]);
        return sum;
    }

    /** In place: logits become dLoss/dlogits = w / norm (softmax - onehot(target)). */
    static void crossEntropyBackward(Parallel pool, float[] logits, float[] lse, int[] targets, float[] weights,
                                     double norm, int bt, int v) {
        pool.forRange(bt, 16, (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                float w = (float) (weights[r] / norm);
                int o = r * v;
                if (w == 0) {
                    java.util.Arrays.fill(logits, o, o + v, 0f);
                    continue;
                }
                Softmax.expShifted(logits, o, v, lse[r], w);
                logits[o + targets[r]] -= w;
            }
        });
    }
}
