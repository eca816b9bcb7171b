package org.covlab.model;

import static org.covlab.model.Layers.NO_BIAS;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.covlab.decode.Sampler;
import org.covlab.tensor.Gelu;
import org.covlab.tensor.Gemm;
import org.covlab.tensor.LayerNorm;
import org.covlab.tensor.Parallel;
import org.covlab.tensor.Softmax;

/**
 * Incremental decoding for a batch of rows: each {@link #step} feeds one token per row at the next position
 * and returns the next-token logits, attending over the keys and values cached from earlier steps. It uses
 * the same kernels in the same order as {@link Gpt#forward}, so its logits equal the full forward's.
 * Prompts of different lengths advance together: a row is teacher-forced with its prompt until the prompt
 * runs out, then fed its own samples.
 */
final class KvCache {

    /** Rows decoded together: large enough to turn the per-token matrix-vector products into GEMMs. */
    static final int MAX_BATCH = 64;

    private final Gpt model;
    private final GptConfig cfg;
    private final Parallel pool;
    private final int capacity;
    private final float[][] keys, values;   // per layer (B, ctx, C)
    private final float[] x, ln, mean, rstd, qkv, atty, fch, logits;  // (B, C) (B, C) (B) (B) (B, 3C) (B, C) (B, 4C) (B, V)
    private final float[][] scores;         // per worker (ctx)
    private int rows, position;

    KvCache(Gpt model, int capacity) {
        this.model = model;
        this.cfg = model.config();
        this.pool = model.pool();
        this.capacity = capacity;
        int c = cfg.dModel(), n = capacity;
        keys = new float[cfg.layers()][n * cfg.ctx() * c];
        values = new float[cfg.layers()][n * cfg.ctx() * c];
        x = new float[n * c];
        ln = new float[n * c];
        mean = new float[n];
        rstd = new float[n];
        qkv = new float[n * 3 * c];
        atty = new float[n * c];
        fch = new float[n * 4 * c];
        logits = new float[n * cfg.vocab()];
        scores = new float[pool.threads()][cfg.ctx()];
    }

    /** Starts empty sequences for {@code rows} rows. */
    void reset(int rows) {
        if (rows < 1 || rows > capacity) throw new IllegalArgumentException("rows must be in [1, " + capacity + "], got " + rows);
        this.rows = rows;
        this.position = 0;
    }

    /** Feeds tokens[b] at the next position of row b; returns the logits there, (rows, vocab), reused. */
    float[] step(int[] tokens) {
        if (position >= cfg.ctx()) throw new IllegalStateException("context of " + cfg.ctx() + " tokens is full");
        float[] p = model.parameters();
        int c = cfg.dModel(), t = position, ctx = cfg.ctx(), nh = cfg.heads(), hs = cfg.headSize(), c3 = 3 * c;
        float scale = (float) (1 / Math.sqrt(hs));
        for (int b = 0; b < rows; b++) {
            int tk = tokens[b];
            if (tk < 0 || tk >= cfg.vocab()) throw new IllegalArgumentException("token " + tk + " outside vocab " + cfg.vocab());
            for (int i = 0; i < c; i++) x[b * c + i] = p[model.tok + tk * c + i] + p[model.pos + t * c + i];
        }
        for (int l = 0; l < cfg.layers(); l++) {
            Gpt.Block w = model.blocks[l];
            float[] kc = keys[l], vc = values[l];
            LayerNorm.forward(pool, ln, mean, rstd, x, p, w.ln1W(), p, w.ln1B(), rows, c);
            Layers.linearForward(pool, qkv, false, ln, p, w.qkvW(), w.qkvB(), rows, c, c3);
            for (int b = 0; b < rows; b++) {
                System.arraycopy(qkv, b * c3 + c, kc, (b * ctx + t) * c, c);
                System.arraycopy(qkv, b * c3 + 2 * c, vc, (b * ctx + t) * c, c);
            }
            // One query row per (b, head) against cached keys 0..t: the same GEMMs and softmax as the full pass.
            pool.forEach(rows * nh, (task, worker) -> {
                int b = task / nh, h = task % nh, kv = b * ctx * c + h * hs;
                float[] s = scores[worker];
                Gemm.gemm(Parallel.SERIAL, false, true, 1, t + 1, hs, qkv, b * c3 + h * hs, c3, kc, kv, c, s, 0, ctx, false);
                Softmax.rowForward(s, 0, t + 1, scale);
                Gemm.gemm(Parallel.SERIAL, false, false, 1, hs, t + 1, s, 0, ctx, vc, kv, c, atty, b * c + h * hs, c, false);
            });
            Layers.linearForward(pool, x, true, atty, p, w.projW(), w.projB(), rows, c, c);
            LayerNorm.forward(pool, ln, mean, rstd, x, p, w.ln2W(), p, w.ln2B(), rows, c);
            Layers.linearForward(pool, fch, false, ln, p, w.fcW(), w.fcB(), rows, c, 4 * c);
            Gelu.forward(pool, fch, fch, rows * 4 * c);
            Layers.linearForward(pool, x, true, fch, p, w.outW(), w.outB(), rows, 4 * c, c);
        }
        LayerNorm.forward(pool, ln, mean, rstd, x, p, model.lnfW, p, model.lnfB, rows, c);
        Layers.linearForward(pool, logits, false, ln, p, model.head, NO_BIAS, rows, c, cfg.vocab());
        position++;
        return logits;
    }

    /** Samples prompts in groups of {@link #capacity} rows; see {@link Gpt#sample(int[][], int, int, Sampler, RandomGenerator)}. */
    int[][] sample(int[][] prompts, int maxLength, int endToken, Sampler sampler, RandomGenerator rng) {
        int[][] out = new int[prompts.length][];
        for (int start = 0; start < prompts.length; start += capacity) {
            int n = Math.min(capacity, prompts.length - start);
            sampleGroup(Arrays.copyOfRange(prompts, start, start + n), maxLength, endToken, sampler, rng, out, start);
        }
        return out;
    }

    private void sampleGroup(int[][] prompts, int maxLength, int endToken, Sampler sampler, RandomGenerator rng,
                             int[][] out, int outStart) {
        int n = prompts.length, v = cfg.vocab(), longest = 0;
        for (int[] pr : prompts) {
            if (pr.length == 0) throw new IllegalArgumentException("empty prompt: the model has no start token");
            longest = Math.max(longest, pr.length);
        }
        if (longest + maxLength - 1 > cfg.ctx()) {
            throw new IllegalArgumentException("prompt of " + longest + " + " + maxLength + " response tokens exceeds ctx " + cfg.ctx());
        }
        reset(n);
        int[][] response = new int[n][maxLength];
        int[] length = new int[n], feed = new int[n];
        boolean[] done = new boolean[n];
        double[] logProbs = new double[v];
        int remaining = maxLength == 0 ? 0 : n;
        for (int t = 0; remaining > 0; t++) {
            for (int b = 0; b < n; b++) {
                int[] pr = prompts[b];
                feed[b] = t < pr.length ? pr[t] : length[b] > 0 ? response[b][length[b] - 1] : 0;
            }
            float[] lg = step(feed);
            for (int b = 0; b < n; b++) {
                if (done[b] || t < prompts[b].length - 1) continue;
                double lse = Softmax.logSumExp(lg, b * v, v);
                for (int i = 0; i < v; i++) logProbs[i] = lg[b * v + i] - lse;
                int next = sampler.sample(logProbs, rng);
                response[b][length[b]++] = next;
                if (next == endToken || length[b] == maxLength) {
                    done[b] = true;
                    remaining--;
                }
            }
        }
        for (int b = 0; b < n; b++) out[outStart + b] = Arrays.copyOf(response[b], length[b]);
    }
}
