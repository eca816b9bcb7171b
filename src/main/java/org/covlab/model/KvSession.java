package org.covlab.model;

import java.util.Arrays;
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
    private boolean prefilled;  // the cache holds the prompt's keys and values (scoring replaces them)

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
     * Teacher forcing: prompt ++ response runs through the prefill forward, several responses per pass, on the
     * session's own buffers (so sessions score at once on several threads). Equal to {@link Gpt#sequenceLogProbs}
     * up to float rounding. The prompt is prefilled again on the next {@link #sample}.
     */
    @Override public double[] sequenceLogProbs(int[][] responses) {
        int longest = 0;
        for (int[] y : responses) longest = Math.max(longest, y.length);
        KvSampling.check(model.config(), prompt, longest, 0);
        double[] out = new double[responses.length];
        if (cache == null) cache = model.borrowCache();
        prefilled = false;
        int per = Math.max(1, KvSampling.PREFILL_TOKENS / (prompt.length + longest));    // sequences per pass
        for (int from = 0; from < responses.length; from += per) {
            int[][] sequences = new int[Math.min(per, responses.length - from)][];
            for (int i = 0; i < sequences.length; i++) {          // x ++ y without y's last token
                int[] y = responses[from + i];
                sequences[i] = Arrays.copyOf(prompt, prompt.length + Math.max(0, y.length - 1));
                System.arraycopy(y, 0, sequences[i], prompt.length, sequences[i].length - prompt.length);
            }
            cache.prefix(Parallel.SERIAL, sequences);
            for (int i = 0; i < sequences.length; i++) {
                int[] y = responses[from + i];
                for (int h = 0; h < y.length; h++) out[from + i] += cache.logProb(i, prompt.length - 1 + h, y[h]);
            }
        }
        return out;
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
