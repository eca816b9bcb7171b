package org.covlab.model;

import static org.covlab.model.Layers.NO_BIAS;

import java.util.Arrays;
import org.covlab.tensor.Elementwise;
import org.covlab.tensor.Gelu;
import org.covlab.tensor.Gemm;
import org.covlab.tensor.LayerNorm;
import org.covlab.tensor.Parallel;
import org.covlab.tensor.Softmax;

/**
 * Incremental decoding of many rows that share a few prompts (Best-of-N hands the model copies of one prompt);
 * {@link KvSampling} and {@link KvSession} drive it.
 * {@link #prefix} runs each distinct prompt once through {@link Gpt#forwardShard} and keeps its keys and values;
 * {@link #rows} sets up rows continuing those prompts (again and again on the same prefix, if wanted); {@link #step}
 * then feeds one token per row at that row's next position and returns the next-token logits, and {@link #retain}
 * drops finished rows. All rows advance together: the Linear layers are GEMMs over the rows, and attention scores the
 * rows of one prompt against its shared prefix with one GEMM per head (one axpy per head dimension when the prompt
 * has few rows), then against the row's own earlier tokens. Logits equal the full forward's up to float rounding.
 */
final class KvCache {

    private final Gpt model;
    private final GptConfig cfg;
    private Parallel kernels;

    private Activations prefix;             // the prefill forward: (groups, prefixLen) tokens, qkv kept per layer
    private float[][] keysT, valuesT;       // per layer (groups, C, prefixLen): the prefix's keys and values transposed
    private float[] first;                  // (groups, V): the logits after each prompt's last token
    private float[][] suffixK, suffixV;     // per layer (rows, C, maxNew): the rows' own keys and values, transposed
    private float[] x, ln, mean, rstd, qkv, atty, fch, logits, wide;  // (R, C) (R, C) (R) (R) (R, 3C) (R, C) (R, 4C) (R, V) (4C|V, R)
    private float[][] scores;               // per worker (rows of a group, prefixLen + maxNew)
    private int[] groupLength, rowGroup, groupStart, groupEnd;
    private boolean dotLinear;              // the rows' Linear layers are dot products (few rows at rows())
    private boolean[] dotAttention;         // per group: its rows meet the prefix by dot products (few rows at rows())
    private int groups, rows, prefixLen, maxNew, steps;
    private PromptScoring scoring;          // made on a session's first sequenceLogProbs

    KvCache(Gpt model) {
        this.model = model;
        this.cfg = model.config();
    }

    /** Runs the distinct prompts with the given kernels and keeps their keys, values and last logits. */
    void prefix(Parallel kernels, int[][] prompts) {
        int c = cfg.dModel(), v = cfg.vocab(), layers = cfg.layers();
        groups = prompts.length;
        groupLength = new int[groups];
        prefixLen = 0;
        for (int g = 0; g < groups; g++) {
            groupLength[g] = prompts[g].length;
            prefixLen = Math.max(prefixLen, prompts[g].length);
        }
        int tokens = groups * prefixLen;
        if (prefix == null || !prefix.fits(groups, prefixLen, cfg.heads())) {
            prefix = null;
            prefix = Activations.forInference(cfg, tokens, groups * cfg.heads() * prefixLen * prefixLen);
        }
        Arrays.fill(prefix.inputs, 0, tokens, 0);       // right padding: causal attention never lets it reach the prompt
        for (int g = 0; g < groups; g++) System.arraycopy(prompts[g], 0, prefix.inputs, g * prefixLen, prompts[g].length);
        model.forwardShard(prefix, kernels, groups, prefixLen, null);

        keysT = grow(keysT, layers, groups * c * prefixLen);
        valuesT = grow(valuesT, layers, groups * c * prefixLen);
        for (int l = 0; l < layers; l++) {
            float[] q = prefix.qkv[l], kT = keysT[l], vT = valuesT[l];
            for (int g = 0; g < groups; g++) {
                for (int t = 0; t < groupLength[g]; t++) {
                    int src = (g * prefixLen + t) * 3 * c + c, dst = g * c * prefixLen + t;
                    for (int i = 0; i < c; i++) kT[dst + i * prefixLen] = q[src + i];
                    for (int i = 0; i < c; i++) vT[dst + i * prefixLen] = q[src + c + i];
                }
            }
        }
        first = grow(first, groups * v);
        for (int g = 0; g < groups; g++) {
            System.arraycopy(prefix.logits, (g * prefixLen + groupLength[g] - 1) * v, first, g * v, v);
        }
    }

    /**
     * Sets up {@code rowGroup.length} rows on the last {@link #prefix}, row r continuing prompt rowGroup[r] (rows of
     * one prompt must be contiguous), for up to {@code maxNew} more tokens, with the given kernels. Returns the logits
     * after each prompt's last token, (groups, vocab); they stay valid until the next prefix().
     */
    float[] rows(Parallel kernels, int[] rowGroup, int maxNew) {
        this.kernels = kernels;
        int c = cfg.dModel(), v = cfg.vocab(), layers = cfg.layers();
        rows = rowGroup.length;
        this.maxNew = maxNew;
        this.rowGroup = rowGroup.clone();
        groupStart = new int[groups];
        groupEnd = new int[groups];
        groupRanges();
        dotLinear = rows <= DOT_ROWS;
        dotAttention = new boolean[groups];
        int widest = 0;
        for (int g = 0; g < groups; g++) {
            dotAttention[g] = groupEnd[g] - groupStart[g] <= DOT_ROWS;
            widest = Math.max(widest, groupEnd[g] - groupStart[g]);
        }
        suffixK = grow(suffixK, layers, rows * maxNew * c);
        suffixV = grow(suffixV, layers, rows * maxNew * c);
        x = grow(x, rows * c);
        ln = grow(ln, rows * c);
        mean = grow(mean, rows);
        rstd = grow(rstd, rows);
        qkv = grow(qkv, rows * 3 * c);
        atty = grow(atty, rows * c);
        fch = grow(fch, rows * 4 * c);
        logits = grow(logits, rows * v);
        wide = grow(wide, Math.max(4 * c, v) * rows);
        scores = grow(scores, kernels.threads(), widest * (prefixLen + maxNew));
        steps = 0;
        return first;
    }

    /**
     * Keeps rows kept[0..count) (increasing), renumbered 0..count-1, and drops the others. The kernels chosen by
     * {@link #rows} stay, and every kernel computes a row's values the same way whatever the other rows, so a kept
     * row's logits do not change, bit for bit.
     */
    void retain(int[] kept, int count) {
        int block = cfg.dModel() * maxNew;
        for (int i = 0; i < count; i++) {
            int r = kept[i];
            if (r == i) continue;
            for (int l = 0; l < cfg.layers(); l++) {
                System.arraycopy(suffixK[l], r * block, suffixK[l], i * block, block);
                System.arraycopy(suffixV[l], r * block, suffixV[l], i * block, block);
            }
            rowGroup[i] = rowGroup[r];
        }
        rows = count;
        groupRanges();
    }

    /** groupStart and groupEnd from rowGroup; an empty group has start = end. */
    private void groupRanges() {
        Arrays.fill(groupStart, 0);
        Arrays.fill(groupEnd, 0);
        for (int r = rows - 1; r >= 0; r--) groupStart[rowGroup[r]] = r;
        for (int r = 0; r < rows; r++) {
            if (r > 0 && rowGroup[r] != rowGroup[r - 1] && groupEnd[rowGroup[r]] != 0) throw new IllegalArgumentException("rows of a prompt must be contiguous");
            groupEnd[rowGroup[r]] = r + 1;
        }
    }

    int vocab() { return cfg.vocab(); }

    /** The buffers a session scores responses with, borrowed with the cache and apart from its keys and values. */
    PromptScoring scoring() {
        if (scoring == null) scoring = new PromptScoring(model);
        return scoring;
    }

    /** Feeds tokens[r] to row r at its next position; returns the next-token logits, (rows, vocab), reused. */
    float[] step(int[] tokens) {
        if (steps >= maxNew) throw new IllegalStateException("only " + maxNew + " new tokens were set up");
        float[] p = model.parameters();
        int c = cfg.dModel(), nh = cfg.heads(), hs = cfg.headSize(), c3 = 3 * c, s = steps;
        float scale = (float) (1 / Math.sqrt(hs));
        for (int r = 0; r < rows; r++) {
            int tk = tokens[r], position = groupLength[rowGroup[r]] + s;
            if (tk < 0 || tk >= cfg.vocab()) throw new IllegalArgumentException("token " + tk + " outside vocab " + cfg.vocab());
            if (position >= cfg.ctx()) throw new IllegalStateException("context of " + cfg.ctx() + " tokens is full");
            for (int i = 0; i < c; i++) x[r * c + i] = p[model.tok + tk * c + i] + p[model.pos + position * c + i];
        }
        for (int l = 0; l < cfg.layers(); l++) {
            Gpt.Block blk = model.blocks[l];
            float[] kT = keysT[l], vT = valuesT[l], pv = prefix.qkv[l], sk = suffixK[l], sv = suffixV[l];
            LayerNorm.forward(kernels, ln, mean, rstd, x, p, blk.ln1W(), p, blk.ln1B(), rows, c);
            linear(qkv, false, ln, blk.qkvW(), blk.qkvB(), c, c3);
            for (int r = 0; r < rows; r++) {                    // column s of the rows' transposed keys and values
                for (int i = 0; i < c; i++) {
                    sk[(r * c + i) * maxNew + s] = qkv[r * c3 + c + i];
                    sv[(r * c + i) * maxNew + s] = qkv[r * c3 + 2 * c + i];
                }
            }
            // Per (prompt, head): the group's queries against the shared prefix (GEMMs for many rows; for a few, one
            // long axpy or dot product per head dimension), then against each row's own tokens the same way.
            kernels.forEach(groups * nh, (task, worker) -> {
                int g = task / nh, h = task % nh, r0 = groupStart[g], n = groupEnd[g] - r0, len = groupLength[g];
                int width = len + s + 1, headT = (g * c + h * hs) * prefixLen;
                float[] sc = scores[worker];
                if (!dotAttention[g]) {
                    Gemm.gemmInPlaceB(false, n, len, hs, qkv, r0 * c3 + h * hs, c3, kT, headT, prefixLen, sc, 0, width, false);
                } else {
                    Arrays.fill(sc, 0, n * width, 0f);
                    for (int i = 0; i < n; i++) {
                        for (int d = 0; d < hs; d++) Elementwise.axpy(sc, i * width, qkv[(r0 + i) * c3 + h * hs + d], kT, headT + d * prefixLen, len);
                    }
                }
                for (int i = 0; i < n; i++) {
                    int q = (r0 + i) * c3 + h * hs, own = ((r0 + i) * c + h * hs) * maxNew;
                    Arrays.fill(sc, i * width + len, (i + 1) * width, 0f);
                    for (int d = 0; d < hs; d++) Elementwise.axpy(sc, i * width + len, qkv[q + d], sk, own + d * maxNew, s + 1);
                    Softmax.rowForward(sc, i * width, width, width, scale);
                }
                if (!dotAttention[g]) {
                    Gemm.gemmInPlaceB(false, n, hs, len, sc, 0, width, pv, g * prefixLen * c3 + 2 * c + h * hs, c3,
                            atty, r0 * c + h * hs, c, false);
                } else {
                    for (int i = 0; i < n; i++) {
                        for (int d = 0; d < hs; d++) atty[(r0 + i) * c + h * hs + d] = Elementwise.dot(sc, i * width, vT, headT + d * prefixLen, len);
                    }
                }
                for (int i = 0; i < n; i++) {
                    int y = (r0 + i) * c + h * hs, own = ((r0 + i) * c + h * hs) * maxNew;
                    for (int d = 0; d < hs; d++) atty[y + d] += Elementwise.dot(sc, i * width + len, sv, own + d * maxNew, s + 1);
                }
            });
            linear(x, true, atty, blk.projW(), blk.projB(), c, c);
            LayerNorm.forward(kernels, ln, mean, rstd, x, p, blk.ln2W(), p, blk.ln2B(), rows, c);
            linear(fch, false, ln, blk.fcW(), blk.fcB(), c, 4 * c);
            Gelu.forward(kernels, fch, fch, rows * 4 * c);
            linear(x, true, fch, blk.outW(), blk.outB(), 4 * c, c);
        }
        LayerNorm.forward(kernels, ln, mean, rstd, x, p, model.lnfW, p, model.lnfB, rows, c);
        linear(logits, false, ln, model.head, NO_BIAS, c, cfg.vocab());
        steps++;
        return logits;
    }

    /**
     * out (=|+=) inp · Wᵀ + bias for the rows, with W (outC, in) in place in the parameters. With more rows than a
     * few dot products serve, it computes W · inpᵀ (outC, rows) and transposes that: packing the small inp costs
     * little, while packing W on every step would cost as much as the product.
     * // inp: (rows, in); out: (rows, outC)
     */
    private void linear(float[] out, boolean accumulate, float[] inp, int wOff, int bOff, int in, int outC) {
        float[] p = model.parameters();
        if (dotLinear) {
            Gemm.gemm(kernels, false, true, rows, outC, in, inp, 0, in, p, wOff, in, out, 0, outC, accumulate);
        } else {
            Gemm.gemm(kernels, false, true, outC, rows, in, p, wOff, in, inp, 0, in, wide, 0, rows, false);
            int n = rows;
            kernels.forRange((n + ROW_BLOCK - 1) / ROW_BLOCK, 1, (lo, hi) -> {   // blocks of rows: short runs of wide's rows
                for (int r0 = lo * ROW_BLOCK; r0 < Math.min(n, hi * ROW_BLOCK); r0 += ROW_BLOCK) {
                    int r1 = Math.min(n, r0 + ROW_BLOCK);
                    for (int j = 0; j < outC; j++) {
                        for (int r = r0; r < r1; r++) out[r * outC + j] = accumulate ? out[r * outC + j] + wide[j * n + r] : wide[j * n + r];
                    }
                }
            });
        }
        if (bOff != NO_BIAS) Elementwise.addBias(kernels, out, p, bOff, rows, outC);
    }

    /** Rows transposed together out of W · inpᵀ. */
    private static final int ROW_BLOCK = 16;

    /** Up to this many rows, a Linear is dot products of the rows with W's rows (Gemm's unpacked path), and a
     *  prompt's rows meet its prefix by dot products too. */
    private static final int DOT_ROWS = 4;

    private static float[] grow(float[] a, int size) {
        return a != null && a.length >= size ? a : new float[size];
    }

    private static float[][] grow(float[][] a, int n, int size) {
        if (a != null && a.length >= n && a[0].length >= size) return a;
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) out[i] = new float[size];
        return out;
    }
}
