package org.covlab.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.util.Arrays;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.Diamond;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.None;
import org.knowm.xchart.style.markers.Square;
import org.knowm.xchart.style.markers.TriangleDown;
import org.knowm.xchart.style.markers.TriangleUp;

/** The look of covlab's {@link Plot}s, and the workarounds that make XChart 3.8.8 draw them well. */
final class PlotStyle {
    private PlotStyle() {}

    /** matplotlib's "tab10" palette: distinct, familiar, readable on white. */
    static final Color[] TAB10 = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};
    /** Shapes for highlighted points, one per highlight series, none of them the circle of ordinary points. */
    static final Marker[] HIGHLIGHT_MARKERS = {new Diamond(), new TriangleUp(), new TriangleDown(), new Square()};
    static final int BAND_ALPHA = 56; // of 255: a quantile band reads as a tint behind its line
    static final int SCATTER_ALPHA = 190; // overlapping checkpoints stay visible
    static final Color INVISIBLE = new Color(0, 0, 0, 0);
    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);

    static Color withAlpha(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    /** White background, light grid, readable fonts, the legend outside the plot on the right. */
    static void apply(XYStyler st, boolean logX, boolean logY) {
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotBorderVisible(true);
        st.setPlotBorderColor(new Color(0xb0b0b0));
        st.setPlotGridLinesColor(new Color(0xe6e6e6));
        st.setPlotGridLinesStroke(new BasicStroke(1f));
        st.setChartFontColor(new Color(0x222222));
        st.setAxisTickLabelsColor(new Color(0x333333));
        st.setAxisTickMarksColor(new Color(0x888888));
        st.setBaseFont(FONT);
        st.setChartTitleFont(FONT.deriveFont(Font.BOLD, 16f));
        st.setChartTitleBoxVisible(false);
        st.setAxisTitleFont(FONT.deriveFont(14f));
        st.setAxisTickLabelsFont(FONT.deriveFont(12f));
        st.setLegendFont(FONT.deriveFont(12.5f));
        st.setLegendPosition(Styler.LegendPosition.OutsideE);
        st.setLegendBorderColor(Color.WHITE);
        st.setLegendBackgroundColor(Color.WHITE);
        st.setLegendSeriesLineLength(22);
        st.setChartPadding(12);
        st.setPlotMargin(6);
        st.setMarkerSize(7);
        st.setAntiAlias(true);
        st.setXAxisLogarithmic(logX);
        st.setYAxisLogarithmic(logY);
        st.setAxisTicksLineVisible(false);
        st.setToolTipsEnabled(false);
    }

    /**
     * XChart puts x ticks only at data positions when the x values are equally spaced: good for H in {8, 16, 24},
     * odd for 120 iterations (ticks at 50, 450, 850, ...). Past {@code dataTicks} distinct x values, an invisible
     * point between the first two breaks the spacing so that XChart picks round tick values.
     */
    static void niceTicks(XYChart c, int dataTicks) {
        double[] xs = c.getSeriesMap().values().stream().flatMapToDouble(s -> Arrays.stream(s.getXData())).distinct().sorted().toArray();
        if (xs.length <= dataTicks) return;
        XYSeries first = c.getSeriesMap().values().iterator().next();
        XYSeries helper = c.addSeries(" tick helper", new double[] {(xs[0] + xs[1]) / 2}, new double[] {first.getYData()[0]});
        helper.setMarker(new None()).setLineColor(INVISIBLE);
        helper.setShowInLegend(false);
    }

    /** On a log axis, label only powers of ten when the data cover at least two of them; else label 1..9 x 10^k. */
    static boolean spansDecades(XYChart c, boolean x) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (XYSeries s : c.getSeriesMap().values()) {
            for (double v : x ? s.getXData() : s.getYData()) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return lo > 0 && Math.floor(Math.log10(hi)) - Math.ceil(Math.log10(lo)) >= 1;
    }

    /** A larger marker with a white halo, so a highlighted point stands out on top of lines and points. */
    static final class Haloed extends Marker {
        private final Marker shape;

        Haloed(Marker shape) {
            this.shape = shape;
        }

        @Override public void paint(Graphics2D g, double x, double y, int size) {
            Color c = g.getColor();
            g.setColor(Color.WHITE);
            shape.paint(g, x, y, 2 * size + 6);
            g.setColor(c);
            shape.paint(g, x, y, 2 * size);
        }
    }
}
