package org.covlab.select;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link Selector} chose and why.
 *
 * @param method     the selector's name ({@link Selector#TOURNAMENT}, ...)
 * @param candidates the K candidate names, in input order
 * @param scores     (K) the criterion each candidate is ranked by; lower is better
 * @param chosen     index of the chosen candidate: the lowest score, ties to the lowest index (the
 *                   earliest checkpoint when candidates are in training order)
 * @param winMatrix  (K, K) {@code [k'][k]}, the payoff of challenger k' against candidate k, whose column
 *                   maximum is {@code scores[k]}; null for selectors without one (min-ce, oracle)
 */
public record Selection(String method, List<String> candidates, double[] scores, int chosen, double[][] winMatrix) {

    public Selection {
        Objects.requireNonNull(method, "method");
        candidates = List.copyOf(candidates);
        int K = candidates.size();
        if (scores.length != K) throw new IllegalArgumentException(scores.length + " scores for " + K + " candidates");
        if (chosen < 0 || chosen >= K) throw new IllegalArgumentException("chosen " + chosen + " out of range");
        if (winMatrix != null && (winMatrix.length != K || winMatrix[0].length != K))
            throw new IllegalArgumentException("winMatrix must be " + K + " x " + K);
    }

    /** The selection that minimises {@code scores}, ties to the lowest index. */
    public static Selection byMinimum(String method, List<String> candidates, double[] scores, double[][] winMatrix) {
        return new Selection(method, candidates, scores, argmin(scores), winMatrix);
    }

    /** Name of the chosen candidate. */
    public String chosenName() { return candidates.get(chosen); }

    /** The first index of the smallest value (NaN never wins). */
    public static int argmin(double[] v) {
        int best = 0;
        for (int k = 1; k < v.length; k++) if (v[k] < v[best] || Double.isNaN(v[best]) && !Double.isNaN(v[k])) best = k;
        return best;
    }

    /** Column maxima: {@code score[k] = max_k' w[k'][k]}. */
    static double[] columnMax(double[][] w) {
        double[] s = new double[w.length];
        for (int k = 0; k < w.length; k++) {
            double m = Double.NEGATIVE_INFINITY;
            for (double[] row : w) m = Math.max(m, row[k]);
            s[k] = m;
        }
        return s;
    }
}
