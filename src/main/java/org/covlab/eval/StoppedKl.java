package org.covlab.eval;

import java.util.Arrays;
import java.util.List;
import org.covlab.metric.CoverageBounds;
import org.covlab.metric.CoverageProfile;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.LogSpace;

/**
 * The stopped sequence KL of Prop. D.10 (Eq. 50), a token-level surrogate for coverage:
 * D_seq,N(pi_D || pi) = E_{pi_D}[ min{ log N, sum_h KL(pi_D(.|x,y_{<h}) || pi(.|x,y_{<h})) } ],
 * and Cov_N <= 2/(log N - 1) · D_seq,N for N > e ({@link CoverageBounds#stoppedKlBound}).
 *
 * <p>It needs both models' next-token distributions along each response. The expectation is the
 * weighted mean over the given sequences: exact when they enumerate supp pi_D with weights
 * mu(x)·pi_D(y|x), Monte Carlo when they are samples from pi_D with weight 1 ({@link Evaluation}).
 * Without the stop (N -> infinity) it is the sequence KL, by the chain rule.
 */
public final class StoppedKl {
    private StoppedKl() {}

    /** D_seq,N for one N >= 1. */
    public static double stoppedKl(AutoregressiveModel data, AutoregressiveModel model,
                                   List<WeightedSequence> sequences, double n) {
        return stoppedKl(data, model, sequences, new double[] {n})[0];
    }

    /** D_seq,N for every N of a grid; the per-token KLs are computed once. // (ns.length) */
    public static double[] stoppedKl(AutoregressiveModel data, AutoregressiveModel model,
                                     List<WeightedSequence> sequences, double[] ns) {
        if (sequences.isEmpty()) throw new IllegalArgumentException("no sequences");
        double[] klSum = new double[sequences.size()];  // (sequences)
        double total = 0;
        for (int i = 0; i < klSum.length; i++) {
            WeightedSequence s = sequences.get(i);
            klSum[i] = tokenKlSum(data, model, s.prompt().tokens(), s.response());
            total += s.weight();
        }
        if (!(total > 0)) throw new IllegalArgumentException("sequence weights sum to " + total);
        double[] out = new double[ns.length];
        for (int j = 0; j < ns.length; j++) {
            double logN = Math.log(CoverageProfile.requireN(ns[j]));
            double sum = 0;
            for (int i = 0; i < klSum.length; i++) {
                double w = sequences.get(i).weight();
                if (w > 0) sum += w * Math.min(logN, klSum[i]);
            }
            out[j] = sum / total;
        }
        return out;
    }

    /**
     * sum_{h=1}^{|y|} KL(pi_D(.|x,y_{<h}) || pi(.|x,y_{<h})) along one response (section 1.4's per-step KL
     * eps(x, y_{<h}) summed over the steps); +infinity if pi misses a token pi_D can emit.
     */
    public static double tokenKlSum(AutoregressiveModel data, AutoregressiveModel model, int[] prompt, int[] response) {
        double sum = 0;
        for (int h = 0; h < response.length; h++) {
            int[] prefix = Arrays.copyOf(response, h);
            sum += LogSpace.kl(data.nextTokenLogProbs(prompt, prefix), model.nextTokenLogProbs(prompt, prefix));
        }
        return sum;
    }
}
