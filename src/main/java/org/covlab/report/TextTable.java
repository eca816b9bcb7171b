package org.covlab.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A table for people: the summary a command prints on stdout, and the same table in the HTML report.
 *
 * <pre>
 * method          H  kl      cov@16
 * --------------  -  ------  ------
 * mle             8  0.0712  0.031
 * </pre>
 *
 * Numbers are shown with {@value #DIGITS} significant digits (integers in full) and right-aligned when the whole
 * column is numeric; {@code null} shows as an empty cell, NaN as {@code NaN}. Machine-readable output belongs in
 * {@link CsvTable} / {@link Json}, not here.
 */
public final class TextTable {

    /** Significant digits shown for non-integer numbers. */
    public static final int DIGITS = 4;

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();
    private final boolean[] textSeen; // per column: a non-number cell was added, so align left
    private int maxWidth;              // 0: lines as long as the cells need

    public TextTable(List<String> header) {
        if (header.isEmpty()) throw new IllegalArgumentException("a table needs at least one column");
        this.header = List.copyOf(header);
        this.textSeen = new boolean[header.size()];
    }

    public static TextTable withHeader(String... columns) {
        return new TextTable(List.of(columns));
    }

    /** Appends a row: one value per column (numbers, strings, booleans, null). */
    public TextTable row(Object... values) {
        if (values.length != header.size()) {
            throw new IllegalArgumentException("row has " + values.length + " values, header " + header + " has " + header.size());
        }
        List<String> r = new ArrayList<>(values.length);
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null && !(values[i] instanceof Number)) textSeen[i] = true;
            r.add(cell(values[i]));
        }
        rows.add(Collections.unmodifiableList(r));
        return this;
    }

    /**
     * Wraps text columns at spaces (the widest first, to no fewer than {@value #MIN_WRAPPED} characters) so that
     * {@link #render} keeps lines within {@code width} characters where it can: for long claims on a terminal.
     */
    public TextTable wrapAt(int width) {
        if (width < 1) throw new IllegalArgumentException("width must be >= 1, got " + width);
        this.maxWidth = width;
        return this;
    }

    /** The narrowest a wrapped column gets. */
    static final int MIN_WRAPPED = 12;

    public List<String> header() {
        return header;
    }

    /** The rows as formatted cells. */
    public List<List<String>> rows() {
        return Collections.unmodifiableList(rows);
    }

    /** Whether column {@code i} holds only numbers (and blanks), so it reads best right-aligned. */
    public boolean numeric(int i) {
        return !textSeen[i];
    }

    /** The aligned text: a header and a rule, then each row (several lines if {@link #wrapAt} wraps it); every line ends in a newline. */
    public String render() {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> r : rows) w[i] = Math.max(w[i], r.get(i).length());
        }
        if (maxWidth > 0) narrow(w);
        StringBuilder sb = new StringBuilder();
        line(sb, header, w);
        List<String> rule = new ArrayList<>();
        for (int width : w) rule.add("-".repeat(width));
        line(sb, rule, w);
        for (List<String> r : rows) line(sb, r, w);
        return sb.toString();
    }

    /** Takes one character at a time from the widest text column until the line fits or none can give more. */
    private void narrow(int[] w) {
        int total = 2 * (w.length - 1);
        for (int x : w) total += x;
        while (total > maxWidth) {
            int widest = -1;
            for (int i = 0; i < w.length; i++) if (textSeen[i] && w[i] > MIN_WRAPPED && (widest < 0 || w[i] > w[widest])) widest = i;
            if (widest < 0) return;
            w[widest]--;
            total--;
        }
    }

    private void line(StringBuilder sb, List<String> cells, int[] w) {
        List<List<String>> parts = new ArrayList<>();
        int height = 1;
        for (int i = 0; i < cells.size(); i++) {
            parts.add(wrap(cells.get(i), w[i]));
            height = Math.max(height, parts.get(i).size());
        }
        for (int k = 0; k < height; k++) {
            StringBuilder ln = new StringBuilder();
            for (int i = 0; i < cells.size(); i++) {
                if (i > 0) ln.append("  ");
                String c = k < parts.get(i).size() ? parts.get(i).get(k) : "";
                String pad = " ".repeat(w[i] - c.length());
                ln.append(numeric(i) ? pad + c : c + pad);
            }
            sb.append(ln.toString().stripTrailing()).append('\n');
        }
    }

    /** {@code text} in lines of at most {@code width}, broken at spaces (a longer word is cut). */
    static List<String> wrap(String text, int width) {
        List<String> out = new ArrayList<>();
        String rest = text;
        while (rest.length() > width) {
            int cut = rest.lastIndexOf(' ', width);
            if (cut <= 0) {
                out.add(rest.substring(0, width));
                rest = rest.substring(width);
            } else {
                out.add(rest.substring(0, cut));
                rest = rest.substring(cut + 1);
            }
        }
        out.add(rest);
        return out;
    }

    @Override public String toString() {
        return render();
    }

    /** How a value is shown: numbers via {@link #number}, null as "", everything else by {@code toString()}. */
    public static String cell(Object v) {
        if (v == null) return "";
        if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) return number(((Number) v).doubleValue());
        return v.toString();
    }

    /**
     * A number for people: integers in full ("128"), else {@value #DIGITS} significant digits ("0.07124",
     * "1.235e-05"), but never dropping integer digits ("1235" for 1234.6).
     */
    public static String number(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        double a = Math.abs(v);
        if (v == Math.rint(v) && a < 1e15) return Long.toString((long) v);
        if (a >= Math.pow(10, DIGITS - 1) && a < 1e15) return Long.toString(Math.round(v)); // 1234.6 -> "1235"
        if (a >= 1e-4 && a < 1e15) return new BigDecimal(v).round(new MathContext(DIGITS)).stripTrailingZeros().toPlainString();
        String s = String.format(Locale.ROOT, "%." + (DIGITS - 1) + "e", v); // e.g. 1.235e-05
        return s.replaceFirst("\\.?0+e", "e");
    }
}
