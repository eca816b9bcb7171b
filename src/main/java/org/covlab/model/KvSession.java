package org.covlab.model;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.covlab.decode.Sampler;
import org.covlab.model.AutoregressiveModel.PrefixTest;
import org.covlab.model.AutoregressiveModel.PromptSession;
import org.covlab.tensor.Parallel;

/**
 * {@link Gpt#open}: copies of one prompt, batch after batch, with the prompt run once. Its keys and values are
 * computed on the first call and kept in a {@link KvCache} borrowed from the model until {@link #close}. Each call
 * gives exactly what {@link Gpt#sample(int[][], int, int, Sampler, RandomGenerator)} gives for as many copies: the
 * same per-row generators, drawn from {@code rng} in row order, and the same bits (the prefix does not depend on
 * the rows, nor any row on the others), except for the rows that {@code alive} stops. A session decodes on its
 * caller's thread with serial kernels: Best-of-N runs one session per worker, and most batches are too small to share.
 */
final class KvSession implements PromptSession {

    private final Gpt model;
    private final int[] prompt;
    private KvCache cache;      // null until the first call, and after close

    KvSession(Gpt model, int[] prompt) {
        KvSampling.check(model.config(), prompt, 1, 0);
        this.model = model;
        this.prompt = prompt.clone();
    }

    @Override
    public int[][] sample(int copies, int maxLength, int endToken, Sampler sampler, PrefixTest alive, RandomGenerator rng) {
        KvSampling.check(model.config(), prompt, maxLength, 0);
        RandomGenerator[] rowRng = new RandomGenerator[copies];
        for (int i = 0; i < copies; i++) rowRng[i] = new SplittableRandom(rng.nextLong());
        int[][] out = new int[copies][];
        if (maxLength == 0) {
            for (int i = 0; i < copies; i++) out[i] = new int[0];
            return out;
        }
        for (int from = 0; from < copies; from += KvSampling.MAX_ROWS) {     // chunks of rows, one after another
            int n = Math.min(KvSampling.MAX_ROWS, copies - from);
            int[] ids = new int[n];
            for (int i = 0; i < n; i++) ids[i] = from + i;
            KvSampling.decode(prefix(), Parallel.SERIAL, new int[n], ids, maxLength, endToken, sampler, alive, rowRng, out);
        }
        return out;
    }

    /**
     * Teacher forcing on the cached prompt: equal to {@link Gpt#sequenceLogProbs} up to float rounding (the KV cache's
     * logits are the full forward's within ~1e-6), at the cost of the responses' tokens only.
     */
    @Override public double[] sequenceLogProbs(int[][] responses) {
        int longest = 0;
        for (int[] y : responses) longest = Math.max(longest, y.length);
        KvSampling.check(model.config(), prompt, longest, 0);
        double[] out = new double[responses.length];
        if (longest == 0) return out;
        for (int from = 0; from < responses.length; from += KvSampling.MAX_ROWS) {
            KvSampling.score(prefix(), Parallel.SERIAL, responses, from, Math.min(KvSampling.MAX_ROWS, responses.length - from), out);
        }
        return out;
    }

    /** The cache holding the prompt's keys and values, filled on first use. */
    private KvCache prefix() {
        if (cache == null) {
            cache = model.borrowCache();
            cache.prefix(Parallel.SERIAL, new int[][] {prompt});
        }
        return cache;
    }

    @Override public void close() {
        if (cache != null) model.returnCache(cache);
        cache = null;
    }
}
