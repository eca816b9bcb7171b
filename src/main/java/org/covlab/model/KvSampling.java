package org.covlab.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.covlab.decode.Sampler;
import org.covlab.tensor.Parallel;
import org.covlab.tensor.Softmax;

/**
 * {@link Gpt#sample(int[][], int, int, Sampler, RandomGenerator)}: groups equal prompts, cuts the rows into
 * chunks, decodes each chunk with a {@link KvCache} and draws every row's tokens with its own generator.
 */
final class KvSampling {
    private KvSampling() {}

    /** Rows decoded together at most: Best-of-N's largest batch, enough rows for the Linear GEMMs to run near peak. */
    static final int MAX_ROWS = 256;
    /** Prompt tokens prefilled together at most (with padding): bounds the prefill's buffers to ~50 KB per token. */
    static final int PREFILL_TOKENS = 2048;
    /** Distinct prompts per chunk at most: many distinct prompts make several chunks, which run side by side. */
    static final int MAX_PREFIXES = 16;
    /** Below this many rows a chunk decodes on the calling thread: handing out small kernels costs more than it saves. */
    static final int PARALLEL_ROWS = 16;

    /** Rows decoded together: row r continues prompts[group[r]] and answers the caller's prompt ids[r]. */
    private record Chunk(int[][] prompts, int[] group, int[] ids) {}

    /**
     * Samples a response for every prompt (see {@link Gpt#sample(int[][], int, int, Sampler, RandomGenerator)}).
     * Equal prompts are grouped and prefilled once; rows are decoded in chunks of at most {@link #MAX_ROWS} rows
     * and {@link #MAX_PREFIXES} distinct prompts. Several chunks run side by side on the model's pool, one per
     * thread with single-threaded kernels; a lone chunk uses the pool inside its kernels when it is large. Row i
     * draws from its own generator, seeded from {@code rng} in prompt order, and the chunks depend only on the
     * prompts, so the samples do not depend on the thread count.
     */
    static int[][] sample(Gpt model, int[][] prompts, int maxLength, int endToken, Sampler sampler, RandomGenerator rng) {
        GptConfig cfg = model.config();
        int n = prompts.length, v = cfg.vocab();
        RandomGenerator[] rowRng = new RandomGenerator[n];
        Map<List<Integer>, List<Integer>> byPrompt = new LinkedHashMap<>();   // distinct prompts in first-seen order
        for (int i = 0; i < n; i++) {
            if (prompts[i].length == 0) throw new IllegalArgumentException("prompt " + i + " is empty: the model has no start token");
            if (prompts[i].length + maxLength - 1 > cfg.ctx()) {
                throw new IllegalArgumentException("prompt " + i + " of " + prompts[i].length + " tokens + " + maxLength
                        + " response tokens exceeds ctx " + cfg.ctx());
            }
            for (int t : prompts[i]) if (t < 0 || t >= v) throw new IllegalArgumentException("token " + t + " outside vocab " + v);
            rowRng[i] = new SplittableRandom(rng.nextLong());
            byPrompt.computeIfAbsent(Arrays.stream(prompts[i]).boxed().toList(), k -> new ArrayList<>()).add(i);
        }
        int[][] out = new int[n][];
        if (maxLength == 0) {
            for (int i = 0; i < n; i++) out[i] = new int[0];
            return out;
        }
        List<Chunk> chunks = chunks(prompts, byPrompt.values());
        Parallel pool = model.pool();
        if (chunks.size() > 1 && pool.threads() > 1 && model.claimPool()) {
            KvCache[] caches = new KvCache[pool.threads()];
            try {
                pool.forEach(chunks.size(), (k, worker) -> {
                    if (caches[worker] == null) caches[worker] = model.borrowCache();
                    decode(caches[worker], Parallel.SERIAL, chunks.get(k), maxLength, endToken, sampler, rowRng, out);
                });
            } finally {
                model.releasePool();
                for (KvCache c : caches) if (c != null) model.returnCache(c);
            }
            return out;
        }
        KvCache cache = model.borrowCache();
        try {
            for (Chunk chunk : chunks) {
                boolean parallel = chunk.ids().length >= PARALLEL_ROWS && model.claimPool();
                try {
                    decode(cache, parallel ? pool : Parallel.SERIAL, chunk, maxLength, endToken, sampler, rowRng, out);
                } finally {
                    if (parallel) model.releasePool();
                }
            }
        } finally {
            model.returnCache(cache);
        }
        return out;
    }

    /** Consecutive groups (a group larger than MAX_ROWS is cut) within MAX_ROWS rows, MAX_PREFIXES and PREFILL_TOKENS. */
    private static List<Chunk> chunks(int[][] prompts, Iterable<List<Integer>> groups) {
        List<Chunk> chunks = new ArrayList<>();
        List<Integer> ids = new ArrayList<>(), groupOf = new ArrayList<>();
        List<int[]> distinct = new ArrayList<>();
        int longest = 0;
        for (List<Integer> members : groups) {
            int[] prompt = prompts[members.get(0)];
            for (int from = 0; from < members.size(); from += MAX_ROWS) {
                int size = Math.min(MAX_ROWS, members.size() - from);
                int wider = Math.max(longest, prompt.length);
                if (!distinct.isEmpty() && (ids.size() + size > MAX_ROWS || distinct.size() == MAX_PREFIXES
                        || (distinct.size() + 1) * wider > PREFILL_TOKENS)) {
                    chunks.add(chunk(distinct, groupOf, ids));
                    wider = prompt.length;
                }
                longest = wider;
                for (int i = from; i < from + size; i++) {
                    ids.add(members.get(i));
                    groupOf.add(distinct.size());
                }
                distinct.add(prompt);
            }
        }
        chunks.add(chunk(distinct, groupOf, ids));
        return chunks;
    }

    private static Chunk chunk(List<int[]> distinct, List<Integer> groupOf, List<Integer> ids) {
        Chunk c = new Chunk(distinct.toArray(int[][]::new), groupOf.stream().mapToInt(Integer::intValue).toArray(),
                ids.stream().mapToInt(Integer::intValue).toArray());
        distinct.clear();
        groupOf.clear();
        ids.clear();
        return c;
    }

    /** Decodes one chunk into out[ids[r]]. */
    private static void decode(KvCache cache, Parallel kernels, Chunk chunk, int maxLength, int endToken, Sampler sampler,
                               RandomGenerator[] rowRng, int[][] out) {
        int[][] prompts = chunk.prompts();
        int[] ids = chunk.ids();
        int n = ids.length, v = cache.vocab();
        int[][] response = new int[n][maxLength];
        int[] length = new int[n], feed = new int[n];
        boolean[] done = new boolean[n];
        double[] logProbs = new double[v];
        int remaining = n;
        float[] lg = cache.prefill(kernels, prompts, chunk.group(), maxLength - 1);
        for (int g = 0; g < prompts.length; g++) {
            logProbsOf(lg, g, logProbs);
            for (int r = cache.groupStart(g); r < cache.groupEnd(g); r++) remaining -= draw(response[r], length, done, r, logProbs, sampler, rowRng[ids[r]], endToken, maxLength);
        }
        while (remaining > 0) {
            for (int r = 0; r < n; r++) feed[r] = response[r][length[r] - 1];
            lg = cache.step(feed);
            for (int r = 0; r < n; r++) {
                if (done[r]) continue;
                logProbsOf(lg, r, logProbs);
                remaining -= draw(response[r], length, done, r, logProbs, sampler, rowRng[ids[r]], endToken, maxLength);
            }
        }
        for (int r = 0; r < n; r++) out[ids[r]] = Arrays.copyOf(response[r], length[r]);
    }

    /** Appends a token drawn from logProbs to row r's response; returns 1 if the row is now done. */
    private static int draw(int[] response, int[] length, boolean[] done, int r, double[] logProbs, Sampler sampler,
                            RandomGenerator rng, int endToken, int maxLength) {
        int next = sampler.sample(logProbs, rng);
        response[length[r]++] = next;
        done[r] = next == endToken || length[r] == maxLength;
        return done[r] ? 1 : 0;
    }

    private static void logProbsOf(float[] logits, int row, double[] out) {
        int v = out.length;
        double lse = Softmax.logSumExp(logits, row * v, v);
        for (int i = 0; i < v; i++) out[i] = logits[row * v + i] - lse;
    }
}
