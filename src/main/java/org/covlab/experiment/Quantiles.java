package org.covlab.experiment;

import java.util.Arrays;

/** Order statistics over seeds: the median and the quantile bands the paper plots (Fig. 2: 1/16 and 15/16). */
public final class Quantiles {
    private Quantiles() {}

    /** The q-quantile by linear interpolation between order statistics (NaNs ignored; NaN if none left). */
    public static double of(double[] values, double q) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        double pos = q * (v.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(v.length - 1, lo + 1);
        return v[lo] + (pos - lo) * (v[hi] - v[lo]);
    }

    public static double median(double[] values) {
        return of(values, 0.5);
    }

    /** Mean over the non-NaN values (NaN if none). */
    public static double mean(double[] values) {
        return Arrays.stream(values).filter(d -> !Double.isNaN(d)).average().orElse(Double.NaN);
    }

    /** Least-squares slope of y on x (NaN when x has no spread). */
    public static double slope(double[] x, double[] y) {
        double mx = mean(x), my = mean(y), sxy = 0, sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }
}
