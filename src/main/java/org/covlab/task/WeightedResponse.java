package org.covlab.task;

import java.util.Arrays;

/** One response y in the support of pi_D(.|x), with log pi_D(y|x). */
public record WeightedResponse(int[] tokens, double logProb) {
    public WeightedResponse {
        tokens = tokens.clone();
        if (Double.isNaN(logProb) || logProb > 1e-12)
            throw new IllegalArgumentException("log-probability must be <= 0, got " + logProb);
    }

    @Override public int[] tokens() { return tokens.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof WeightedResponse w && Arrays.equals(tokens, w.tokens) && logProb == w.logProb;
    }

    @Override public int hashCode() { return Arrays.hashCode(tokens) * 31 + Double.hashCode(logProb); }
}
