package org.covlab.eval;

import java.util.List;
import java.util.random.RandomGenerator;
import org.covlab.decode.Sampler;
import org.covlab.metric.ConfidenceIntervals;
import org.covlab.metric.Estimate;
import org.covlab.metric.PassAtN;
import org.covlab.model.AutoregressiveModel;
import org.covlab.task.Prompt;
import org.covlab.task.Task;
import org.covlab.task.Verifier;

/**
 * Pass@N by sampling (App. D.2): for each prompt, draws from pi_hat(.|x) until the task's {@link Verifier} accepts
 * one; the Monte Carlo counterpart of {@link PassAtN#exact} for when the model's mass on accepted responses is
 * not known.
 */
public final class SampledPassAtN {
    private SampledPassAtN() {}

    /**
     * Pass@N for a grid of N from one set of draws (with {@code sampler}, e.g. {@link Sampler#ANCESTRAL}), 95% Wilson
     * intervals over prompts: each prompt draws up to max(ns) responses and records the
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
