package org.covlab.metric;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Pass@N: the probability that at least one of N independent draws from pi_hat(.|x) is accepted by the
 * verifier, which with a 0/1 reward is exactly Best-of-N success (App. D.2, paper notes section 1.6).
 *
 * <p>Exact when the model's mass on accepted responses is known, e.g. for a deterministic pi_D with one correct
 * y*(x): Pass@N(x) = 1 - (1 - pi_hat(y*|x))^N, a function of the same number Cov_N thresholds.
 * Otherwise by sampling with the task's verifier ({@code eval.SampledPassAtN}).
 */
public final class PassAtN {
    private PassAtN() {}

    /** Below this log p, log(-log(1-p)) = log p + p/2 to double precision. */
    private static final double TINY_LOG_P = -30;

    /**
     * 1 - (1-p)^N from log p, for real N > 0, stable for every p and N: computed as
     * -expm1(-exp(log N + log(-log(1-p)))), so p = e^-800 with N = 1e300 and p = 1 - 1e-20 are both exact to
     * rounding.
     *
     * @param logpAccepted log pi_hat(accepted | x), e.g. log pi_hat(y*|x); at most 0
     */
    public static double exact(double logpAccepted, double n) {
        if (!(logpAccepted <= 0)) throw new IllegalArgumentException("log p must be <= 0, got " + logpAccepted);
        if (!(n > 0) || Double.isInfinite(n)) throw new IllegalArgumentException("N must be finite and > 0, got " + n);
        if (logpAccepted == 0) return 1;
        double logMinusLog1mp = logpAccepted < TINY_LOG_P
                ? logpAccepted + Math.exp(logpAccepted) / 2     // -log(1-p) = p(1 + p/2 + ...)
                : Math.log(-LogMath.log1mExp(logpAccepted));
        return -Math.expm1(-Math.exp(Math.log(n) + logMinusLog1mp));
    }

    /**
     * The weighted mean of {@link #exact} over prompts, one record per prompt whose {@code logpModel} is log
     * pi_hat(accepted|x) (for a deterministic pi_D: the correct response, {@code logpData} = 0).
     */
    public static double exact(List<LogRatioRecord> records, double n) {
        return CoverageProfile.weightedMean(records, r -> exact(r.logpModel(), n));
    }

    /**
     * Pass@k for each k from records that enumerate supp pi_D(.|x) of each prompt, when the verifier accepts exactly that
     * support (eval's records, {@code task support}'s file): per prompt, pi_hat(accepted|x) is the sum of pi_hat(y|x) over
     * its records and its weight the sum of theirs; Pass@k = the weighted mean over prompts of {@link #exact(double, double)}
     * = E_x[1 - (1 - pi_hat(supp|x))^k]. // (ks.length)
     *
     * @param promptOf the prompt a record belongs to, e.g. {@link LogRatioRecord#promptId}
     */
    public static double[] overSupport(List<LogRatioRecord> records, Function<LogRatioRecord, String> promptOf, int[] ks) {
        Map<String, double[]> prompts = new LinkedHashMap<>();   // prompt -> {log pi_hat(supp|x), weight}
        for (LogRatioRecord r : records) {
            double[] p = prompts.computeIfAbsent(promptOf.apply(r), k -> new double[] {Double.NEGATIVE_INFINITY, 0});
            p[0] = LogMath.logAddExp(p[0], r.logpModel());
            p[1] += r.weight();
        }
        double total = 0;
        for (double[] p : prompts.values()) total += p[1];
        double[] pass = new double[ks.length];
        for (int j = 0; j < ks.length; j++) {
            double s = 0;
            for (double[] p : prompts.values()) s += p[1] * exact(Math.min(0, p[0]), ks[j]);   // a sum can round above 1
            pass[j] = s / total;
        }
        return pass;
    }
}
