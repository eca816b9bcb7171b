package org.covlab.eval;

import java.util.Arrays;
import java.util.Objects;
import org.covlab.task.Prompt;

/**
 * A (prompt, response) pair to evaluate, with its share of the expectation over x ~ mu, y ~ pi_D(.|x):
 * mu(x)·pi_D(y|x) when the support is enumerated, 1 when y was sampled from pi_D ({@link Evaluation}).
 *
 * @param id       names the pair in records, e.g. "x3/y7"
 * @param prompt   x
 * @param response y, the full response
 * @param weight   finite and >= 0; metrics normalise the weights to sum to 1
 */
public record WeightedSequence(String id, Prompt prompt, int[] response, double weight) {
    public WeightedSequence {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(prompt, "prompt");
        response = response.clone();
        if (!(weight >= 0) || Double.isInfinite(weight))
            throw new IllegalArgumentException("weight must be finite and >= 0, got " + weight);
    }

    @Override public int[] response() { return response.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof WeightedSequence s && id.equals(s.id) && prompt.equals(s.prompt)
                && Arrays.equals(response, s.response) && weight == s.weight;
    }

    @Override public int hashCode() {
        return Objects.hash(id, prompt, Arrays.hashCode(response), weight);
    }

    @Override public String toString() {
        return "WeightedSequence[" + id + ", " + prompt + " -> " + Arrays.toString(response) + ", w=" + weight + "]";
    }
}
