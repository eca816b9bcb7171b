package org.covlab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.covlab.util.InputException;
import org.covlab.util.Seeded;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(Seeded.class)
class CsvTableTest {

    // ---------------------------------------------------------------- property: write then read gives the values back

    /** Strings that stress quoting: commas, quotes, CR, LF, spaces, non-ASCII (no lone surrogates: not valid UTF-8). */
    private static String nastyString(SplittableRandom rng) {
        boolean quoting = rng.nextBoolean();
        char[] s = new char[Seeded.intIn(rng, 0, 8)];
        for (int i = 0; i < s.length; i++)
            s[i] = quoting ? ",\"\r\n ;\t'x\u00e9\u4e2d".charAt(rng.nextInt(11)) : (char) rng.nextInt(0xD800);
        return new String(s);
    }

    private static <T> T oneOf(SplittableRandom rng, T[] values) { return values[rng.nextInt(values.length)]; }

    private static final Double[] DOUBLES = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0,
            Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, 1e23, 0.1 + 0.2};
    private static final Float[] FLOATS = {Float.NaN, 0.1f, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY};
    private static final Long[] LONGS = {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE};
    private static final Integer[] INTS = {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE};

    /** A mixed cell value: doubles (incl. NaN, +-inf, -0.0, subnormals), floats, longs, ints, booleans, strings, null. */
    private static Object cell(SplittableRandom rng) {
        boolean special = rng.nextInt(4) == 0;
        return switch (rng.nextInt(8)) {
            case 0 -> special ? oneOf(rng, DOUBLES) : (Object) (rng.nextDouble(-1, 1) * Math.pow(10, rng.nextInt(-30, 30)));
            case 1 -> Double.longBitsToDouble(rng.nextLong());  // any bit pattern
            case 2 -> special ? oneOf(rng, FLOATS) : (Object) Float.intBitsToFloat(rng.nextInt());
            case 3 -> special ? oneOf(rng, LONGS) : (Object) rng.nextLong();
            case 4 -> special ? oneOf(rng, INTS) : (Object) rng.nextInt();
            case 5 -> rng.nextBoolean();
            case 6 -> nastyString(rng);
            default -> null;
        };
    }

    static LongStream seeds() { return Seeded.seeds(200); }

    /** A table of 1-5 columns (distinct non-empty names) and 0-12 rows of mixed cells. */
    @ParameterizedTest @MethodSource("seeds")
    void writeThenReadGivesEveryValueBack(long seed, @TempDir Path dir) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        List<String> header = new ArrayList<>();
        for (int cols = Seeded.intIn(rng, 1, 5); header.size() < cols; ) {
            String name = nastyString(rng);
            if (!name.isEmpty() && !header.contains(name)) header.add(name);
        }
        List<Object[]> rows = new ArrayList<>();
        for (int n = Seeded.intIn(rng, 0, 12); rows.size() < n; ) rows.add(header.stream().map(h -> cell(rng)).toArray());
        CsvTable t = new CsvTable(header);
        for (Object[] r : rows) t.addRow(r);
        Path f = dir.resolve("t.csv");
        t.write(f);
        CsvTable back = CsvTable.read(f);
        assertThat(back.header()).isEqualTo(header);
        assertThat(back.rowCount()).isEqualTo(rows.size());
        for (int i = 0; i < back.rowCount(); i++) {
            for (int c = 0; c < header.size(); c++) {
                Object v = rows.get(i)[c];
                CsvTable.Row row = back.row(i);
                String col = header.get(c);
                if (v instanceof Double d) {
                    assertThat(Double.compare(row.number(col), d)).as("double %s read as %s", d, row.get(col)).isZero();
                } else if (v instanceof Float fl) {
                    assertThat(Float.compare((float) row.number(col), fl)).as("float %s read as %s", fl, row.get(col)).isZero();
                } else if (v instanceof Long || v instanceof Integer) {
                    assertThat(row.integer(col)).isEqualTo(((Number) v).longValue());
                } else {
                    assertThat(row.get(col)).isEqualTo(v == null ? "" : v.toString());
                }
            }
        }
        assertThat(Files.readString(f)).isEqualTo(t.toCsv());
    }

    // ---------------------------------------------------------------- known answers

    @Test
    void writesTheExactHeaderAndShortestNumbers() {
        CsvTable t = CsvTable.withHeader("method", "H", "seed", "step", "kl", "cross_entropy", "cov@2");
        t.addRow("normalized-sgd", 16, 3L, 100, 0.1 + 0.2, Double.NaN, null);
        t.addRow("say \"hi\", ok", 8, 0L, 0, 1e23, Double.NEGATIVE_INFINITY, 2e-3);
        assertThat(t.toCsv()).isEqualTo("""
                method,H,seed,step,kl,cross_entropy,cov@2
                normalized-sgd,16,3,100,0.30000000000000004,NaN,
                "say ""hi"", ok",8,0,0,1.0E23,-Infinity,0.002
                """);
    }

    @Test
    void aSingleEmptyFieldIsQuotedSoBlankLinesCarryNoData(@TempDir Path dir) {
        CsvTable t = CsvTable.withHeader("note").addRow("").addRow((Object) null).addRow("x");
        assertThat(t.toCsv()).isEqualTo("note\n\"\"\n\"\"\nx\n");
        Path f = dir.resolve("n.csv");
        t.write(f);
        assertThat(CsvTable.read(f).rows()).extracting(r -> r.get("note")).containsExactly("", "", "x");
    }

    @Test
    void readsCrlfBomBlankLinesAndPythonInfinities(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("py.csv");
        Files.writeString(f, "\uFEFFa,b\r\n1,inf\r\n\r\n\"multi\nline\",-inf\r\n3,nan\r\n");
        CsvTable t = CsvTable.read(f).requireColumns("a", "b");
        assertThat(t.rowCount()).isEqualTo(3);
        assertThat(t.row(0).number("b")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(t.row(1).get("a")).isEqualTo("multi\nline");
        assertThat(t.row(1).number("b")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(t.row(2).number("b")).isNaN();
        assertThat(t.row(1).line()).isEqualTo(4);
        assertThat(t.row(2).line()).isEqualTo(6); // the blank line and the quoted newline count as lines
    }

    @Test
    void badLinesNameFileLineAndField(@TempDir Path dir) throws IOException {
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"a,b\n1,2\n3\n", ":3: expected 2 fields as in the header, found 1"});
        cases.add(new String[] {"a,b\n1,2\n3,4,5\n", ":3: expected 2 fields as in the header, found 3"});
        cases.add(new String[] {"a,b\n1,x\"y\n", ":2: field 'b': a quote inside an unquoted field"});
        cases.add(new String[] {"a,b\n1,\"open\n2,3\n", ":2: field 'b': a quoted field is not closed"});
        cases.add(new String[] {"a,b\n\"q\"z,1\n", ":2: field 'a': unexpected 'z' after a closing quote"});
        cases.add(new String[] {"a,a\n1,2\n", ":1: field 'a': column name appears twice in the header"});
        cases.add(new String[] {"", ": empty file, expected a header line"});
        for (String[] c : cases) {
            Path f = dir.resolve("bad.csv");
            Files.writeString(f, c[0]);
            assertThatThrownBy(() -> CsvTable.read(f)).as(c[0]).isInstanceOf(InputException.class).hasMessage(f + c[1]);
        }
        Path f = dir.resolve("m.csv");
        Files.writeString(f, "method,kl\nmle,0.5\nsgd,abc\n");
        CsvTable t = CsvTable.read(f);
        assertThat(t.row(0).number("kl")).isEqualTo(0.5);
        assertThatThrownBy(() -> t.row(1).number("kl")).hasMessage(f + ":3: field 'kl': expected a number, got 'abc'");
        assertThatThrownBy(() -> t.row(0).integer("kl")).hasMessage(f + ":2: field 'kl': expected an integer, got '0.5'");
        assertThatThrownBy(() -> t.requireColumns("cov@16")).hasMessage(f + ":1: field 'cov@16': missing column (header is method,kl)");
    }

    @Test
    void aRowMustMatchTheHeader() {
        assertThatThrownBy(() -> CsvTable.withHeader("a", "b").addRow(1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFailedWriteLeavesWhatWasThereIntact(@TempDir Path dir) throws IOException {
        Path blocked = dir.resolve("metrics.csv");
        Files.createDirectory(blocked); // a user's folder where the file should go: the rename must fail
        Files.writeString(blocked.resolve("user.txt"), "mine");
        assertThatThrownBy(() -> CsvTable.withHeader("a").addRow(1).write(blocked)).isInstanceOf(UncheckedIOException.class);
        assertThat(Files.readString(blocked.resolve("user.txt"))).isEqualTo("mine");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("metrics.csv"); // no temp left
        }
    }
}
