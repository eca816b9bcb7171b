package org.covlab.model;

import java.util.Arrays;
import org.covlab.tensor.Attention;
import org.covlab.tensor.Gemm;
import org.covlab.tensor.Parallel;

/**
 * Teacher-forced log pi(y | x) of several responses y to one prompt x, with x run once: exact evaluation scores every
 * response in the support of pi_D(.|x) (16 for Fig. 2's G3), Best-of-N's pi_T every correct path. The first
 * response's whole sequence x ++ y goes through {@link Gpt#forwardShard}, as {@link ScoringPass} runs any sequence;
 * its keys and values at x's positions then serve the other responses, whose tokens run together at positions |x|..
 * ({@link Attention#forwardOnPrefix}). With k responses of m tokens a prompt costs |x| + k (m - 1) positions instead
 * of k (|x| + m - 1). Each log-prob equals the full forward's on its own x ++ y bit for bit when the responses have
 * equal lengths (tested), else up to float rounding. An instance keeps its buffers between calls: one per thread.
 */
final class PromptScoring {
    /**
     * The other responses' tokens run together up to about this many positions (at least one response): Fig. 2's G3
     * at H = 24 (15 x 26 positions) in one pass. Not tuned.
     */
    static final int CHUNK_TOKENS = 512;

    private final Gpt model;
    private Activations whole, rest;    // x ++ the first response; the other responses' tokens

    PromptScoring(Gpt model) {
        this.model = model;
    }

    /** Throws unless the prompt and every response fit the model: tokens in the vocabulary, x ++ y within ctx. */
    static void check(GptConfig cfg, int[] prompt, int[][] responses) {
        int longest = 0;
        for (int[] y : responses) {
            longest = Math.max(longest, y.length);
            for (int t : y) if (t < 0 || t >= cfg.vocab()) throw new IllegalArgumentException("token " + t + " outside vocab " + cfg.vocab());
        }
        KvSampling.check(cfg, prompt, longest, 0);
    }

    /** log pi(y | prompt) for each response, with the given kernels and packed weights (null: each GEMM packs). */
    double[] sequenceLogProbs(Parallel kernels, PackedWeights w, int[] prompt, int[][] responses) {
        check(model.config(), prompt, responses);
        double[] out = new double[responses.length];
        if (responses.length == 0) return out;
        GptConfig cfg = model.config();
        int p = prompt.length, v = cfg.vocab();
        int[] first = responses[0];
        int t = p + Math.max(0, first.length - 1);              // x ++ y without y's last token
        whole = fit(whole, t, cfg.heads() * t * t);
        System.arraycopy(prompt, 0, whole.inputs, 0, p);
        System.arraycopy(first, 0, whole.inputs, p, t - p);
        model.forwardShard(whole, kernels, 1, t, w);
        for (int h = 0; h < first.length; h++) out[0] += ScoringPass.logProb(whole.logits, p - 1 + h, first[h], v);
        int longest = 1;
        for (int r = 1; r < responses.length; r++) {
            if (responses[r].length > 0) out[r] = ScoringPass.logProb(whole.logits, p - 1, responses[r][0], v);
            longest = Math.max(longest, responses[r].length - 1);
        }
        int per = Math.max(1, CHUNK_TOKENS / longest);
        for (int from = 1; from < responses.length; from += per) {
            int n = Math.min(per, responses.length - from), seq = 0;
            for (int i = 0; i < n; i++) seq = Math.max(seq, responses[from + i].length - 1);
            if (seq <= 0) continue;
            // rows of padding up to more than DOT_MAX_ROWS positions, so the Linear layers take the GEMM path as
            // the whole sequences' do (a few rows would take dot products, in another order)
            int rows = Math.max(n, Gemm.DOT_MAX_ROWS / seq + 1), s = seq;
            int[] lengths = new int[rows];                      // tokens fed per row: y without its last
            rest = fit(rest, rows * seq, 0);
            Arrays.fill(rest.inputs, 0, rows * seq, 0);         // right padding, after each row's tokens: never read by them
            for (int i = 0; i < n; i++) {
                lengths[i] = Math.max(0, responses[from + i].length - 1);
                System.arraycopy(responses[from + i], 0, rest.inputs, i * seq, lengths[i]);
            }
            Activations a = rest;
            model.forwardShard(a, kernels, rows, s, w, p, l -> Attention.forwardOnPrefix(kernels, a.atty[l], a.qkv[l], rows, s,
                    lengths, whole.qkv[l], p, cfg.dModel(), cfg.heads()));
            for (int i = 0; i < n; i++) {
                int[] y = responses[from + i];
                for (int h = 1; h < y.length; h++) out[from + i] += ScoringPass.logProb(a.logits, i * s + h - 1, y[h], v);
            }
        }
        return out;
    }

    /** Inference buffers for this many tokens and attention entries: these, or new ones if they are too small. */
    private Activations fit(Activations a, int tokens, int attention) {
        if (a != null && a.tokens >= tokens && a.attention >= attention) return a;
        return Activations.forInference(model.config(), tokens, attention);
    }
}
