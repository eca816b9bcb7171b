package org.covlab.model;

import org.covlab.tensor.Softmax;

/**
 * Teacher-forced scoring with a {@link Gpt}: log pi(y_h | x, y_{<h}) for every response token, many
 * (prompt, response) pairs per forward pass. Pairs are right-padded to the longest in their batch; causal
 * attention means the padding never changes the scored positions.
 */
final class Scoring {
    private Scoring() {}

    /** Sequences per forward pass: the benchmark's batch, enough to keep both cores busy. */
    static final int BATCH = 32;

    static double[][] tokenLogProbs(Gpt model, int[][] prompts, int[][] responses) {
        if (prompts.length != responses.length) {
            throw new IllegalArgumentException(prompts.length + " prompts but " + responses.length + " responses");
        }
        int ctx = model.config().ctx(), v = model.config().vocab();
        double[][] out = new double[prompts.length][];
        for (int start = 0; start < prompts.length; start += BATCH) {
            int n = Math.min(BATCH, prompts.length - start), seq = 1;
            for (int i = start; i < start + n; i++) {
                if (prompts[i].length == 0) throw new IllegalArgumentException("prompt " + i + " is empty: the model has no start token");
                int len = prompts[i].length + responses[i].length - 1;
                if (len > ctx) throw new IllegalArgumentException("pair " + i + " needs " + len + " positions, ctx is " + ctx);
                seq = Math.max(seq, len);
            }
            int[] tokens = new int[n * seq], targets = new int[n * seq];   // padding scores token 0, unread
            for (int i = 0; i < n; i++) {
                int[] p = prompts[start + i], r = responses[start + i];
                int fromPrompt = Math.min(p.length, seq);          // the input is x ++ y without y's last token
                System.arraycopy(p, 0, tokens, i * seq, fromPrompt);
                System.arraycopy(r, 0, tokens, i * seq + fromPrompt, Math.max(0, Math.min(r.length - 1, seq - fromPrompt)));
                for (int h = 0; h < r.length; h++) {
                    if (r[h] < 0 || r[h] >= v) throw new IllegalArgumentException("token " + r[h] + " outside vocab " + v);
                    targets[i * seq + p.length - 1 + h] = r[h];
                }
            }
            double[] logProbs = model.targetLogProbs(tokens, targets, n, seq);
            for (int i = 0; i < n; i++) {
                int from = i * seq + prompts[start + i].length - 1;
                out[start + i] = java.util.Arrays.copyOfRange(logProbs, from, from + responses[start + i].length);
            }
        }
        return out;
    }

    /** log pi(. | x, prefix) from one forward pass over x ++ prefix. // (vocab) */
    static double[] nextTokenLogProbs(Gpt model, int[] prompt, int[] prefix) {
        int len = prompt.length + prefix.length, v = model.config().vocab();
        if (len == 0) throw new IllegalArgumentException("empty context: the model has no start token");
        int[] tokens = new int[len];
        System.arraycopy(prompt, 0, tokens, 0, prompt.length);
        System.arraycopy(prefix, 0, tokens, prompt.length, prefix.length);
        model.forward(tokens, 1, len);
        int row = (len - 1) * v;
        float[] logits = model.logits();
        double lse = Softmax.logSumExp(logits, row, v);
        double[] out = new double[v];
        for (int i = 0; i < v; i++) out[i] = logits[row + i] - lse;
        return out;
    }
}
