package org.covlab.metric;

/** Log-space arithmetic the metrics share. */
public final class LogMath {
    private LogMath() {}

    private static final double LN_HALF = -Math.log(2);

    /** log(e^a + e^b) without overflow or underflow; -infinity + -infinity = -infinity. */
    public static double logAddExp(double a, double b) {
        double max = Math.max(a, b);
        if (max == Double.NEGATIVE_INFINITY) return max;
        return max + Math.log1p(Math.exp(Math.min(a, b) - max));
    }

    /**
     * log(1 - e^a) for a <= 0, accurate everywhere (Maechler 2012): log(-expm1(a)) near 0, log1p(-e^a)
     * below log 1/2.
     */
    static double log1mExp(double a) {
        return a > LN_HALF ? Math.log(-Math.expm1(a)) : Math.log1p(-Math.exp(a));
    }
}
