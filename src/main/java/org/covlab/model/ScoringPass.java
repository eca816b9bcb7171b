package org.covlab.model;

import org.covlab.tensor.Parallel;
import org.covlab.tensor.Softmax;

/**
 * Forward passes that keep nothing for backward (PyTorch's {@code torch.no_grad()}), for scoring. The batch is
 * cut into tasks of about {@link Pieces#PIECE_TOKENS} positions, each run from embedding to log-probs on one thread with
 * inference buffers ({@link Activations#forInference}): a task's activations stay in its core's L2 cache, and a
 * core slowed down by something else holds up one small task instead of half the batch. Each row goes through the
 * same kernels in the same order as in {@link Gpt#forward}, so the results match it bit for bit and do not depend
 * on the thread count.
 */
final class ScoringPass {
    private final Gpt model;
    private final Activations[] buffers;    // one per worker of the model's pool, grown on demand
    private final PromptScoring[] scorers;  // one per worker, made on demand

    ScoringPass(Gpt model) {
        this.model = model;
        this.buffers = new Activations[model.pool().threads()];
        this.scorers = new PromptScoring[model.pool().threads()];
    }

    /**
     * out[i] = log pi(targets[i] | tokens of its sequence up to i), for every position i; targets must be in the
     * vocabulary. // tokens, targets, out: (batch, seq)
     */
    void targetLogProbs(int[] tokens, int[] targets, int batch, int seq, double[] out) {
        int per = Pieces.sequencesPerPiece(seq), tasks = (batch + per - 1) / per;
        Parallel pool = model.pool();
        PackedWeights w = model.packedWeights().repack(pool);
        Pieces.each(pool, tasks, (t, worker, kernels) -> run(t * per, Math.min(batch, (t + 1) * per), seq, worker, kernels,
                w, tokens, targets, out));
    }

    /** Sequences [from, to) on a worker's buffers, with the given pool inside the kernels. */
    private void run(int from, int to, int seq, int worker, Parallel kernels, PackedWeights w,
                     int[] tokens, int[] targets, double[] out) {
        GptConfig cfg = model.config();
        int rows = to - from, n = rows * seq, v = cfg.vocab();
        Activations a = buffers[worker];
        if (a == null || !a.fits(rows, seq, cfg.heads())) {
            buffers[worker] = null;
            a = buffers[worker] = Activations.forInference(cfg, n, rows * cfg.heads() * seq * seq);
        }
        System.arraycopy(tokens, from * seq, a.inputs, 0, n);
        model.forwardShard(a, kernels, rows, seq, w);
        for (int i = 0; i < n; i++) out[from * seq + i] = logProb(a.logits, i, targets[from * seq + i], v);
    }

    /**
     * log pi(y | prompts[i]) of every y in responses[i], one prompt per task on a worker's {@link PromptScoring} (all
     * with the weights packed once), or one after another with the pool inside the kernels if fewer than threads.
     */
    double[][] sequenceLogProbs(int[][] prompts, int[][][] responses) {
        Parallel pool = model.pool();
        PackedWeights w = model.packedWeights().repack(pool);
        double[][] out = new double[prompts.length][];
        Pieces.each(pool, prompts.length, (i, worker, kernels) -> {
            if (scorers[worker] == null) scorers[worker] = new PromptScoring(model);
            out[i] = scorers[worker].sequenceLogProbs(kernels, w, prompts[i], responses[i]);
        });
        return out;
    }

    /** log softmax(logits at a position)[target], from (positions, v) logits. */
    static double logProb(float[] logits, int position, int target, int v) {
        return (double) logits[position * v + target] - Softmax.logSumExp(logits, position * v, v);
    }
}
