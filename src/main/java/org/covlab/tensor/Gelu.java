package org.covlab.tensor;

import static org.covlab.tensor.VectorMath.L;
import static org.covlab.tensor.VectorMath.S;

import jdk.incubator.vector.FloatVector;

/**
 * GELU with the tanh approximation, as {@code F.gelu(x, approximate='tanh')}:
 * gelu(x) = x (1 + tanh u) / 2 with u = sqrt(2/pi) (x + 0.044715 x^3). Since (1 + tanh u) / 2 = sigmoid(2u),
 * this is computed as x sigmoid(2u), which needs one exp and no tanh. References: {@code Reference.geluForward},
 * {@code Reference.geluBackward}.
 */
public final class Gelu {
    private Gelu() {}

    static final float K0 = 0.7978845608028654f;   // sqrt(2 / pi)
    static final float K1 = 0.044715f;
    private static final int MIN_CHUNK = 4096;
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

    /** out = gelu(inp). // (n) */
    public static void forward(Parallel pool, float[] out, float[] inp, int n) {
        pool.forRange(Gemm.ceilDiv(n, L), MIN_CHUNK / L, (lo, hi) -> {
            int i = lo * L;
            hi = Math.min(n, hi * L);            // chunks hold whole vectors: the same bits for any thread count
            for (; i + L <= hi; i += L) {
                FloatVector x = FloatVector.fromArray(S, inp, i);
                x.mul(sigmoid2u(x)).intoArray(out, i);
            }
            for (; i < hi; i++) out[i] = inp[i] * sigmoid2u(inp[i]);
        });
    }

    /** dinp = dout * gelu'(inp); dinp may be dout itself. // (n) */
    public static void backward(Parallel pool, float[] dinp, float[] inp, float[] dout, int n) {
        pool.forRange(Gemm.ceilDiv(n, L), MIN_CHUNK / L, (lo, hi) -> {
            int i = lo * L;
            hi = Math.min(n, hi * L);            // chunks hold whole vectors: the same bits for any thread count
            for (; i + L <= hi; i += L) {
                FloatVector x = FloatVector.fromArray(S, inp, i), s = sigmoid2u(x);
                FloatVector x2 = x.mul(x);
                // d/dx [x s(2u)] = s + 2 x s (1 - s) u',  u' = K0 (1 + 3 K1 x^2)
                FloatVector du = x2.fma(3 * K1 * K0, K0);
                FloatVector grad = x.mul(2f).mul(s).mul(s.neg().add(1f)).fma(du, s);
                grad.mul(FloatVector.fromArray(S, dout, i)).intoArray(dinp, i);
            }
            for (; i < hi; i++) {
                float x = inp[i], s = sigmoid2u(x);
                dinp[i] = dout[i] * (s + 2 * x * s * (1 - s) * K0 * (1 + 3 * K1 * x * x));
            }
        });
    }

    /** sigmoid(2u) = 1 / (1 + exp(-2u)). */
    private static FloatVector sigmoid2u(FloatVector x) {
        FloatVector u = x.mul(x).fma(K1 * K0, K0).mul(x);
        return ONE.div(VectorMath.exp(u.mul(-2f)).add(1f));
    }

    private static float sigmoid2u(float x) {
        float u = K0 * (x + K1 * x * x * x);
        return 1f / (1f + VectorMath.exp(-2f * u));
    }
}
