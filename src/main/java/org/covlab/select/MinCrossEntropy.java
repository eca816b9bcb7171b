package org.covlab.select;

/**
 * The baseline of Fig. 1 (notes section 3.1): the candidate with the lowest validation cross-entropy
 * {@code score[k] = -(1/n) sum_i log pi_k(y_i|x_i)}. On data from pi_D this is also the minimum-KL candidate,
 * since KL = CE - H(pi_D) and the entropy is the same for all. A candidate that gives some example zero
 * probability scores +infinity.
 */
public record MinCrossEntropy() implements Selector {

    @Override public String method() { return MIN_CE; }

    @Override public Selection select(LogProbTable table) {
        double[] ce = new double[table.K()];
        for (int k = 0; k < ce.length; k++) {
            double sum = 0;
            for (double v : table.logp()[k]) sum -= v;
            ce[k] = sum / table.n();
        }
        return Selection.byMinimum(MIN_CE, table.candidates(), ce, null);
    }
}
