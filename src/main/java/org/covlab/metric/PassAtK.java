package org.covlab.metric;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The unbiased pass@k estimator (Chen et al. 2021, "Evaluating Large Language Models Trained on Code"):
 * with n samples of which c are correct, pass@k = 1 - C(n-c, k) / C(n, k), computed in the stable product
 * form 1 - prod_{i=n-c+1}^{n} (1 - k/i), or through log-gamma when c and k are both large: at most
 * {@value #PRODUCT_TERMS} steps for any counts. It is the sampled counterpart of Pass@N ({@link PassAtN}).
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
     * Up to this many factors the product form is multiplied out; beyond, C(n-c,k)/C(n,k) comes from log-gamma
     * differences ({@link #logFalling}), so one estimate costs at most this many steps whatever n, c and k are.
     */
    static final int PRODUCT_TERMS = 10_000;

    /**
     * The unbiased estimate for one task, or empty when k > n (fewer samples than k: undefined).
     * c = 0 gives 0; n - c < k (every k-subset holds a correct sample) gives 1. For c up to {@link #PRODUCT_TERMS}
     * it is the product over c factors (1 - k/i) as always; else over k factors (1 - c/(n-j)), the same ratio
     * C(n-c,k)/C(n,k) = prod_{j<k} (n-c-j)/(n-j); and when both c and k are larger, through log-gamma
     * (good to about 1e-8 of the ratio at n near 2^31: its terms are about k log n).
     */
    public static OptionalDouble estimate(int n, int c, int k) {
        if (k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
        if (n < 0 || c < 0 || c > n) throw new IllegalArgumentException("need 0 <= c <= n, got n=" + n + " c=" + c);
        if (k > n) return OptionalDouble.empty();
        if (c == 0) return OptionalDouble.of(0);
        if (n - c < k) return OptionalDouble.of(1);
        double allWrong = 1;  // C(n-c, k) / C(n, k)
        if (c <= PRODUCT_TERMS) {
            for (long i = n - c + 1; i <= n; i++) allWrong *= 1 - (double) k / i;   // long: i <= n holds at n = 2^31 - 1
        } else if (k <= PRODUCT_TERMS) {
            for (int j = 0; j < k; j++) allWrong *= 1 - (double) c / (n - j);
        } else {
            allWrong = Math.exp(logFalling(n - c, k) - logFalling(n, k));
        }
        return OptionalDouble.of(1 - allWrong);
    }

    /** log(a! / (a-k)!) = sum_{i<k} log(a - i) for 0 <= k <= a, through Stirling's series for log-gamma. */
    static double logFalling(long a, long k) {
        double hi = a + 1.0, lo = a - k + 1.0;  // log Gamma(hi) - log Gamma(lo)
        double small = 0;                        // Stirling needs arguments >= 16: Gamma(lo) = Gamma(lo + 1) / lo
        while (lo < 16 && lo < hi) small += Math.log(lo++);
        if (lo >= hi) return small;
        // (hi - 1/2) log hi - (lo - 1/2) log lo - (hi - lo), regrouped so that no two large terms cancel
        double d = hi - lo;
        return small + (hi - 0.5) * Math.log1p(d / lo) + d * Math.log(lo) - d + stirlingTail(hi) - stirlingTail(lo);
    }

    /** log Gamma(z) - [(z - 1/2) log z - z + log(2 pi) / 2] for z >= 16, to double precision. */
    private static double stirlingTail(double z) {
        double r = 1 / z, r2 = r * r;
        return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 / 1680)));
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
