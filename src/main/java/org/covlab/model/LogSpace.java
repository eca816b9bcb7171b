package org.covlab.model;

/** Small log-space helpers shared by the linear testbed: log-sum-exp, log-softmax and KL of two log-distributions. */
public final class LogSpace {
    private LogSpace() {}

    public static double logSumExp(double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) max = Math.max(max, x);
        if (max == Double.NEGATIVE_INFINITY) return max;
        double s = 0;
        for (double x : v) s += Math.exp(x - max);
        return max + Math.log(s);
    }

    /** log softmax(logits), in place; returns the array. */
    public static double[] logSoftmaxInPlace(double[] logits) {
        double z = logSumExp(logits);
        for (int i = 0; i < logits.length; i++) logits[i] -= z;
        return logits;
    }

    /** KL(P || Q) = sum_v P(v) (log P(v) - log Q(v)) for log-probability vectors; 0 log 0 = 0. */
    public static double kl(double[] logP, double[] logQ) {
        double s = 0;
        for (int v = 0; v < logP.length; v++) {
            if (logP[v] == Double.NEGATIVE_INFINITY) continue;
            s += Math.exp(logP[v]) * (logP[v] - logQ[v]);
        }
        return Math.max(0, s);
    }
}
