package org.covlab.metric;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The unbiased pass@k estimator (Chen et al. 2021, "Evaluating Large Language Models Trained on Code"):
 * with n samples of which c are correct, pass@k = 1 - C(n-c, k) / C(n, k), computed in the stable product
 * form 1 - prod_{i=n-c+1}^{n} (1 - k/i). It is the sampled counterpart of Pass@N ({@link PassAtN}).
 */
public final class PassAtK {
    private PassAtK() {}

    /**
     * One task's sample counts.
     *
     * @param taskId names the task
     * @param n      samples drawn, >= 0
     * @param c      of which correct, 0 <= c <= n
     */
    public record Counts(String taskId, int n, int c) {
        public Counts {
            Objects.requireNonNull(taskId, "taskId");
            if (n < 0 || c < 0 || c > n)
                throw new IllegalArgumentException("need 0 <= c <= n, got n=" + n + " c=" + c + " for " + taskId);
        }
    }

    /**
     * The unbiased estimate for one task, or empty when k > n (fewer samples than k: undefined).
     * c = 0 gives 0; n - c < k (every k-subset holds a correct sample) gives 1.
     */
    public static OptionalDouble estimate(int n, int c, int k) {
        if (k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
        if (n < 0 || c < 0 || c > n) throw new IllegalArgumentException("need 0 <= c <= n, got n=" + n + " c=" + c);
        if (k > n) return OptionalDouble.empty();
        if (c == 0) return OptionalDouble.of(0);
        if (n - c < k) return OptionalDouble.of(1);
        double allWrong = 1;  // C(n-c, k) / C(n, k)
        for (int i = n - c + 1; i <= n; i++) allWrong *= 1 - (double) k / i;
        return OptionalDouble.of(1 - allWrong);
    }

    /** The mean over tasks of {@link #estimate}; empty when k exceeds some task's n (or there are no tasks). */
    public static OptionalDouble mean(List<Counts> tasks, int k) {
        if (tasks.isEmpty()) return OptionalDouble.empty();
        double sum = 0;
        for (Counts t : tasks) {
            OptionalDouble e = estimate(t.n(), t.c(), k);
            if (e.isEmpty()) return e;
            sum += e.getAsDouble();
        }
        return OptionalDouble.of(sum / tasks.size());
    }
}
