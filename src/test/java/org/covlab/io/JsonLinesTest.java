package org.covlab.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.covlab.util.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesTest {
    @TempDir Path dir;

    private Path file(String text) throws IOException {
        Path f = dir.resolve("in.jsonl");
        Files.writeString(f, text);
        return f;
    }

    /** The message of reading {@code text} and applying {@code use} to every line. */
    private String error(String text, Consumer<JsonLine> use) throws IOException {
        Path f = file(text);
        try {
            JsonLines.forEach(f, use);
        } catch (InputException e) {
            return e.getMessage().replace(f.toString(), "F");
        }
        throw new AssertionError("no error for " + text);
    }

    @Test void readsObjectsWithTheirLineNumbersSkippingBlankLines() throws IOException {
        Path f = file("\uFEFF{\"a\": 1, \"s\": \"x\", \"b\": true}\r\n\n   \n{\"a\": -2.5e-3, \"extra\": [1]}\n");
        List<JsonLine> lines = JsonLines.read(f, l -> l);
        assertThat(lines).extracting(JsonLine::number).containsExactly(1L, 4L);
        JsonLine first = lines.get(0);
        assertThat(first.integer("a")).isEqualTo(1);
        assertThat(first.string("s")).isEqualTo("x");
        assertThat(first.bool("b")).isTrue();
        assertThat(first.string("t", "dflt")).isEqualTo("dflt");
        assertThat(lines.get(1).number("a")).isEqualTo(-2.5e-3);
        assertThat(lines.get(1).logProb("a")).isEqualTo(-2.5e-3);
        assertThat(lines.get(1).number("missing", 7)).isEqualTo(7.0);
    }

    @Test void linesLongerThanTheReadBufferAndUtf8() throws IOException {
        String big = "x".repeat(200_000);
        Path f = file("{\"a\": 1}\n{\"s\": \"" + big + "\"}\n{\"s\": \"caf\u00e9 \u2713\"}");
        List<JsonLine> lines = JsonLines.read(f, l -> l);
        assertThat(lines).extracting(JsonLine::number).containsExactly(1L, 2L, 3L);
        assertThat(lines.get(1).string("s")).isEqualTo(big);
        assertThat(lines.get(2).string("s")).isEqualTo("caf\u00e9 \u2713");
    }

    @Test void malformedJsonNamesTheLine() throws IOException {
        assertThat(error("{\"a\": 1}\n{\"a\": 1,}\n", l -> {}))
                .startsWith("F:2: malformed JSON at column 9: ");
        assertThat(error("{\"a\": 1} {\"a\": 2}\n", l -> {})).startsWith("F:1: malformed JSON");
        assertThat(error("{\"a\": 1, \"a\": 2}\n", l -> {})).startsWith("F:1: malformed JSON").contains("Duplicate field 'a'");
        assertThat(error("[1, 2]\n", l -> {})).isEqualTo("F:1: expected a JSON object, got array");
        assertThat(error("\n\n42\n", l -> {})).isEqualTo("F:3: expected a JSON object, got number 42");
    }

    @Test void badNumbersNameTheField() throws IOException {
        Consumer<JsonLine> x = l -> l.number("x");
        assertThat(error("{\"x\": NaN}", x)).isEqualTo("F:1: field 'x': must be a finite number, got NaN");
        assertThat(error("{\"x\": -Infinity}", x)).isEqualTo("F:1: field 'x': must be a finite number, got -Infinity");
        assertThat(error("{\"x\": 1e400}", x)).isEqualTo("F:1: field 'x': must be a finite number, got Infinity");
        assertThat(error("{\"x\": \"1.5\"}", x)).isEqualTo("F:1: field 'x': must be a number, got string \"1.5\"");
        assertThat(error("{\"y\": 1}", x)).isEqualTo("F:1: field 'x': is missing");
        assertThat(error("{\"x\": null}", x)).isEqualTo("F:1: field 'x': is missing");
        assertThat(error("{\"x\": 0.5}", l -> l.logProb("x")))
                .isEqualTo("F:1: field 'x': a log-probability must be <= 0, got 0.5");
    }

    @Test void zeroMassLogProbsAndNames() throws IOException {
        JsonLine l = JsonLines.read(file("{\"p\": -Infinity, \"q\": -0.5, \"id\": 17, \"c\": \"a\"}"), x -> x).get(0);
        assertThat(l.logProbOrZeroMass("p")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(l.logProbOrZeroMass("q")).isEqualTo(-0.5);
        assertThat(l.name("id")).isEqualTo("17");
        assertThat(l.name("c")).isEqualTo("a");
        assertThat(error("{\"p\": Infinity}", x -> x.logProbOrZeroMass("p"))).isEqualTo("F:1: field 'p': must be a finite number, got Infinity");
        assertThat(error("{\"p\": \"-1\"}", x -> x.logProbOrZeroMass("p"))).isEqualTo("F:1: field 'p': must be a number, got string \"-1\"");
        assertThat(error("{\"id\": 1.5}", x -> x.name("id"))).isEqualTo("F:1: field 'id': must be a string (or an integer), got number 1.5");
    }

    @Test void badTypesNameTheField() throws IOException {
        assertThat(error("{\"n\": 20.0}", l -> l.integer("n"))).isEqualTo("F:1: field 'n': must be an integer, got number 20.0");
        assertThat(error("{\"n\": 99999999999999999999}", l -> l.integer("n")))
                .isEqualTo("F:1: field 'n': is out of range: 99999999999999999999");
        assertThat(error("{\"b\": \"true\"}", l -> l.bool("b"))).isEqualTo("F:1: field 'b': must be true or false, got string \"true\"");
        assertThat(error("{\"s\": 3}", l -> l.string("s"))).isEqualTo("F:1: field 's': must be a string, got number 3");
        assertThat(error("{\"s\": {}}", l -> l.string("s", "d"))).isEqualTo("F:1: field 's': must be a string, got object");
    }

    @Test void unreadableFiles() throws IOException {
        Path missing = dir.resolve("nope.jsonl");
        assertThatThrownBy(() -> JsonLines.forEach(missing, l -> {})).isInstanceOf(InputException.class)
                .hasMessage(missing + ": no such file");
        Path latin1 = dir.resolve("latin1.jsonl");
        Files.write(latin1, "{\"a\": 1}\n{\"s\": \"caf\u00e9\"}\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> JsonLines.forEach(latin1, l -> {})).hasMessage(latin1 + ":2: not valid UTF-8 text");
        assertThatThrownBy(() -> JsonLines.forEach(dir, l -> {})).isInstanceOf(InputException.class)
                .hasMessageStartingWith(dir + ": cannot read");
    }
}
