package org.covlab.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.covlab.decode.Sampler;
import org.covlab.model.AutoregressiveModel.PrefixTest;
import org.covlab.tensor.Parallel;
import org.covlab.tensor.Softmax;

/**
 * {@link Gpt#sample(int[][], int, int, Sampler, RandomGenerator)}: groups equal prompts, cuts the rows into
 * chunks, decodes each chunk with a {@link KvCache} and draws every row's tokens with its own generator.
 * {@link KvSession} decodes with {@link #decode} too.
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
        int n = prompts.length;
        RandomGenerator[] rowRng = new RandomGenerator[n];
        Map<List<Integer>, List<Integer>> byPrompt = new LinkedHashMap<>();   // distinct prompts in first-seen order
        for (int i = 0; i < n; i++) {
            check(cfg, prompts[i], maxLength, i);
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

    /** Throws unless prompt i is non-empty, in the vocabulary, and leaves room for maxLength tokens in the context. */
    static void check(GptConfig cfg, int[] prompt, int maxLength, int i) {
        if (prompt.length == 0) throw new IllegalArgumentException("prompt " + i + " is empty: the model has no start token");
        if (prompt.length + maxLength - 1 > cfg.ctx()) {
            throw new IllegalArgumentException("prompt " + i + " of " + prompt.length + " tokens + " + maxLength
                    + " response tokens exceeds ctx " + cfg.ctx());
        }
        for (int t : prompt) if (t < 0 || t >= cfg.vocab()) throw new IllegalArgumentException("token " + t + " outside vocab " + cfg.vocab());
    }

    private static void decode(KvCache cache, Parallel kernels, Chunk chunk, int maxLength, int endToken, Sampler sampler,
                               RandomGenerator[] rowRng, int[][] out) {
        cache.prefix(kernels, chunk.prompts());
        decode(cache, kernels, chunk.group(), chunk.ids(), maxLength, endToken, sampler, PrefixTest.ANY, rowRng, out);
    }

    /**
     * Decodes rows on the cache's prefix into out[ids[r]], row r continuing prompt rowGroup[r] of the prefix and
     * drawing from rowRng[ids[r]]. A row stops after endToken, after maxLength tokens, or as soon as {@code alive}
     * rejects it; stopped rows leave the cache, so the others decode on alone (with the same bits).
     */
    static void decode(KvCache cache, Parallel kernels, int[] rowGroup, int[] ids, int maxLength, int endToken, Sampler sampler,
                       PrefixTest alive, RandomGenerator[] rowRng, int[][] out) {
        int n = ids.length;
        int[][] response = new int[n][maxLength];
        int[] length = new int[n], slot = new int[n], keep = new int[n], feed = new int[n];   // slot: the cache's row i is row slot[i]
        double[] logProbs = new double[cache.vocab()];
        for (int r = 0; r < n; r++) slot[r] = r;
        float[] lg = cache.rows(kernels, rowGroup, maxLength - 1);   // first the prompts' logits, (groups, V); then the rows'
        boolean first = true;
        for (int live = n; ; first = false) {
            int kept = 0;
            for (int i = 0; i < live; i++) {
                int r = slot[i];
                logProbsOf(lg, first ? rowGroup[r] : i, logProbs);
                int next = sampler.sample(logProbs, rowRng[ids[r]]);
                response[r][length[r]++] = next;
                boolean done = next == endToken || length[r] == maxLength || !alive.canAccept(response[r], length[r]);
                if (!done) keep[kept++] = i;
            }
            if (kept == 0) break;
            if (kept < live) {
                cache.retain(keep, kept);
                for (int i = 0; i < kept; i++) slot[i] = slot[keep[i]];
                live = kept;
            }
            for (int i = 0; i < live; i++) feed[i] = response[slot[i]][length[slot[i]] - 1];
            lg = cache.step(feed);
        }
        for (int r = 0; r < n; r++) out[ids[r]] = Arrays.copyOf(response[r], length[r]);
    }

    private static void logProbsOf(float[] logits, int row, double[] out) {
        int v = out.length;
        double lse = Softmax.logSumExp(logits, row * v, v);
        for (int i = 0; i < v; i++) out[i] = logits[row * v + i] - lse;
    }
}
