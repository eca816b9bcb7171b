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
    private boolean prefilled;  // the cache holds the prompt's keys and values

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
     * Teacher forcing on the prompt run once ({@link PromptScoring}, with serial kernels on the cache's own scoring
     * buffers, so sessions score at once on several threads); the cached keys and values for {@link #sample} stay.
     * Equal to {@link Gpt#sequenceLogProbs} up to float rounding.
     */
    @Override public double[] sequenceLogProbs(int[][] responses) {
        if (cache == null) cache = model.borrowCache();
        return cache.scoring().sequenceLogProbs(Parallel.SERIAL, null, prompt, responses);
    }

    /** The cache holding the prompt's keys and values, filled on first use. */
    private KvCache prefix() {
        if (cache == null) cache = model.borrowCache();
        if (!prefilled) cache.prefix(Parallel.SERIAL, new int[][] {prompt});
        prefilled = true;
        return cache;
    }

    @Override public void close() {
        if (cache != null) model.returnCache(cache);
        cache = null;
        prefilled = false;
    }
}
