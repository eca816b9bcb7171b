package org.covlab.model;

import static org.covlab.model.Layers.NO_BIAS;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.covlab.decode.Sampler;
import org.covlab.tensor.Elementwise;
import org.covlab.tensor.Gelu;
import org.covlab.tensor.Gemm;
import org.covlab.tensor.LayerNorm;
import org.covlab.tensor.Parallel;
import org.covlab.tensor.Softmax;

/**
 * Incremental decoding for a batch of rows: each {@link #step} feeds one token per row at the next position
 * and returns the next-token logits, attending over the keys and values cached from earlier steps. It uses
 * the same kernels as {@link Gpt#forward}, so its logits equal the full forward's up to float rounding.
 * Prompts of different lengths advance together: a row is teacher-forced with its prompt until the prompt
 * runs out, then fed its own samples.
 */
final class KvCache {

    /** Rows decoded together: large enough to turn the per-token matrix-vector products into GEMMs. */
    static final int MAX_BATCH = 64;

    private final Gpt model;
    private final GptConfig cfg;
    private final Parallel pool;
    private final Weights w;
    private final int capacity;
    private final float[][] keysT;          // per layer (B, C, ctx): keys transposed, so scores are axpys
    private final float[][] values;         // per layer (B, ctx, C)
    private final float[] x, ln, mean, rstd, qkv, atty, fch, logits;  // (B, C) (B, C) (B) (B) (B, 3C) (B, C) (B, 4C) (B, V)
    private final float[][] scores;         // per worker (ctx)
    private int rows, position;

    /**
     * The Linear weights transposed to (in, out), made once per sampling call and shared by its caches: with
     * few rows per step, packing a transposed B on every call would cost as much as the product, while
     * packing a row-major B is a plain vector copy.
     */
    record Weights(float[][] qkvT, float[][] projT, float[][] fcT, float[][] outT, float[] headT) {
        static Weights of(Gpt model) {
            GptConfig cfg = model.config();
            float[] p = model.parameters();
            int c = cfg.dModel(), layers = cfg.layers();
            float[][] qkv = new float[layers][], proj = new float[layers][], fc = new float[layers][], out = new float[layers][];
            for (int l = 0; l < layers; l++) {
                Gpt.Block b = model.blocks[l];
                qkv[l] = transpose(p, b.qkvW(), 3 * c, c);
                proj[l] = transpose(p, b.projW(), c, c);
                fc[l] = transpose(p, b.fcW(), 4 * c, c);
                out[l] = transpose(p, b.outW(), c, 4 * c);
            }
            return new Weights(qkv, proj, fc, out, transpose(p, model.head, cfg.vocab(), c));
        }

        /** The (rows, cols) matrix at p[off] as a new (cols, rows) matrix. */
        private static float[] transpose(float[] p, int off, int rows, int cols) {
            float[] t = new float[rows * cols];
            for (int r = 0; r < rows; r++) for (int j = 0; j < cols; j++) t[j * rows + r] = p[off + r * cols + j];
            return t;
        }
    }

    KvCache(Gpt model, Weights w, Parallel pool, int capacity) {
        this.model = model;
        this.cfg = model.config();
        this.pool = pool;
        this.w = w;
        this.capacity = capacity;
        int c = cfg.dModel(), n = capacity;
        keysT = new float[cfg.layers()][n * c * cfg.ctx()];
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

    /** out (=|+=) inp · wT + bias, for the step's rows. // inp: (rows, in); wT: (in, outC); out: (rows, outC) */
    private void linear(float[] out, boolean accumulate, float[] inp, float[] wT, int bOff, int in, int outC) {
        Gemm.gemm(pool, false, false, rows, outC, in, inp, 0, in, wT, 0, outC, out, 0, outC, accumulate);
        if (bOff != NO_BIAS) Elementwise.addBias(pool, out, model.parameters(), bOff, rows, outC);
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
            Gpt.Block blk = model.blocks[l];
            float[] kT = keysT[l], vc = values[l];
            LayerNorm.forward(pool, ln, mean, rstd, x, p, blk.ln1W(), p, blk.ln1B(), rows, c);
            linear(qkv, false, ln, w.qkvT()[l], blk.qkvB(), c, c3);
            for (int b = 0; b < rows; b++) {
                for (int i = 0; i < c; i++) kT[(b * c + i) * ctx + t] = qkv[b * c3 + c + i];
                System.arraycopy(qkv, b * c3 + 2 * c, vc, (b * ctx + t) * c, c);
            }
            // One query row per (b, head) against the cached keys and values of positions 0..t.
            pool.forEach(rows * nh, (task, worker) -> {
                int b = task / nh, h = task % nh, q = b * c3 + h * hs, y = b * c + h * hs;
                float[] s = scores[worker];
                Arrays.fill(s, 0, t + 1, 0f);                   // s_j = q · k_j
                for (int d = 0; d < hs; d++) Elementwise.axpy(s, 0, qkv[q + d], kT, (b * c + h * hs + d) * ctx, t + 1);
                Softmax.rowForward(s, 0, t + 1, scale);
                Arrays.fill(atty, y, y + hs, 0f);               // y = sum_j p_j v_j
                for (int j = 0; j <= t; j++) Elementwise.axpy(atty, y, s[j], vc, (b * ctx + j) * c + h * hs, hs);
            });
            linear(x, true, atty, w.projT()[l], blk.projB(), c, c);
            LayerNorm.forward(pool, ln, mean, rstd, x, p, blk.ln2W(), p, blk.ln2B(), rows, c);
            linear(fch, false, ln, w.fcT()[l], blk.fcB(), c, 4 * c);
            Gelu.forward(pool, fch, fch, rows * 4 * c);
            linear(x, true, fch, w.outT()[l], blk.outB(), 4 * c, c);
        }
        LayerNorm.forward(pool, ln, mean, rstd, x, p, model.lnfW, p, model.lnfB, rows, c);
        linear(logits, false, ln, w.headT(), NO_BIAS, c, cfg.vocab());
        position++;
        return logits;
    }

    /**
     * Samples a response for every prompt. Prompts are split into groups, one per thread (at most
     * {@link #MAX_BATCH} rows each), and each group decodes on its own thread with single-threaded kernels:
     * one hand-off per group instead of one per kernel call. Each prompt draws from its own generator, seeded
     * from {@code rng} in prompt order, so the samples do not depend on the grouping or the thread count.
     */
    static int[][] sample(Gpt model, int[][] prompts, int maxLength, int endToken, Sampler sampler, RandomGenerator rng) {
        GptConfig cfg = model.config();
        int n = prompts.length;
        RandomGenerator[] rowRng = new RandomGenerator[n];
        for (int i = 0; i < n; i++) {
            if (prompts[i].length == 0) throw new IllegalArgumentException("prompt " + i + " is empty: the model has no start token");
            if (prompts[i].length + maxLength - 1 > cfg.ctx()) {
                throw new IllegalArgumentException("prompt " + i + " of " + prompts[i].length + " tokens + " + maxLength
                        + " response tokens exceeds ctx " + cfg.ctx());
            }
            rowRng[i] = new SplittableRandom(rng.nextLong());
        }
        int[][] out = new int[n][];
        if (n == 0) return out;
        Parallel pool = model.pool();
        int size = Math.min(MAX_BATCH, (n + pool.threads() - 1) / pool.threads());
        Weights weights = Weights.of(model);
        KvCache[] caches = new KvCache[pool.threads()];
        pool.forEach((n + size - 1) / size, (g, worker) -> {
            if (caches[worker] == null) caches[worker] = new KvCache(model, weights, Parallel.SERIAL, size);
            int from = g * size, to = Math.min(n, from + size);
            caches[worker].sampleGroup(Arrays.copyOfRange(prompts, from, to), maxLength, endToken, sampler,
                    Arrays.copyOfRange(rowRng, from, to), out, from);
        });
        return out;
    }

    private void sampleGroup(int[][] prompts, int maxLength, int endToken, Sampler sampler, RandomGenerator[] rng,
                             int[][] out, int outStart) {
        int n = prompts.length, v = cfg.vocab();
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
                int next = sampler.sample(logProbs, rng[b]);
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
