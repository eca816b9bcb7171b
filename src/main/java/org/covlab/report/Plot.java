package org.covlab.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.covlab.util.AtomicFiles;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.markers.Circle;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.None;

/**
 * A line/scatter chart (XChart, headless) written as {@code name.png} and {@code name.svg} side by side.
 *
 * <pre>{@code
 * Plot.titled("KL at convergence vs horizon").xTitle("H").yTitle("KL (nats)").logX()
 *     .band("mle", h, median, q1_16, q15_16)     // median line with a shaded quantile band
 *     .line("normalized-sgd", h, kl)
 *     .highlight("tournament pick", new double[] {cov}, new double[] {pass})
 *     .write(run.dir(), "kl_vs_H");                // kl_vs_H.png + kl_vs_H.svg
 * }</pre>
 *
 * <p>Points that cannot be drawn are dropped, not fatal: non-finite x or y, and values {@code <= 0} on a log
 * axis (a coverage of exactly 0 on a log-y plot). A series left with no points is omitted, and the
 * legend says "(no data)" when nothing at all remains. Colours follow the matplotlib "tab10" palette in the
 * order series are added, unless {@link #colors} fixes them by name (so one method keeps one colour across
 * panels). Line series with few points (at most {@value #MARKER_POINTS}) get markers. The PNG is rendered at
 * {@value #PNG_SCALE}x the chart size, so it stays sharp on high-DPI screens and in the HTML report.
 */
public final class Plot {

    /** Chart size in points; the PNG has {@code PNG_SCALE} times as many pixels each way. */
    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;
    public static final int PNG_SCALE = 2;
    /** Lines with at most this many points show a marker at each point. */
    public static final int MARKER_POINTS = 30;
    /** Up to this many distinct, equally spaced x values get a tick at each value (XChart's rule); more get round ticks. */
    public static final int DATA_TICKS = 12;


    private enum Kind { BAND, LINE, DASHED, SCATTER, HIGHLIGHT }

    private record Series(Kind kind, String name, double[] x, double[] y, double[] lo, double[] hi) {}

    /** The two files one plot becomes. */
    public record Files(Path png, Path svg) {}

    private final String title;
    private String xTitle = "";
    private String yTitle = "";
    private boolean logX;
    private boolean logY;
    private int width = WIDTH;
    private int height = HEIGHT;
    private final List<String> colorOrder = new ArrayList<>();
    private final List<Series> series = new ArrayList<>();

    private Plot(String title) {
        this.title = title;
    }

    public static Plot titled(String title) {
        return new Plot(title);
    }

    public Plot xTitle(String t) {
        xTitle = t;
        return this;
    }

    public Plot yTitle(String t) {
        yTitle = t;
        return this;
    }

    public Plot logX() {
        logX = true;
        return this;
    }

    public Plot logY() {
        logY = true;
        return this;
    }

    public Plot size(int w, int h) {
        if (w < 200 || h < 150) throw new IllegalArgumentException("plot too small: " + w + "x" + h);
        width = w;
        height = h;
        return this;
    }

    /**
     * Fixes palette colours by series name: the i-th name gets the i-th colour, in every plot that uses this list. A series
     * named "NAME, variant" (e.g. {@code "sgd, TTT"} dashed beside {@code "sgd"}) takes NAME's colour.
     */
    public Plot colors(List<String> seriesNames) {
        colorOrder.clear();
        colorOrder.addAll(seriesNames);
        return this;
    }

    /** A solid line through (x, y). */
    public Plot line(String name, double[] x, double[] y) {
        return add(new Series(Kind.LINE, name, x, check(x, y), null, null));
    }

    /** A dashed line, for references such as a bound or a fitted trend. */
    public Plot dashed(String name, double[] x, double[] y) {
        return add(new Series(Kind.DASHED, name, x, check(x, y), null, null));
    }

    /** A line through (x, mid) over a shaded band from lo to hi, e.g. the median and the 1/16-15/16 quantiles. */
    public Plot band(String name, double[] x, double[] mid, double[] lo, double[] hi) {
        check(x, mid);
        check(x, lo);
        check(x, hi);
        add(new Series(Kind.BAND, name, x, mid, lo, hi));
        return add(new Series(Kind.LINE, name, x, mid, null, null));
    }

    /** Points without lines, e.g. one per checkpoint. */
    public Plot scatter(String name, double[] x, double[] y) {
        return add(new Series(Kind.SCATTER, name, x, check(x, y), null, null));
    }

    /** Emphasised points drawn on top with a large haloed marker, e.g. the checkpoint a method selected. */
    public Plot highlight(String name, double[] x, double[] y) {
        return add(new Series(Kind.HIGHLIGHT, name, x, check(x, y), null, null));
    }

    private Plot add(Series s) {
        series.add(s);
        return this;
    }

    private static double[] check(double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException("x has " + x.length + " points, y has " + y.length);
        return y;
    }

    /** Writes {@code dir/name.png} and {@code dir/name.svg} atomically and returns their paths. */
    public Files write(Path dir, String name) {
        XYChart chart = chart();
        Path png = dir.resolve(name + ".png");
        Path svg = dir.resolve(name + ".svg");
        BufferedImage img = new BufferedImage(width * PNG_SCALE, height * PNG_SCALE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.scale(PNG_SCALE, PNG_SCALE);
        chart.paint(g, width, height);
        g.dispose();
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(img, "png", out)) throw new java.io.IOException("no PNG writer in this JVM");
        });
        AtomicFiles.write(svg, out -> VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG));
        return new Files(png, svg);
    }

    /** The styled XChart chart (bands first, highlights last, so they paint in that order). */
    public XYChart chart() {
        XYChart c = new XYChart(width, height);
        c.setTitle(title);
        c.setXAxisTitle(xTitle);
        c.setYAxisTitle(yTitle);
        PlotStyle.apply(c.getStyler(), logX, logY);
        boolean geometric = logX && geometricX();
        if (geometric) { // log x through a linear axis on log10(x), so XChart ticks every data value (8, 16, 32, ...)
            c.getStyler().setXAxisLogarithmic(false);
            c.setCustomXAxisTickLabelsFormatter(v -> TextTable.number(roundToData(Math.pow(10, v))));
        } else if (!logX) { // XChart's own labels drop the leading zero (".05"); its log axes break with a formatter
            c.setCustomXAxisTickLabelsFormatter(TextTable::number);
        }
        if (!logY) c.setCustomYAxisTickLabelsFormatter(TextTable::number);
        List<String> named = new ArrayList<>(colorOrder);
        int markers = 0;
        int drawn = 0;
        for (Kind kind : Kind.values()) {
            for (Series s : series) {
                if (s.kind != kind) continue;
                String base = s.name.contains(", ") && colorOrder.contains(s.name.substring(0, s.name.indexOf(", ")))
                        ? s.name.substring(0, s.name.indexOf(", ")) : s.name;
                if (!named.contains(base)) named.add(base);
                Color color = PlotStyle.TAB10[named.indexOf(base) % PlotStyle.TAB10.length];
                Marker marker = kind == Kind.HIGHLIGHT ? PlotStyle.HIGHLIGHT_MARKERS[markers++ % PlotStyle.HIGHLIGHT_MARKERS.length] : null;
                if (addTo(c, s, color, marker, geometric)) drawn++;
            }
        }
        if (drawn == 0) { // XChart cannot draw an empty chart: an invisible point and a legend that says why
            XYSeries none = c.addSeries("(no data)", new double[] {1}, new double[] {1});
            none.setMarker(new None()).setLineColor(PlotStyle.INVISIBLE);
        } else {
            PlotStyle.niceTicks(c, DATA_TICKS);
        }
        c.getStyler().setXAxisLogarithmicDecadeOnly(PlotStyle.spansDecades(c, true));
        c.getStyler().setYAxisLogarithmicDecadeOnly(PlotStyle.spansDecades(c, false));
        return c;
    }

    /** Whether the distinct x values are few (at most {@value #DATA_TICKS}) and equally spaced in log, e.g. H = 8..128. */
    private boolean geometricX() {
        double[] xs = distinctX();
        if (xs.length < 2 || xs.length > DATA_TICKS) return false;
        double step = Math.log10(xs[1] / xs[0]);
        for (int i = 2; i < xs.length; i++) if (Math.abs(Math.log10(xs[i] / xs[i - 1]) - step) > 1e-9) return false;
        return true;
    }

    private double[] distinctX() {
        return series.stream().flatMapToDouble(s -> Arrays.stream(s.x)).filter(v -> ok(v, true)).distinct().sorted().toArray();
    }

    /** A tick at 10^v is at a data value up to rounding; show that value exactly (8, not 7.999999999999998). */
    private double roundToData(double v) {
        for (double x : distinctX()) if (Math.abs(x - v) <= 1e-6 * x) return x;
        return v;
    }

    private boolean addTo(XYChart c, Series s, Color color, Marker highlightMarker, boolean log10X) {
        double[][] pts = s.kind == Kind.BAND ? bandPolygon(s) : drawable(s.x, s.y);
        if (log10X) for (int i = 0; i < pts[0].length; i++) pts[0][i] = Math.log10(pts[0][i]);
        if (pts[0].length == 0) return false;
        XYSeries xs = c.addSeries(uniqueKey(c, s.kind == Kind.BAND ? s.name + " (band)" : s.name), pts[0], pts[1]);
        xs.setLabel(s.name);
        switch (s.kind) {
            case BAND -> {
                xs.setXYSeriesRenderStyle(XYSeriesRenderStyle.PolygonArea);
                xs.setFillColor(PlotStyle.withAlpha(color, PlotStyle.BAND_ALPHA));
                xs.setLineColor(PlotStyle.INVISIBLE);
                xs.setMarker(new None());
                xs.setShowInLegend(false);
            }
            case LINE, DASHED -> {
                xs.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
                xs.setLineColor(color);
                xs.setLineStyle(s.kind == Kind.DASHED
                        ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {7f, 5f}, 0f)
                        : new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                xs.setMarker(s.kind == Kind.LINE && pts[0].length <= MARKER_POINTS ? new Circle() : new None());
                xs.setMarkerColor(color);
            }
            case SCATTER -> {
                xs.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
                xs.setMarker(new Circle());
                xs.setMarkerColor(PlotStyle.withAlpha(color, PlotStyle.SCATTER_ALPHA));
            }
            case HIGHLIGHT -> {
                xs.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
                xs.setMarker(new PlotStyle.Haloed(highlightMarker));
                xs.setMarkerColor(color);
            }
        }
        return true;
    }

    /** XChart keys series by name; a line and its band (or a repeated name) need distinct keys. */
    private static String uniqueKey(XYChart c, String key) {
        String k = key;
        for (int i = 2; c.getSeriesMap().containsKey(k); i++) k = key + " #" + i;
        return k;
    }

    /** The points of (x, y) that the axes can show. */
    private double[][] drawable(double[] x, double[] y) {
        double[] px = new double[x.length];
        double[] py = new double[x.length];
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (ok(x[i], logX) && ok(y[i], logY)) {
                px[n] = x[i];
                py[n++] = y[i];
            }
        }
        return new double[][] {Arrays.copyOf(px, n), Arrays.copyOf(py, n)};
    }

    /** The band as one closed polygon: along hi left to right, back along lo right to left. */
    private double[][] bandPolygon(Series s) {
        double[] px = new double[2 * s.x.length];
        double[] py = new double[2 * s.x.length];
        int n = 0;
        for (int i = 0; i < s.x.length; i++) {
            if (ok(s.x[i], logX) && ok(s.lo[i], logY) && ok(s.hi[i], logY)) {
                px[n] = s.x[i];
                py[n++] = s.hi[i];
            }
        }
        for (int i = s.x.length - 1; i >= 0; i--) {
            if (ok(s.x[i], logX) && ok(s.lo[i], logY) && ok(s.hi[i], logY)) {
                px[n] = s.x[i];
                py[n++] = s.lo[i];
            }
        }
        return new double[][] {Arrays.copyOf(px, n), Arrays.copyOf(py, n)};
    }

    private static boolean ok(double v, boolean log) {
        return Double.isFinite(v) && (!log || v > 0);
    }

}
