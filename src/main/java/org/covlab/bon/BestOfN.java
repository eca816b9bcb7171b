package org.covlab.bon;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.covlab.decode.Sampler;
import org.covlab.metric.ConfidenceIntervals;
import org.covlab.metric.CoverageBounds;
import org.covlab.metric.CoverageBounds.RegretBound;
import org.covlab.metric.CoverageProfile;
import org.covlab.metric.Estimate;
import org.covlab.metric.LogRatioRecord;
import org.covlab.metric.PassAtN;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.AutoregressiveModel.PrefixTest;
import org.covlab.model.AutoregressiveModel.PromptSession;
import org.covlab.report.Progress;
import org.covlab.task.Prompt;
import org.covlab.task.Task;
import org.covlab.task.Verifier;
import org.covlab.util.Seeds;
import org.covlab.util.Workers;

/**
 * Best-of-N measured, and predicted from coverage (App. D.2, Props. D.6 and D.7). For P prompts x ~ mu:
 * <ol>
 *   <li>draw up to max(N) responses y ~ pi_hat(.|x) (ancestral sampling: Best-of-N assumes draws from the model) and
 *       keep the index of the first one the task's verifier accepts. The draws are nested: the first N of them serve
 *       every N, so success(N) = 1{first accepted <= N} is non-decreasing in N for each prompt. With a 0/1 reward
 *       nothing after the first accepted draw can change any N's result, so drawing stops there;</li>
 *   <li>where pi_hat(A_x|x) is exact ({@link TargetPolicy}), the exact curve E_x[1 - (1 - pi_hat(A_x|x))^N];</li>
 *   <li>the coverage profile Cov_M(pi_T || pi_hat) from log-ratio records of pi_T at the same prompts, and from it
 *       the Prop. D.6 upper bound on regret ({@link CoverageBounds#regretUpperBound}: Cov_M + eps with
 *       N >= 2M log(1/eps)) and the Prop. D.7 lower bound ½ Cov_2N.</li>
 * </ol>
 *
 * <p>Works for any {@link AutoregressiveModel}; draws go through a {@link PromptSession} per prompt, so a model with
 * a batched or KV-cached decoder (the GPT) runs the prompt once and stops rows the verifier has already rejected. Each prompt has its own seeded streams, so
 * results do not depend on the number of threads or their scheduling.
 */
public final class BestOfN {
    private BestOfN() {}

    /** Batch calls draw 1, 1, 2, 4, ... copies of the prompt, doubling up to this: at most 2x the draws needed. */
    public static final int MAX_BATCH = 256;

    /**
     * What to measure.
     *
     * @param ns      the N, each >= 1 (sorted and de-duplicated here)
     * @param prompts P, the prompts drawn from mu
     * @param seed    master seed: prompts from stream "prompts", prompt j's draws from ("draws", j)
     * @param threads worker threads; the prompts are split among them
     */
    public record Settings(int[] ns, int prompts, long seed, int threads) {
        public Settings {
            if (ns.length == 0) throw new IllegalArgumentException("give at least one N");
            for (int n : ns) if (n < 1) throw new IllegalArgumentException("N must be >= 1, got " + n);
            if (prompts < 1) throw new IllegalArgumentException("the number of prompts must be >= 1, got " + prompts);
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            ns = Arrays.stream(ns).sorted().distinct().toArray();
        }

        @Override public int[] ns() { return ns.clone(); }

        public int maxN() { return ns[ns.length - 1]; }
    }

    /** One prompt's nested draws: the 1-based index of the first accepted response (maxDraws + 1 if none), and how many were drawn. */
    public record Draws(int firstAccepted, int drawn) {
        /** Best-of-N success with the first N draws. */
        public boolean success(int n) { return firstAccepted <= n; }
    }

    /** Measures the Best-of-N curve of {@code model} on {@code task}, and coverage's bounds on it. */
    public static BestOfNResult measure(Task task, AutoregressiveModel model, Settings s) {
        Seeds seeds = new Seeds(s.seed());
        RandomGenerator promptRng = seeds.stream("prompts");
        Prompt[] prompts = new Prompt[s.prompts()];
        for (int j = 0; j < prompts.length; j++) prompts[j] = task.samplePrompt(promptRng);

        // Distinct prompts in first-seen order: each j's k, how many j drew k, and whether j is the first (it scores pi_T).
        Map<Prompt, Integer> index = new HashMap<>();
        List<Prompt> distinct = new ArrayList<>();
        int[] kOf = new int[prompts.length], count = new int[prompts.length];
        boolean[] firstOfK = new boolean[prompts.length];
        for (int j = 0; j < prompts.length; j++) {
            Integer k = index.putIfAbsent(prompts[j], distinct.size());
            if (k == null) {
                k = distinct.size();
                distinct.add(prompts[j]);
                firstOfK[j] = true;
            }
            kOf[j] = k;
            count[k]++;
        }
        TargetPolicy[] targets = new TargetPolicy[distinct.size()];
        Draws[] draws = new Draws[prompts.length];
        AtomicLong drawn = new AtomicLong();
        long t0 = System.nanoTime();
        // One session per prompt serves pi_T's scoring (at the first prompt of each distinct one) and the draws.
        try (Progress p = Progress.start("bon: " + prompts.length + " prompts, pi_T and up to " + s.maxN() + " draws", prompts.length)) {
            Workers.parallelFor(prompts.length, s.threads(), "covlab-bon", j -> {
                try (PromptSession session = model.open(prompts[j].tokens())) {
                    int k = kOf[j];
                    if (firstOfK[j]) targets[k] = TargetPolicy.of(task, prompts[j], session, seeds.stream("target", k));
                    draws[j] = draw(task, session, prompts[j], s.maxN(), seeds.stream("draws", j));
                }
                long total = drawn.addAndGet(draws[j].drawn());
                p.extra(String.format("%d draws, %.0f/s", total, total / ((System.nanoTime() - t0) / 1e9))).step();
            });
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return summarize(s, prompts, distinct, count, targets, draws, drawn.get(), seconds);
    }

    /**
     * Nested draws at one prompt: up to {@code maxDraws} responses from one {@link AutoregressiveModel#open session} of
     * the model on x, in batches of 1, 1, 2, 4, ... up to {@value #MAX_BATCH}, stopping at the first batch with an
     * accepted response. The model may stop a row once the verifier says its prefix cannot be accepted
     * ({@link Verifier#canAccept}): that row is rejected whatever it would have drawn, and the others are unchanged.
     */
    public static Draws draw(Task task, AutoregressiveModel model, Prompt x, int maxDraws, RandomGenerator rng) {
        try (PromptSession session = model.open(x.tokens())) {
            return draw(task, session, x, maxDraws, rng);
        }
    }

    private static Draws draw(Task task, PromptSession session, Prompt x, int maxDraws, RandomGenerator rng) {
        Verifier verifier = task.verifier();
        PrefixTest alive = (y, length) -> verifier.canAccept(x, y, length);
        int done = 0, batch = 1;
        while (done < maxDraws) {
            int size = Math.min(batch, maxDraws - done);
            int[][] ys = session.sample(size, task.maxResponseLength(), task.endToken(), Sampler.ANCESTRAL, alive, rng);
            for (int i = 0; i < size; i++) if (verifier.accepts(x, ys[i])) return new Draws(done + i + 1, done + size);
            done += size;
            if (done > 1) batch = Math.min(2 * batch, MAX_BATCH);
        }
        return new Draws(maxDraws + 1, maxDraws);
    }

    private static BestOfNResult summarize(Settings s, Prompt[] prompts, List<Prompt> distinct, int[] count,
                                           TargetPolicy[] targets, Draws[] draws, long drawn, double seconds) {
        int[] ns = s.ns();
        int P = prompts.length;
        List<LogRatioRecord> records = new ArrayList<>();
        boolean exact = true;
        double attainable = 0;
        for (int k = 0; k < targets.length; k++) {
            double weight = count[k] / (double) P;
            records.addAll(targets[k].records("x" + k, distinct.get(k).group(), weight));
            exact &= targets[k].exact();
            if (targets[k].attainable()) attainable += weight;
        }
        CoverageProfile cov = records.isEmpty() ? null : CoverageProfile.of(records);

        Estimate[] success = new Estimate[ns.length];
        double[] exactCurve = exact ? new double[ns.length] : null, witness = exact ? new double[ns.length] : null;
        RegretBound[] upper = new RegretBound[ns.length];
        double[] lower = new double[ns.length];
        for (int i = 0; i < ns.length; i++) {
            int n = ns[i], passed = 0;
            for (Draws d : draws) if (d.success(n)) passed++;
            success[i] = ConfidenceIntervals.wilson(passed, P);
            upper[i] = cov == null ? null : CoverageBounds.regretUpperBound(n, cov::coverage).orElse(null);
            lower[i] = cov == null ? 0 : CoverageBounds.regretLowerBound(n, cov::coverage);
            if (!exact) continue;
            for (int k = 0; k < targets.length; k++) {
                double w = count[k] / (double) P;
                exactCurve[i] += w * PassAtN.exact(targets[k].logModelMass(), n);
                double[] sx = targets[k].witnessMasses(n);  // {pi_T(S_x), pi_hat(S_x)}
                witness[i] += w * (sx[0] - PassAtN.exact(Math.log(Math.min(1, sx[1])), n));
            }
        }
        return new BestOfNResult(ns, success, exactCurve, upper, lower, witness, attainable, exact, P, drawn, seconds);
    }
}
