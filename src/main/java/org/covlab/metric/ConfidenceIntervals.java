package org.covlab.metric;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.random.RandomGenerator;

/**
 * Confidence intervals for the metrics: Wilson's score interval for proportions (Cov_N, Pass@N) and a
 * seeded percentile bootstrap for any statistic of weighted records (KL, cross-entropy, D_seq,N).
 */
public final class ConfidenceIntervals {
    private ConfidenceIntervals() {}

    /** The normal quantile of a two-sided 95% interval: the default everywhere in covlab. */
    public static final double Z_95 = 1.96;
    /** The default coverage level of bootstrap intervals, matching {@link #Z_95}. */
    public static final double LEVEL_95 = 0.95;

    /** Wilson interval at 95% for {@code successes} out of {@code trials}. */
    public static Estimate wilson(long successes, long trials) {
        if (trials < 1 || successes < 0 || successes > trials)
            throw new IllegalArgumentException("need 0 <= successes <= trials and trials >= 1, got "
                    + successes + "/" + trials);
        return wilson((double) successes / trials, trials, Z_95);
    }

    /**
     * Wilson score interval for a proportion {@code p} measured on {@code n} trials:
     * (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n). {@code n} may be fractional: weighted
     * records pass their Kish effective sample size (see {@link CoverageProfile#effectiveSampleSize()}).
     */
    public static Estimate wilson(double p, double n, double z) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("proportion must be in [0,1], got " + p);
        if (!(n > 0) || Double.isInfinite(n)) throw new IllegalArgumentException("n must be finite and > 0, got " + n);
        if (!(z > 0)) throw new IllegalArgumentException("z must be > 0, got " + z);
        double z2n = z * z / n;
        double centre = (p + z2n / 2) / (1 + z2n);
        double half = z / (1 + z2n) * Math.sqrt(p * (1 - p) / n + z2n / (4 * n));
        // Rounding can push the ends a hair past p or [0,1]; the exact interval contains p and stays inside.
        double lower = Math.max(0, Math.min(p, centre - half));
        double upper = Math.min(1, Math.max(p, centre + half));
        return new Estimate(p, lower, upper);
    }

    /**
     * Percentile bootstrap: draws {@code resamples} resamples of {@code items} with replacement, evaluates
     * {@code statistic} on each and returns the statistic on the full sample with the (1-level)/2 and
     * (1+level)/2 quantiles of the resampled values (linear interpolation between order statistics).
     *
     * <p>Items are resampled as units: pass records to resample records, or lists of records (one list per
     * prompt) to resample prompts when several responses share a prompt. The statistic sees the resample's
     * weights as they are, so a statistic that normalises weights (all of {@link CoverageProfile}) is
     * correct for weighted records. Seeded: pass {@code seeds.stream("bootstrap")}; the same generator
     * state gives the same interval.
     */
    public static <T> Estimate bootstrap(List<T> items, ToDoubleFunction<List<T>> statistic, int resamples,
                                         double level, RandomGenerator rng) {
        if (items.isEmpty()) throw new IllegalArgumentException("bootstrap needs at least one item");
        if (resamples < 2) throw new IllegalArgumentException("bootstrap needs >= 2 resamples, got " + resamples);
        if (!(level > 0 && level < 1)) throw new IllegalArgumentException("level must be in (0,1), got " + level);
        int n = items.size();
        double[] stats = new double[resamples];
        List<T> resample = new ArrayList<>(n);
        for (int b = 0; b < resamples; b++) {
            resample.clear();
            for (int i = 0; i < n; i++) resample.add(items.get(rng.nextInt(n)));
            stats[b] = statistic.applyAsDouble(resample);
            if (Double.isNaN(stats[b])) throw new IllegalArgumentException("statistic is NaN on a resample");
        }
        Arrays.sort(stats);
        double alpha = (1 - level) / 2;
        return new Estimate(statistic.applyAsDouble(items), quantile(stats, alpha), quantile(stats, 1 - alpha));
    }

    /**
     * The q-quantile of sorted values, interpolating linearly between order statistics (Hyndman and Fan's type 7, R's
     * default); equal neighbours (also infinite ones) return themselves.
     */
    public static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        double frac = pos - lo;
        if (frac == 0 || sorted[lo] == sorted[hi]) return sorted[lo];
        return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
    }
}
