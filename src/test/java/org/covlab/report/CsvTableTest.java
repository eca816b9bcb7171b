package org.covlab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import org.covlab.util.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTableTest {

    // ---------------------------------------------------------------- property: write then read gives the values back

    /** Strings that stress quoting: commas, quotes, CR, LF, spaces, non-ASCII (no lone surrogates: not valid UTF-8). */
    private static Arbitrary<String> nastyStrings() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars(",\"\r\n ;\t'x\u00e9\u4e2d").ofMaxLength(8),
                Arbitraries.strings().withCharRange('\u0000', '\uD7FF').ofMaxLength(8));
    }

    /** Mixed cell values: doubles (incl. NaN, +-inf, -0.0, subnormals), floats, longs, ints, booleans, strings, null. */
    private static Arbitrary<Object> cell() {
        return Arbitraries.oneOf(
                Arbitraries.doubles().withSpecialValue(Double.NaN).withSpecialValue(Double.POSITIVE_INFINITY)
                        .withSpecialValue(Double.NEGATIVE_INFINITY).withSpecialValue(-0.0).withSpecialValue(Double.MIN_VALUE)
                        .withSpecialValue(1e23).map(d -> (Object) d),
                Arbitraries.longs().map(l -> (Object) Double.longBitsToDouble(l)), // any bit pattern
                Arbitraries.floats().withSpecialValue(Float.NaN).withSpecialValue(0.1f).map(f -> (Object) f),
                Arbitraries.longs().map(l -> (Object) l),
                Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.of(true, false).map(b -> (Object) b),
                nastyStrings().map(s -> (Object) s),
                Arbitraries.just(null));
    }

    @Provide
    Arbitrary<Tuple2<List<String>, List<List<Object>>>> tables() {
        return Arbitraries.integers().between(1, 5).flatMap(cols -> {
            Arbitrary<List<String>> header = nastyStrings().filter(s -> !s.isEmpty()).list().ofSize(cols).uniqueElements();
            Arbitrary<List<List<Object>>> rows = cell().list().ofSize(cols).list().ofMaxSize(12);
            return header.flatMap(h -> rows.map(r -> Tuple.of(h, r)));
        });
    }

    @Property(tries = 200)
    void writeThenReadGivesEveryValueBack(@ForAll("tables") Tuple2<List<String>, List<List<Object>>> spec) throws IOException {
        Path dir = Files.createTempDirectory("csv");
        try {
            List<String> header = spec.get1();
            CsvTable t = new CsvTable(header);
            for (List<Object> r : spec.get2()) t.addRow(r.toArray());
            Path f = dir.resolve("t.csv");
            t.write(f);
            CsvTable back = CsvTable.read(f);
            assertThat(back.header()).isEqualTo(header);
            assertThat(back.rowCount()).isEqualTo(spec.get2().size());
            for (int i = 0; i < back.rowCount(); i++) {
                for (int c = 0; c < header.size(); c++) {
                    Object v = spec.get2().get(i).get(c);
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
        } finally {
            try (var files = Files.list(dir)) {
                files.forEach(p -> p.toFile().delete());
            }
            Files.delete(dir);
        }
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
