package org.covlab.train;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.covlab.model.LinearSoftmaxModel;
import org.covlab.model.MarkovFeatureMap;

/**
 * The sufficient statistics of the log-likelihood of Eq. 2 for the linear model: the count of each next token at
 * each distinct state, L(theta) = Σ_states Σ_v c(state, v) log pi_theta(v | state). A state is (prompt, h, previous
 * token) for a Markov feature map — so the cost of an evaluation does not grow with n — and (prompt, whole prefix)
 * otherwise. Candidate features are computed once per state (they do not depend on theta).
 */
final class TokenCounts {

    private record Key(int[] prompt, int[] prefix) {
        @Override public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(prompt, k.prompt) && Arrays.equals(prefix, k.prefix);
        }
        @Override public int hashCode() { return Arrays.hashCode(prompt) * 31 + Arrays.hashCode(prefix); }
    }

    private record State(double[][] features, double[] counts) { } // (vocab, d), (vocab)

    private final LinearSoftmaxModel shape; // supplies the feature map; its theta is unused
    private final Map<Key, State> states = new LinkedHashMap<>(); // insertion order: a fixed summation order
    private long sequences;

    TokenCounts(LinearSoftmaxModel shape) { this.shape = shape; }

    void add(int[] prompt, int[] response) {
        for (int h = 0; h < response.length; h++) {
            int[] prefix = shape.isMarkov()
                    ? new int[] {h, h == 0 ? MarkovFeatureMap.START : response[h - 1]}
                    : Arrays.copyOf(response, h);
            final int hh = h;
            State s = states.computeIfAbsent(new Key(prompt, prefix),
                    k -> new State(shape.candidateFeatures(prompt, response, hh), new double[shape.vocabSize()]));
            s.counts[response[h]] += 1;
        }
        sequences++;
    }

    long sequences() { return sequences; }

    /** The average log-likelihood (1/n) Σ_i log pi_theta(y_i | x_i), and its gradient written into {@code grad}. */
    double averageLogLik(double[] theta, double[] grad) {
        Arrays.fill(grad, 0);
        if (sequences == 0) return 0;
        double total = 0;
        for (State s : states.values()) {
            double[] logp = LinearSoftmaxModel.logProbs(theta, s.features);
            for (int v = 0; v < logp.length; v++) {
                if (s.counts[v] == 0) continue;
                total += s.counts[v] * logp[v];
                LinearSoftmaxModel.addScoreGradient(s.features, logp, v, s.counts[v], grad);
            }
        }
        for (int j = 0; j < grad.length; j++) grad[j] /= sequences;
        return total / sequences;
    }
}
