package org.covlab.model;

/**
 * Small log-space helpers shared by the linear testbed and the stopped KL: log-sum-exp, log-softmax and KL of two
 * log-distributions.
 */
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

    /**
     * KL(P || Q) = sum_v P(v) (log P(v) - log Q(v)) between two next-token distributions given as log-probs; 0 log 0 = 0
     * (also where P(v) underflows to 0), +infinity when Q misses a token P can emit. // (vocab)
     */
    public static double kl(double[] logP, double[] logQ) {
        if (logP.length != logQ.length)
            throw new IllegalArgumentException("vocabularies differ: " + logP.length + " vs " + logQ.length);
        double kl = 0;
        for (int v = 0; v < logP.length; v++) {
            double p = Math.exp(logP[v]);
            if (p > 0) kl += p * (logP[v] - logQ[v]);
        }
        return Math.max(0, kl);  // KL is >= 0; rounding can give -1e-17
    }
}
