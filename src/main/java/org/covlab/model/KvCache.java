package org.covlab.model;

import static org.covlab.model.Layers.NO_BIAS;

import java.util.Arrays;
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
    private final int capacity;
    private final float[][] keysT;          // per layer (B, C, ctx): keys transposed, so scores are axpys
    private final float[][] values;         // per layer (B, ctx, C)
    private final float[] x, ln, mean, rstd, qkv, atty, fch, logits;  // (B, C) (B, C) (B) (B) (B, 3C) (B, C) (B, 4C) (B, V)
    private final float[][] scores;         // per worker (ctx)
    // Weights transposed to (in, out) once per cache: with few rows per step, packing a transposed B on
    // every call would cost as much as the product, while packing a row-major B is a plain vector copy.
    private final float[][] qkvT, projT, fcT, outT;
    private final float[] headT;
    private int rows, position;

    KvCache(Gpt model, int capacity) {
        this.model = model;
        this.cfg = model.config();
        this.pool = model.pool();
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
        float[] p = model.parameters();
        int layers = cfg.layers();
        qkvT = new float[layers][];
        projT = new float[layers][];
        fcT = new float[layers][];
        outT = new float[layers][];
        for (int l = 0; l < layers; l++) {
            Gpt.Block w = model.blocks[l];
            qkvT[l] = transpose(p, w.qkvW(), 3 * c, c);
            projT[l] = transpose(p, w.projW(), c, c);
            fcT[l] = transpose(p, w.fcW(), 4 * c, c);
            outT[l] = transpose(p, w.outW(), c, 4 * c);
        }
        headT = transpose(p, model.head, cfg.vocab(), c);
    }

    /** The (rows, cols) matrix at p[off] as a new (cols, rows) matrix. */
    private static float[] transpose(float[] p, int off, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) for (int j = 0; j < cols; j++) t[j * rows + r] = p[off + r * cols + j];
        return t;
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
            Gpt.Block w = model.blocks[l];
            float[] kT = keysT[l], vc = values[l];
            LayerNorm.forward(pool, ln, mean, rstd, x, p, w.ln1W(), p, w.ln1B(), rows, c);
            linear(qkv, false, ln, qkvT[l], w.qkvB(), c, c3);
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
            linear(x, true, atty, projT[l], w.projB(), c, c);
            LayerNorm.forward(pool, ln, mean, rstd, x, p, w.ln2W(), p, w.ln2B(), rows, c);
            linear(fch, false, ln, fcT[l], w.fcB(), c, 4 * c);
            Gelu.forward(pool, fch, fch, rows * 4 * c);
            linear(x, true, fch, outT[l], w.outB(), 4 * c, c);
        }
        LayerNorm.forward(pool, ln, mean, rstd, x, p, model.lnfW, p, model.lnfB, rows, c);
        linear(logits, false, ln, headT, NO_BIAS, c, cfg.vocab());
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
