package org.covlab.metric;

import java.util.List;
import java.util.random.RandomGenerator;
import org.covlab.decode.Sampler;
import org.covlab.model.AutoregressiveModel;
import org.covlab.task.Prompt;
import org.covlab.task.Task;
import org.covlab.task.Verifier;

/**
 * Pass@N: the probability that at least one of N independent draws from pi_hat(.|x) is accepted by the
 * verifier, which with a 0/1 reward is exactly Best-of-N success (App. D.2, paper notes section 1.6).
 *
 * <p>Exact when the model's mass on accepted responses is known, e.g. for a deterministic pi_D with one correct
 * y*(x): Pass@N(x) = 1 - (1 - pi_hat(y*|x))^N, a function of the same number Cov_N thresholds.
 * Otherwise by sampling with the task's {@link Verifier}.
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
     * Pass@N by sampling: for each prompt, up to N responses from the model (with {@code sampler}, e.g.
     * {@link Sampler#ANCESTRAL}) until the task's verifier accepts one; 95% Wilson interval over prompts.
     */
    public static Estimate sampled(Task task, AutoregressiveModel model, List<Prompt> prompts, int n,
                                   Sampler sampler, RandomGenerator rng) {
        return sampled(task, model, prompts, new int[] {n}, sampler, rng)[0];
    }

    /**
     * Pass@N for a grid of N from one set of draws: each prompt draws up to max(ns) responses and records the
     * index of the first accepted one, which settles every N at once (the N are estimated on nested draws,
     * so their errors are correlated). // (ns.length)
     */
    public static Estimate[] sampled(Task task, AutoregressiveModel model, List<Prompt> prompts, int[] ns,
                                     Sampler sampler, RandomGenerator rng) {
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompts");
        int maxN = 0;
        for (int n : ns) {
            if (n < 1) throw new IllegalArgumentException("N must be >= 1, got " + n);
            maxN = Math.max(maxN, n);
        }
        long[] passes = new long[ns.length];
        for (Prompt x : prompts) {
            int first = firstAccepted(task, model, x, maxN, sampler, rng);  // 1-based; maxN + 1 if none
            for (int j = 0; j < ns.length; j++) if (first <= ns[j]) passes[j]++;
        }
        Estimate[] out = new Estimate[ns.length];
        for (int j = 0; j < ns.length; j++) out[j] = ConfidenceIntervals.wilson(passes[j], prompts.size());
        return out;
    }

    private static int firstAccepted(Task task, AutoregressiveModel model, Prompt x, int maxDraws,
                                     Sampler sampler, RandomGenerator rng) {
        int[] prompt = x.tokens();
        for (int i = 1; i <= maxDraws; i++) {
            int[] y = model.sample(prompt, task.maxResponseLength(), task.endToken(), sampler, rng);
            if (task.verifier().accepts(x, y)) return i;
        }
        return maxDraws + 1;
    }
}
