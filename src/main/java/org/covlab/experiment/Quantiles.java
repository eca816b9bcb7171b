package org.covlab.experiment;

import java.util.Arrays;
import java.util.Collection;
import org.covlab.metric.ConfidenceIntervals;

/** Order statistics over seeds: the median and the quantile bands the paper plots (Fig. 2: 1/16 and 15/16). */
public final class Quantiles {
    private Quantiles() {}

    /** The q-quantile, {@link ConfidenceIntervals#quantile} (type 7) of the values without NaNs; NaN if none left. */
    public static double of(double[] values, double q) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        return v.length == 0 ? Double.NaN : ConfidenceIntervals.quantile(v, q);
    }

    public static double median(double[] values) {
        return of(values, 0.5);
    }

    /** max - min of the values (0 if none): how far apart, e.g., the final Cov_16 of several H are. */
    public static double spread(Collection<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(0) - values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
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

    /** Pearson's correlation of x and y (NaN when either has no spread). */
    public static double pearson(double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException(x.length + " x values, " + y.length + " y values");
        double mx = mean(x), my = mean(y), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }

    /** Spearman's rank correlation: Pearson's on the ranks, tied values sharing their average rank. */
    public static double spearman(double[] x, double[] y) {
        return pearson(ranks(x), ranks(y));
    }

    /** 1-based ranks, ties averaged: ranks({10, 20, 20, 5}) = {2, 3.5, 3.5, 1}. */
    static double[] ranks(double[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; ) {
            int j = i;
            while (j + 1 < v.length && Double.compare(v[order[j + 1]], v[order[i]]) == 0) j++;
            for (int k = i; k <= j; k++) r[order[k]] = (i + j) / 2.0 + 1;
            i = j + 1;
        }
        return r;
    }
}
