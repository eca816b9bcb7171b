package org.covlab.metric;

/**
 * The empirical coverage Ĉov_N(pi' || pi) of Eq. 28 on a sample {(x_i, y_i)}:
 * (1/n)·|{i : pi'(y_i|x_i) / pi(y_i|x_i) >= N}|, compared in log space. The simple tournament (Eq. 29) calls
 * it on every ordered pair of candidates; the sample is usually drawn from pi_D, but any sampling
 * distribution gives the general form Cov^{pi-bar}_N of App. H/J.
 *
 * <p>A pair where both models give y no mass (log-probs -infinity) has no ratio and is not counted.
 */
public final class EmpiricalCoverage {
    private EmpiricalCoverage() {}

    /**
     * Ĉov_N(pi' || pi) (Eq. 28).
     *
     * @param logpPrime log pi'(y_i|x_i) on the sample // (n)
     * @param logp      log pi(y_i|x_i) on the same sample, same order // (n)
     * @param n         the threshold N >= 1
     */
    public static double coverage(double[] logpPrime, double[] logp, double n) {
        return (double) count(logpPrime, logp, n) / logp.length;
    }

    /** Ĉov_N (Eq. 28) with its 95% Wilson interval over the n sampled pairs. */
    public static Estimate estimate(double[] logpPrime, double[] logp, double n) {
        return ConfidenceIntervals.wilson(count(logpPrime, logp, n), logp.length);
    }

    private static long count(double[] logpPrime, double[] logp, double n) {
        if (logpPrime.length != logp.length)
            throw new IllegalArgumentException("arrays differ in length: " + logpPrime.length + " vs " + logp.length);
        if (logp.length == 0) throw new IllegalArgumentException("empty sample");
        double logN = Math.log(CoverageProfile.requireN(n));
        long count = 0;
        for (int i = 0; i < logp.length; i++) {
            if (logpPrime[i] - logp[i] >= logN) count++;  // NaN (both -infinity) compares false
        }
        return count;
    }
}
