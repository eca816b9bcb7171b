package org.covlab.decode;

import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.Gpt;
import org.covlab.util.Workers;

/**
 * The GPT's test-time-training model pi^TTT_theta (Eqs. 22-23 for a transformer; Krause et al. 2019's dynamic
 * evaluation): every response starts from the trained weights theta and, after each token y_h, takes
 * {@link TttSettings#steps() K} SGD steps {@code vartheta <- vartheta + eta ∇ log pi_vartheta(y_h | x, y_{<h})} on that
 * token ({@link TttSettings}); the next token is drawn or scored under the moved weights. The weights reset to theta
 * for every response, prompt and call. As for the linear {@link TttModel}, {@link #sample} is sample_TTT and
 * {@link #tokenLogProbs} is logprob_TTT, so pi^TTT(y|x) is exactly the probability that sampling returns y.
 *
 * <p>Cost: each adapted token re-runs the whole context (a weight change invalidates every key and value), K forward
 * and backward passes over x ++ y_{<=h}; no update follows a response's last token. Scoring a response is therefore
 * O(|y| K) passes. Thread-safe: each call (or session) works on its own copy of the weights, taken from a pool of
 * copies with serial kernels; the wrapped {@link Gpt} is only read, and must not change while this model is used.
 * Batch calls run their prompts or rows on {@code base.pool().threads()} threads.
 */
public final class TttGpt implements AutoregressiveModel {

    private final Gpt base;
    private final TttSettings settings;
    private final ConcurrentLinkedDeque<TttState> idle = new ConcurrentLinkedDeque<>();

    /** pi^TTT at {@code base}'s weights with the update of {@code settings}. */
    public TttGpt(Gpt base, TttSettings settings) {
        this.base = Objects.requireNonNull(base, "base");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** pi_theta, the starting point of every response. */
    public Gpt base() { return base; }

    public TttSettings settings() { return settings; }

    @Override public int vocabSize() { return base.vocabSize(); }

    /** vartheta after the TTT steps on {@code prefix} (a copy; theta itself when the prefix is empty). // (parameters) */
    public float[] adaptedParameters(int[] prompt, int[] prefix) {
        return with(s -> {
            s.start(prompt);
            for (int t : prefix) s.adapt(t);
            return s.parameters().clone();
        });
    }

    /** log pi_vartheta(. | x, prefix), vartheta adapted on the prefix from theta. // (vocab) */
    @Override public double[] nextTokenLogProbs(int[] prompt, int[] prefix) {
        return with(s -> {
            s.start(prompt);
            for (int t : prefix) s.adapt(t);
            return s.nextTokenLogProbs();
        });
    }

    /** logprob_TTT (Eq. 23's evaluator), token by token in one pass: score y_h, then adapt on it. // (len(response)) */
    @Override public double[] tokenLogProbs(int[] prompt, int[] response) {
        return with(s -> s.tokenLogProbs(prompt, response));
    }

    /** log pi^TTT(y_i | x_i) for each pair, the pairs side by side on the base's threads. // (prompts.length) */
    @Override public double[] sequenceLogProbs(int[][] prompts, int[][] responses) {
        if (prompts.length != responses.length) throw new IllegalArgumentException(prompts.length + " prompts but " + responses.length + " responses");
        double[] out = new double[prompts.length];
        Workers.parallelFor(prompts.length, threads(), "covlab-ttt", i -> out[i] = sequenceLogProb(prompts[i], responses[i]));
        return out;
    }

    /** log pi^TTT(y | x_i) for every y in responses[i] (exact evaluation's supports), prompts side by side on the base's threads. */
    @Override public double[][] sequenceLogProbs(int[][] prompts, int[][][] responses) {
        if (prompts.length != responses.length) throw new IllegalArgumentException(prompts.length + " prompts but " + responses.length + " response lists");
        double[][] out = new double[prompts.length][];
        Workers.parallelFor(prompts.length, threads(), "covlab-ttt", i -> out[i] = with(s -> {
            double[] lp = new double[responses[i].length];
            for (int k = 0; k < lp.length; k++) lp[k] = sum(s.tokenLogProbs(prompts[i], responses[i][k]));
            return lp;
        }));
        return out;
    }

    /** sample_TTT: draw y_h from pi_vartheta, then adapt on it; stops after {@code endToken} (-1: none) or maxLength tokens. */
    @Override public int[] sample(int[] prompt, int maxLength, int endToken, Sampler sampler, RandomGenerator rng) {
        return with(s -> s.sample(prompt, maxLength, endToken, sampler, PrefixTest.ANY, rng));
    }

    /**
     * One sample_TTT response per prompt, each from theta with its own generator seeded from {@code rng} in row order
     * (so the rows do not depend on the thread count), side by side on the base's threads.
     */
    @Override public int[][] sample(int[][] prompts, int maxLength, int endToken, Sampler sampler, RandomGenerator rng) {
        long[] seeds = seeds(prompts.length, rng);
        int[][] out = new int[prompts.length][];
        Workers.parallelFor(prompts.length, threads(), "covlab-ttt", i -> out[i] = with(s ->
                s.sample(prompts[i], maxLength, endToken, sampler, PrefixTest.ANY, new SplittableRandom(seeds[i]))));
        return out;
    }

    /**
     * A session on one prompt (Best-of-N): its own copy of the weights, reset to theta for every row; rows draw from
     * their own generators (as {@link #sample(int[][], int, int, Sampler, RandomGenerator)}) and stop as soon as
     * {@code alive} rejects them. One thread per session.
     */
    @Override public PromptSession open(int[] prompt) {
        int[] x = prompt.clone();
        TttState state = borrow();
        return new PromptSession() {
            @Override public int[][] sample(int copies, int maxLength, int endToken, Sampler sampler, PrefixTest alive, RandomGenerator rng) {
                long[] seeds = seeds(copies, rng);
                int[][] out = new int[copies][];
                for (int i = 0; i < copies; i++) out[i] = state.sample(x, maxLength, endToken, sampler, alive, new SplittableRandom(seeds[i]));
                return out;
            }

            @Override public double[] sequenceLogProbs(int[][] responses) {
                double[] out = new double[responses.length];
                for (int i = 0; i < out.length; i++) out[i] = sum(state.tokenLogProbs(x, responses[i]));
                return out;
            }

            @Override public void close() {
                idle.push(state);
            }
        };
    }

    private int threads() {
        return base.pool().threads();
    }

    private static long[] seeds(int n, RandomGenerator rng) {
        long[] seeds = new long[n];
        for (int i = 0; i < n; i++) seeds[i] = rng.nextLong();
        return seeds;
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s;
    }

    private TttState borrow() {
        TttState s = idle.poll();
        return s != null ? s : new TttState(base, settings);
    }

    private <T> T with(Function<TttState, T> work) {
        TttState s = borrow();
        try {
            return work.apply(s);
        } finally {
            idle.push(s);
        }
    }
}
