package org.covlab.task;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.covlab.model.AutoregressiveModel;

/**
 * A task: a prompt distribution mu, an exactly known data distribution pi_D(y|x), and a verifier
 * (paper section 1.1). Because pi_D is known, KL and the coverage profile Cov_N(pi_D || pi_hat) are exact.
 *
 * <p>Prompts are a mixture of named groups (classes) with weights {@link #groupWeights()}; single-class
 * tasks use one group, "all". Responses are token arrays of at most {@link #maxResponseLength()} tokens,
 * ending in {@link #endToken()} when the task has one.
 */
public interface Task {

    String name();

    /** Size of the token vocabulary shared by prompts and responses. */
    int vocabSize();

    /** The horizon H: the longest response, counting the end token if there is one. */
    int maxResponseLength();

    /** The end-of-sequence token, or -1 when every response has exactly {@link #maxResponseLength()} tokens. */
    default int endToken() { return -1; }

    /** The mixture weights of the classes, summing to 1, in a fixed order. */
    default Map<String, Double> groupWeights() {
        Map<String, Double> one = new LinkedHashMap<>();
        one.put("all", 1.0);
        return one;
    }

    /** x ~ mu restricted to one class. */
    Prompt samplePrompt(String group, RandomGenerator rng);

    /** x ~ mu: a class by its weight, then a prompt of that class. */
    default Prompt samplePrompt(RandomGenerator rng) {
        double u = rng.nextDouble();
        String last = null;
        for (Map.Entry<String, Double> e : groupWeights().entrySet()) {
            last = e.getKey();
            u -= e.getValue();
            if (u < 0) break;
        }
        return samplePrompt(last, rng);
    }

    /** y ~ pi_D(.|x). */
    int[] sampleResponse(Prompt x, RandomGenerator rng);

    /** log pi_D(y|x), exactly; -infinity outside the support. */
    double logProbData(Prompt x, int[] response);

    /** The whole support of pi_D(.|x) with its log-probabilities, when it is small enough to list. */
    default Optional<List<WeightedResponse>> support(Prompt x) { return Optional.empty(); }

    /** The reward r(x, y) in {0, 1}. */
    Verifier verifier();

    /**
     * pi_D as an autoregressive model (its next-token conditionals), when the task can give them.
     * Stopped KL, sigma*^2 and distillation need it.
     */
    default Optional<AutoregressiveModel> dataModel() { return Optional.empty(); }
}
