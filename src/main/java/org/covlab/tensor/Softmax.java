package org.covlab.tensor;

import static org.covlab.tensor.VectorMath.L;
import static org.covlab.tensor.VectorMath.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Softmax pieces: the causal attention softmax (forward and backward, scaled by 1/sqrt(head size)) and a
 * log-sum-exp for log-softmax and cross-entropy. References: {@code Reference.causalSoftmaxForward},
 * {@code Reference.causalSoftmaxBackward}, {@code Reference.logSumExp}.
 */
public final class Softmax {
    private Softmax() {}

    /** L false then L true: read from L - r, the lanes from r on. */
    private static final boolean[] LANES_FROM = new boolean[2 * L];

    static {
        java.util.Arrays.fill(LANES_FROM, L, 2 * L, true);
    }

    /**
     * In place: rows [i0, i1) of the (t, t) block at {@code att[off + i * ld]} become softmax(scale * row[0..i]),
     * and entries right of the diagonal become 0 (the causal mask).
     */
    public static void causalForward(float[] att, int off, int i0, int i1, int t, int ld, float scale) {
        for (int i = i0; i < i1; i++) rowForward(att, off + i * ld, i + 1, t, scale);
    }

    /**
     * In place: x[off, off+len) becomes softmax(scale * x) and x[off+len, off+width) becomes 0. The room up to
     * width lets the last, partial vector be computed whole, with its extra lanes set to 0, instead of lane by
     * lane (a scalar exp costs as much as a vector one).
     */
    public static void rowForward(float[] x, int off, int len, int width, float scale) {
        float max = max(x, off, len);
        int vec = Gemm.ceilDiv(len, L) * L;                  // lanes done as vectors
        if (vec > width) vec = len - len % L;
        FloatVector sum = FloatVector.zero(S);
        for (int j = 0; j < vec; j += L) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(S, x, off + j).sub(max).mul(scale));
            if (j + L > len) e = e.blend(0f, VectorMask.fromArray(S, LANES_FROM, L - (len - j)));
            e.intoArray(x, off + j);
            sum = sum.add(e);
        }
        float total = sum.reduceLanes(VectorOperators.ADD);
        for (int j = vec; j < len; j++) total += x[off + j] = VectorMath.exp((x[off + j] - max) * scale);
        float inv = 1f / total;
        for (int j = 0; j < vec; j += L) FloatVector.fromArray(S, x, off + j).mul(inv).intoArray(x, off + j);
        for (int j = vec; j < len; j++) x[off + j] *= inv;
        java.util.Arrays.fill(x, off + Math.max(vec, len), off + width, 0f);
    }

    /**
     * In place: dAtt (the gradient of the probabilities) becomes the gradient of the raw scores,
     * scale * P (dP - sum_j dP_j P_j), row by row; entries right of the diagonal become 0.
     */
    public static void causalBackward(float[] dAtt, int dOff, float[] att, int aOff, int t, int ld, float scale) {
        for (int i = 0; i < t; i++) {
            int d = dOff + i * ld, r = aOff + i * ld, len = i + 1, j = 0;
            FloatVector acc = FloatVector.zero(S);
            for (; j + L <= len; j += L) {
                acc = FloatVector.fromArray(S, dAtt, d + j).fma(FloatVector.fromArray(S, att, r + j), acc);
            }
            float dot = acc.reduceLanes(VectorOperators.ADD);
            for (; j < len; j++) dot += dAtt[d + j] * att[r + j];
            for (j = 0; j + L <= len; j += L) {
                FloatVector p = FloatVector.fromArray(S, att, r + j);
                FloatVector.fromArray(S, dAtt, d + j).sub(dot).mul(p).mul(scale).intoArray(dAtt, d + j);
            }
            for (; j < len; j++) dAtt[d + j] = (dAtt[d + j] - dot) * att[r + j] * scale;
            java.util.Arrays.fill(dAtt, d + len, d + t, 0f);
        }
    }

    /** In place: x becomes weight * exp(x - lse), i.e. weight * softmax(x) when lse = logSumExp(x). */
    public static void expShifted(float[] x, int off, int len, float lse, float weight) {
        int j = 0;
        for (; j + L <= len; j += L) {
            VectorMath.exp(FloatVector.fromArray(S, x, off + j).sub(lse)).mul(weight).intoArray(x, off + j);
        }
        for (; j < len; j++) x[off + j] = weight * VectorMath.exp(x[off + j] - lse);
    }

    /** log sum_j exp(x[off + j]) over j < len, computed stably around the maximum. */
    public static float logSumExp(float[] x, int off, int len) {
        float max = max(x, off, len);
        FloatVector sum = FloatVector.zero(S);
        int j = 0;
        for (; j + L <= len; j += L) sum = sum.add(VectorMath.exp(FloatVector.fromArray(S, x, off + j).sub(max)));
        double total = sum.reduceLanes(VectorOperators.ADD);
        for (; j < len; j++) total += VectorMath.exp(x[off + j] - max);
        return max + (float) Math.log(total);
    }

    private static float max(float[] x, int off, int len) {
        FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j + L <= len; j += L) m = m.max(FloatVector.fromArray(S, x, off + j));
        float max = m.reduceLanes(VectorOperators.MAX);
        for (; j < len; j++) max = Math.max(max, x[off + j]);
        return max;
    }
}
