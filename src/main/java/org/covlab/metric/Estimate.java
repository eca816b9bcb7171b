package org.covlab.metric;

/**
 * A point estimate with a confidence interval, e.g. Cov_N with its Wilson interval or KL with a bootstrap
 * interval ({@link ConfidenceIntervals}).
 *
 * <p>Wilson intervals always contain the value; a bootstrap percentile interval of a biased statistic may
 * not, so only {@code lower <= upper} is required.
 */
public record Estimate(double value, double lower, double upper) {
    public Estimate {
        if (Double.isNaN(value) || Double.isNaN(lower) || Double.isNaN(upper))
            throw new IllegalArgumentException("estimate has NaN: " + value + " [" + lower + ", " + upper + "]");
        if (lower > upper)
            throw new IllegalArgumentException("interval lower " + lower + " > upper " + upper);
    }

    /** True when x lies in [lower, upper]. */
    public boolean contains(double x) {
        return x >= lower && x <= upper;
    }

    /** upper - lower. */
    public double width() {
        return upper - lower;
    }
}
