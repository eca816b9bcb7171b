package org.covlab.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.covlab.decode.Sampler;
import org.covlab.model.Gpt;
import org.covlab.report.Progress;
import org.covlab.select.LogProbTable;
import org.covlab.select.OnPolicyLogProbs;
import org.covlab.task.Prompt;
import org.covlab.task.graph.GraphTask;
import org.covlab.tensor.Parallel;
import org.covlab.train.Checkpoint;
import org.covlab.train.Checkpoints;
import org.covlab.util.Seeds;

/**
 * The input of checkpoint selection (paper section 6.3) made from a training run: n validation pairs x ~ mu,
 * y ~ pi_D(.|x) scored by every checkpoint ({@code logp[k][i] = log pi_k(y_i|x_i)}), and for the offset tournament
 * (Eq. 32) M on-policy samples per prompt from each checkpoint, scored by every checkpoint. Checkpoints are loaded
 * one at a time, so memory holds one model.
 */
public final class CheckpointLogProbs {
    private CheckpointLogProbs() {}

    /**
     * @param pairs    n validation pairs, from {@code Seeds(seed).stream("select-validation")}
     * @param onPolicy M samples per prompt and checkpoint (0: none), checkpoint k's from {@code stream("on-policy", k)}
     */
    public static LogProbTable table(GraphTask task, List<Checkpoints.Entry> entries, int pairs, int onPolicy, long seed, Parallel pool) {
        if (pairs < 1) throw new IllegalArgumentException("need at least one validation pair, got " + pairs);
        Seeds seeds = new Seeds(seed);
        SplittableRandom rng = seeds.stream("select-validation");
        int[][] xs = new int[pairs][], ys = new int[pairs][];
        List<String> ids = new ArrayList<>(pairs);
        for (int i = 0; i < pairs; i++) {
            Prompt x = task.samplePrompt(rng);
            xs[i] = x.tokens();
            ys[i] = task.sampleResponse(x, rng);
            ids.add("x" + i);
        }
        int K = entries.size();
        List<Checkpoint> checkpoints = new ArrayList<>(K);
        List<String> names = new ArrayList<>(K);
        for (Checkpoints.Entry e : entries) {
            Checkpoint c = Checkpoint.read(e.dir());
            EvalRun.requireFits(c, task);
            checkpoints.add(c);
            names.add(e.dir().getFileName().toString());
        }
        // on-policy samples: y_{i,m} ~ pi_k(.|x_i), rows i*M + m
        int[][][] samples = new int[K][][];
        int[][] repeated = new int[pairs * onPolicy][];
        for (int i = 0; i < pairs; i++) for (int m = 0; m < onPolicy; m++) repeated[i * onPolicy + m] = xs[i];
        if (onPolicy > 0) {
            try (Progress p = Progress.start("select: " + onPolicy + " on-policy samples per prompt from each checkpoint", K)) {
                for (int k = 0; k < K; k++) {
                    Gpt model = checkpoints.get(k).loadModel(pool);
                    samples[k] = model.sample(repeated, task.maxResponseLength(), task.endToken(), Sampler.ANCESTRAL, seeds.stream("on-policy", k));
                    p.step();
                }
            }
        }
        double[][] logp = new double[K][];
        double[][][] on = onPolicy > 0 ? new double[K][K][] : null;
        try (Progress p = Progress.start("select: scoring with " + K + " checkpoints", K)) {
            for (int kp = 0; kp < K; kp++) {
                Gpt model = checkpoints.get(kp).loadModel(pool);
                logp[kp] = model.sequenceLogProbs(xs, ys);
                for (int k = 0; on != null && k < K; k++) on[k][kp] = model.sequenceLogProbs(repeated, samples[k]);
                p.step();
            }
        }
        return new LogProbTable(names, ids, logp, on == null ? null : new OnPolicyLogProbs(onPolicy, on));
    }
}
