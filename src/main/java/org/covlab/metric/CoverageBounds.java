package org.covlab.metric;

import java.util.List;
import java.util.Optional;
import java.util.function.DoubleUnaryOperator;

/**
 * The paper's bounds that tie the coverage profile to other quantities, to be evaluated beside the measured
 * values: KL (Prop. 3.1), squared Hellinger distance (Prop. D.4), stopped KL (Prop. D.10), and the Best-of-N
 * regret (Props. D.6 and D.7). A bound that does not apply at the given N is +infinity.
 */
public final class CoverageBounds {
    private CoverageBounds() {}

    /** Grid size of the default M grid of {@link #regretUpperBound(double, DoubleUnaryOperator)}. */
    public static final int DEFAULT_M_GRID = 200;

    /**
     * Prop. 3.1 / D.1: Cov_N <= D_KL(pi_D || pi_hat) / (log N - 1 + 1/N); +infinity at N = 1. Tight up to a
     * factor for Bernoulli pairs (Prop. D.2).
     */
    public static double klBound(double kl, double n) {
        double d = CoverageProfile.requireN(n) - 1;
        double denominator = Math.log1p(d) - d / (1 + d);  // log N - 1 + 1/N, without cancellation near N = 1
        return denominator > 0 ? kl / denominator : Double.POSITIVE_INFINITY;
    }

    /**
     * D_H²(pi_D, pi_hat) = ½ sum (sqrt(pi_D) - sqrt(pi_hat))² = 1 - E_{pi_D}[sqrt(pi_hat(y|x) / pi_D(y|x))] for the
     * joint distributions over (x, y). Exact when the records enumerate the full support of pi_D with weights
     * mu(x)·pi_D(y|x) (normalised); an unbiased Monte Carlo estimate for records sampled from pi_D.
     */
    public static double hellingerSquared(List<LogRatioRecord> records) {
        return 1 - CoverageProfile.weightedMean(records, r -> Math.exp(-0.5 * r.logRatio()));
    }

    /** Prop. D.4: Cov_N <= 2N / (sqrt(N) - 1)² · D_H²(pi_D, pi_hat); +infinity at N = 1. */
    public static double hellingerBound(double hellingerSquared, double n) {
        double gap = Math.sqrt(CoverageProfile.requireN(n)) - 1;
        return gap > 0 ? 2 * n / (gap * gap) * hellingerSquared : Double.POSITIVE_INFINITY;
    }

    /**
     * Prop. D.10: Cov_N <= 2 / (log N - 1) · D_seq,N for N > e, with D_seq,N from {@code eval.StoppedKl} at the same
     * N; +infinity for N <= e.
     */
    public static double stoppedKlBound(double stoppedKl, double n) {
        double denominator = Math.log(CoverageProfile.requireN(n)) - 1;
        return denominator > 0 ? 2 / denominator * stoppedKl : Double.POSITIVE_INFINITY;
    }

    /**
     * A Prop. D.6 regret bound and the (M, epsilon) that give it.
     *
     * @param value   Cov_M + epsilon
     * @param m       the coverage level M
     * @param epsilon the additive slack, exp(-N / 2M) (0 once it underflows)
     */
    public record RegretBound(double value, double m, double epsilon) {
        public RegretBound {
            if (!(m >= 1) || !(epsilon >= 0 && epsilon <= 1) || !(value >= epsilon))
                throw new IllegalArgumentException("bad regret bound: value=" + value + " M=" + m + " eps=" + epsilon);
        }
    }

    /**
     * Prop. D.6 (coverage => Best-of-N succeeds): if N >= 2M log(1/eps) and Cov_M(pi_T || pi_hat) <= 1/2, the
     * BoN_N regret E_x[r(x, pi_T(x)) - r(x, BoN_N(x))] is at most Cov_M + eps. For each M the smallest
     * admissible eps is exp(-N / 2M); this returns the best M over {@link #DEFAULT_M_GRID} log-spaced points
     * of [1, N] (M > N gives eps > e^{-1/2}, never useful), or empty when Cov_M > 1/2 on the whole grid.
     *
     * @param coverageProfile M -> Cov_M(pi_T || pi_hat), e.g. {@code CoverageProfile.of(records)::coverage}
     */
    public static Optional<RegretBound> regretUpperBound(double n, DoubleUnaryOperator coverageProfile) {
        double logN = Math.log(CoverageProfile.requireN(n));
        double[] grid = new double[DEFAULT_M_GRID];
        for (int i = 0; i < grid.length; i++) grid[i] = Math.exp(logN * i / (grid.length - 1));
        return regretUpperBound(n, coverageProfile, grid);
    }

    /** Prop. D.6 as above, minimised over the given M grid (each M >= 1). */
    public static Optional<RegretBound> regretUpperBound(double n, DoubleUnaryOperator coverageProfile, double[] mGrid) {
        CoverageProfile.requireN(n);
        RegretBound best = null;
        for (double m : mGrid) {
            double covM = coverageProfile.applyAsDouble(CoverageProfile.requireN(m));
            if (covM > 0.5) continue;
            double eps = Math.exp(-n / (2 * m));
            if (best == null || covM + eps < best.value()) best = new RegretBound(covM + eps, m, eps);
        }
        return Optional.ofNullable(best);
    }

    /**
     * Prop. D.7 (coverage is necessary): some 0/1 reward, namely r(x,y) = 1{pi_T(y|x)/pi_hat(y|x) >= 2N},
     * gives BoN_N regret at least ½·Cov_{2N}(pi_T || pi_hat).
     */
    public static double regretLowerBound(double n, DoubleUnaryOperator coverageProfile) {
        return 0.5 * coverageProfile.applyAsDouble(2 * CoverageProfile.requireN(n));
    }
}
