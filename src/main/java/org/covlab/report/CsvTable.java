package org.covlab.report;

import com.fasterxml.jackson.core.io.NumberOutput;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.covlab.util.AtomicFiles;
import org.covlab.util.InputException;

/**
 * A CSV table with a fixed header, e.g. {@code metrics.csv} with {@code method,H,seed,step,kl,cross_entropy,cov@2}.
 *
 * <p>Format (RFC 4180, with {@code \n} line ends): a field is quoted when it holds a comma, a quote, CR or LF
 * (quotes doubled); a row that is a single empty field is written {@code ""} so that blank lines never carry data.
 * Cells are formatted by {@link #format}:
 * <ul>
 *   <li>{@code double}/{@code float}: shortest digits that parse back to the same value (Schubfach),
 *       e.g. {@code 0.1}, {@code 1.0E23}, {@code -0.0};</li>
 *   <li><b>NaN is written {@code NaN}</b> (a value that was computed and is undefined) and infinities
 *       {@code Infinity}/{@code -Infinity}; Java, Python and pandas all parse these;</li>
 *   <li><b>{@code null} is written as an empty field</b> (a value that was not measured);</li>
 *   <li>integers, booleans, strings and enums as {@code toString()}.</li>
 * </ul>
 * Files are written atomically. {@link #read} parses the same format (CRLF and a UTF-8 BOM are accepted,
 * blank lines are skipped) and reports a bad line as an {@link InputException} naming file, line and field.
 */
public final class CsvTable {

    private final List<String> header;
    private final Map<String, Integer> columnIndex = new HashMap<>();
    private final List<String[]> cells = new ArrayList<>();
    private final List<Long> lines = new ArrayList<>(); // 1-based source line of each row; 0 when built in memory
    private final Path source; // the file this table was read from, or null

    /** A table with exactly these column names, in this order (non-empty, unique). */
    public CsvTable(List<String> header) {
        this(List.copyOf(header), null);
    }

    /** Same as {@code new CsvTable(List.of(columns))}. */
    public static CsvTable withHeader(String... columns) {
        return new CsvTable(List.of(columns));
    }

    private CsvTable(List<String> header, Path source) {
        this.source = source;
        if (header.isEmpty()) throw error(1, null, "header has no columns");
        for (int i = 0; i < header.size(); i++) {
            String c = header.get(i);
            if (c.isEmpty()) throw error(1, null, "column " + (i + 1) + " has an empty name");
            if (columnIndex.put(c, i) != null) throw error(1, c, "column name appears twice in the header");
        }
        this.header = header;
    }

    /** Appends one row: exactly one value per column, each formatted by {@link #format}. */
    public CsvTable addRow(Object... values) {
        if (values.length != header.size()) {
            throw new IllegalArgumentException("row has " + values.length + " values, header " + header + " has " + header.size());
        }
        String[] row = new String[values.length];
        for (int i = 0; i < values.length; i++) row[i] = format(values[i]);
        cells.add(row);
        lines.add(0L);
        return this;
    }

    public List<String> header() {
        return header;
    }

    public int rowCount() {
        return cells.size();
    }

    /** Row {@code i} (0-based), as a view with typed accessors. */
    public Row row(int i) {
        return new Row(i);
    }

    /** All rows, in order. */
    public List<Row> rows() {
        List<Row> rows = new ArrayList<>(cells.size());
        for (int i = 0; i < cells.size(); i++) rows.add(new Row(i));
        return Collections.unmodifiableList(rows);
    }

    /** Fails with an {@link InputException} (line 1, naming the column) unless every column is present. */
    public CsvTable requireColumns(String... columns) {
        for (String c : columns) if (!columnIndex.containsKey(c)) throw error(1, c, "missing column (header is " + String.join(",", header) + ")");
        return this;
    }

    /** One row of the table; accessors name the file, line and column when a cell is not what was asked for. */
    public final class Row {
        private final int index;

        private Row(int index) {
            this.index = index;
        }

        /** 1-based line in the source file where the row starts, or 0 for a table built in memory. */
        public long line() {
            return lines.get(index);
        }

        /** The cell as written (unquoted); "" for an empty field. */
        public String get(String column) {
            Integer c = columnIndex.get(column);
            if (c == null) throw error(line(), column, "no such column (header is " + String.join(",", header) + ")");
            return cells.get(index)[c];
        }

        /** The cell as a double: NaN for an empty field or {@code NaN}; accepts {@code Infinity} and {@code inf}. */
        public double number(String column) {
            String s = get(column);
            switch (s.toLowerCase()) {
                case "", "nan": return Double.NaN;
                case "inf", "+inf", "infinity", "+infinity": return Double.POSITIVE_INFINITY;
                case "-inf", "-infinity": return Double.NEGATIVE_INFINITY;
                default:
                    try {
                        return Double.parseDouble(s);
                    } catch (NumberFormatException e) {
                        throw error(line(), column, "expected a number, got '" + s + "'");
                    }
            }
        }

        /** The cell as a long; an empty or non-integer field is an error. */
        public long integer(String column) {
            String s = get(column);
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw error(line(), column, "expected an integer, got '" + s + "'");
            }
        }
    }

    /** How a value is written into a cell (before quoting); see the class comment. */
    public static String format(Object value) {
        if (value == null) return "";
        if (value instanceof Double d) return formatDouble(d);
        if (value instanceof Float f) {
            return Float.isNaN(f) ? "NaN" : Float.isInfinite(f) ? (f > 0 ? "Infinity" : "-Infinity") : NumberOutput.toString(f, true);
        }
        return value.toString();
    }

    private static String formatDouble(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        return NumberOutput.toString(d, true);
    }

    /** Writes the table to {@code file} atomically (temp file, then rename). */
    public void write(Path file) {
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            writeAll(w);
            w.flush();
        });
    }

    /** The table as CSV text, exactly as {@link #write} puts it in a file. */
    public String toCsv() {
        StringWriter w = new StringWriter();
        try {
            writeAll(w);
        } catch (IOException e) {
            throw new AssertionError(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    private void writeAll(Writer w) throws IOException {
        writeRow(w, header.toArray(String[]::new));
        for (String[] row : cells) writeRow(w, row);
    }

    private static void writeRow(Writer w, String[] row) throws IOException {
        if (row.length == 1 && row[0].isEmpty()) {
            w.write("\"\"\n");
            return;
        }
        for (int i = 0; i < row.length; i++) {
            if (i > 0) w.write(',');
            String s = row[i];
            if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
                w.write('"');
                w.write(s.replace("\"", "\"\""));
                w.write('"');
            } else {
                w.write(s);
            }
        }
        w.write('\n');
    }

    /** Reads a CSV file written by {@link #write} (or any RFC 4180 file with a header line). */
    public static CsvTable read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw InputException.at(file, 0, null, "no such file");
        } catch (IOException e) {
            throw InputException.at(file, 0, null, "cannot read: " + e.getMessage());
        }
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        CsvParser p = new CsvParser(file, text);
        List<String> head = p.next();
        if (head == null) throw InputException.at(file, 0, null, "empty file, expected a header line");
        CsvTable t = new CsvTable(List.copyOf(head), file);
        for (List<String> r = p.next(); r != null; r = p.next()) {
            if (r.size() != head.size()) {
                throw InputException.at(file, p.recordLine, null, "expected " + head.size() + " fields as in the header, found " + r.size());
            }
            t.cells.add(r.toArray(String[]::new));
            t.lines.add(p.recordLine);
        }
        return t;
    }

    private InputException error(long line, String field, String what) {
        return InputException.at(source == null ? Path.of("<csv table>") : source, line, field, what);
    }

    /** RFC 4180 record reader that tracks the line each record starts on. */
    private static final class CsvParser {
        private final Path file;
        private final String s;
        private int pos;
        private long line = 1;
        long recordLine;
        private List<String> header; // known after the first record, to name columns in errors

        CsvParser(Path file, String s) {
            this.file = file;
            this.s = s;
        }

        /** The next record's fields, or null at the end; blank lines are skipped. */
        List<String> next() {
            while (pos < s.length() && (s.charAt(pos) == '\n' || s.charAt(pos) == '\r')) newline();
            if (pos >= s.length()) return null;
            recordLine = line;
            List<String> fields = new ArrayList<>();
            while (true) {
                String field = fieldName(fields.size());
                fields.add(pos < s.length() && s.charAt(pos) == '"' ? quoted(field) : unquoted(field));
                if (pos >= s.length()) return done(fields);
                char c = s.charAt(pos);
                if (c == ',') {
                    pos++;
                } else {
                    newline();
                    return done(fields);
                }
            }
        }

        private List<String> done(List<String> fields) {
            if (header == null) header = fields;
            return fields;
        }

        private String fieldName(int index) {
            return header != null && index < header.size() ? header.get(index) : "#" + (index + 1);
        }

        private String unquoted(String field) {
            int start = pos;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ',' || c == '\n' || c == '\r') break;
                if (c == '"') throw InputException.at(file, line, field, "a quote inside an unquoted field");
                pos++;
            }
            return s.substring(start, pos);
        }

        private String quoted(String field) {
            long startLine = line;
            StringBuilder sb = new StringBuilder();
            pos++; // opening quote
            while (true) {
                if (pos >= s.length()) throw InputException.at(file, startLine, field, "a quoted field is not closed");
                char c = s.charAt(pos++);
                if (c == '"') {
                    if (pos < s.length() && s.charAt(pos) == '"') {
                        sb.append('"');
                        pos++;
                    } else {
                        break;
                    }
                } else {
                    if (c == '\n') line++;
                    sb.append(c);
                }
            }
            if (pos < s.length() && ",\r\n".indexOf(s.charAt(pos)) < 0) {
                throw InputException.at(file, line, field, "unexpected '" + s.charAt(pos) + "' after a closing quote");
            }
            return sb.toString();
        }

        private void newline() {
            if (s.charAt(pos) == '\r' && pos + 1 < s.length() && s.charAt(pos + 1) == '\n') pos++;
            pos++;
            line++;
        }
    }
}
