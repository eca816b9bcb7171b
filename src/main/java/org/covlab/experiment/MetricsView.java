package org.covlab.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.covlab.report.CsvTable;

/**
 * What every experiment report reads off its {@code metrics.csv}: the distinct values of a column, the mean over
 * seeds with a min-max band against an x column, and numbers formatted for claims and tables.
 */
public final class MetricsView {
    private MetricsView() {}

    /** The distinct values of a column: numeric ones sorted by value, text ones (instance, method) in first-seen order. */
    public static List<String> distinct(CsvTable t, String column) {
        List<String> inOrder = new ArrayList<>();
        TreeSet<String> seen = new TreeSet<>();
        boolean numeric = true;
        for (CsvTable.Row r : t.rows()) {
            String v = r.get(column);
            if (seen.add(v)) inOrder.add(v);
            numeric &= isNumber(v);
        }
        if (numeric) inOrder.sort((a, b) -> Double.compare(Double.parseDouble(a), Double.parseDouble(b)));
        return inOrder;
    }

    /**
     * Over the rows that match {@code where}, grouped by the value of column {@code x} (ascending): {x, mean of y,
     * min of y, max of y}, i.e. the mean over seeds and its band. NaN values are ignored. // (4, distinct x)
     */
    public static double[][] band(CsvTable t, Predicate<CsvTable.Row> where, String x, String y) {
        return grouped(t, where, x, r -> r.number(y), Quantiles::mean, 0, 1);
    }

    /**
     * Over the rows that match {@code where}, grouped by the value of column {@code x} (ascending): {x, median of y,
     * lo-quantile, hi-quantile}, e.g. the paper's median over seeds shaded between the 1/16 and 15/16 quantiles
     * (Fig. 2). NaN values are ignored. // (4, distinct x)
     */
    public static double[][] quantileBand(CsvTable t, Predicate<CsvTable.Row> where, String x, ToDoubleFunction<CsvTable.Row> y,
                                          double lo, double hi) {
        return grouped(t, where, x, y, Quantiles::median, lo, hi);
    }

    /** {x, center of y, lo-quantile, hi-quantile} over the matching rows grouped by x (ascending). // (4, distinct x) */
    private static double[][] grouped(CsvTable t, Predicate<CsvTable.Row> where, String x, ToDoubleFunction<CsvTable.Row> y,
                                      ToDoubleFunction<double[]> center, double lo, double hi) {
        Map<Double, List<Double>> byX = new TreeMap<>();
        for (CsvTable.Row r : t.rows()) if (where.test(r)) byX.computeIfAbsent(r.number(x), k -> new ArrayList<>()).add(y.applyAsDouble(r));
        double[][] c = new double[4][byX.size()];
        int i = 0;
        for (var e : byX.entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).toArray();
            c[0][i] = e.getKey();
            c[1][i] = center.applyAsDouble(v);
            c[2][i] = Quantiles.of(v, lo);
            c[3][i++] = Quantiles.of(v, hi);
        }
        return c;
    }

    /** Three significant digits (no exponent below 100), "n/a" for NaN. */
    public static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException | NullPointerException e) {
            return false;
        }
    }
}
