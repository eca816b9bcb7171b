package org.covlab.train;

import java.util.Arrays;

/**
 * How long to train and when to look: a sample budget, the sample counts at which the callback fires, and which
 * iterate it sees. Every method draws its samples from the same seeded stream ({@link DataStream}), so a sample
 * count means the same data for all of them.
 *
 * @param samples total (x, y) ~ pi_D samples to draw
 * @param evalAt  ascending sample counts in [0, samples]; 0 reports the initial model. A point fires at the first
 *                step after which at least that many samples were drawn (batch methods can overshoot by < K), or at
 *                the end of training if the budget left fewer than a batch; the callback gets the true count
 * @param iterate the iterate the callback sees (paper Q10: the theory covers the average over iterates)
 */
public record TrainingPlan(long samples, long[] evalAt, Iterate iterate) {

    /**
     * LAST: the current iterate theta_t, what one deploys in practice (default). AVERAGE: the running mean of all
     * iterates so far (initial one included). For the proper methods KL(pi_D || pi_theta) is convex in theta, so by
     * Jensen the mean iterate satisfies the same KL bound as the theorems' average over iterates. MLE ignores it.
     */
    public enum Iterate { LAST, AVERAGE }

    public TrainingPlan {
        if (samples < 1) throw new IllegalArgumentException("the sample budget must be >= 1");
        evalAt = evalAt.clone();
        for (int i = 0; i < evalAt.length; i++) {
            if (evalAt[i] < 0 || evalAt[i] > samples) throw new IllegalArgumentException("eval point " + evalAt[i] + " outside [0, samples]");
            if (i > 0 && evalAt[i] <= evalAt[i - 1]) throw new IllegalArgumentException("eval points must be strictly ascending");
        }
    }

    /** Last-iterate reporting at the given sample counts. */
    public static TrainingPlan of(long samples, long... evalAt) { return new TrainingPlan(samples, evalAt, Iterate.LAST); }

    @Override public long[] evalAt() { return evalAt.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof TrainingPlan p && p.samples == samples && Arrays.equals(p.evalAt, evalAt) && p.iterate == iterate;
    }

    @Override public int hashCode() { return Long.hashCode(samples) * 31 + Arrays.hashCode(evalAt) * 7 + iterate.hashCode(); }

    @Override public String toString() {
        return "TrainingPlan[samples=" + samples + ", evalAt=" + Arrays.toString(evalAt) + ", iterate=" + iterate + "]";
    }
}
