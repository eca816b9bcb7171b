package org.covlab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.covlab.util.AtomicFiles;
import org.covlab.util.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {

    record Point(String name, int h, double kl, double[] cov, Double optional) {}

    @Test
    void recordsUseComponentNamesAndNonFiniteBecomesNull() {
        String json = Json.toJson(new Point("mle", 16, Double.NaN, new double[] {0.5, Double.POSITIVE_INFINITY}, null));
        assertThat(json).contains("\"name\" : \"mle\"", "\"h\" : 16", "\"kl\" : null", "\"optional\" : null");
        assertThat(json).doesNotContain("NaN", "Infinity");
        assertThat(json).contains("\n  "); // pretty-printed
        assertThat(Json.toJsonLine(Map.of("a", 1))).isEqualTo("{\"a\":1}");
    }

    @Test
    void nanRoundTripsThroughNullAndFiniteValuesAreExact(@TempDir Path dir) {
        Point p = new Point("sgd", 8, Double.NaN, new double[] {Double.NaN, 1e-300, -0.0, 0.1 + 0.2}, 3.5);
        Path f = dir.resolve("p.json");
        Json.writeFile(f, p);
        Point back = Json.readFile(f, Point.class);
        assertThat(back.kl()).isNaN();
        assertThat(back.cov()).hasSize(4);
        assertThat(back.cov()[0]).isNaN();
        for (int i = 1; i < 4; i++) assertThat(Double.doubleToRawLongBits(back.cov()[i])).isEqualTo(Double.doubleToRawLongBits(p.cov()[i]));
        assertThat(back.optional()).isEqualTo(3.5);
    }

    @Test
    void doublesAreWrittenInShortestForm() {
        // JDK 17's Double.toString(1e23) is "9.999999999999999E22"; the Schubfach writer gives the shortest digits.
        assertThat(Json.toJsonLine(List.of(1e23, 0.1, 2e-3))).isEqualTo("[1.0E23,0.1,0.002]");
    }

    @Test
    void instantsAreIsoStrings() {
        assertThat(Json.toJsonLine(List.of(Instant.parse("2026-01-02T03:04:05Z")))).isEqualTo("[\"2026-01-02T03:04:05Z\"]");
    }

    @Test
    void badInputNamesFileLineAndField(@TempDir Path dir) throws IOException {
        Path syntax = dir.resolve("bad.json");
        Files.writeString(syntax, "{\n  \"name\": \"x\",\n  \"h\": 3,,\n}");
        assertThatThrownBy(() -> Json.readFile(syntax, Point.class))
                .isInstanceOf(InputException.class).hasMessageStartingWith(syntax + ":3: ");
        Path type = dir.resolve("type.json");
        Files.writeString(type, "{\"name\": \"x\",\n \"h\": \"sixteen\"}");
        assertThatThrownBy(() -> Json.readFile(type, Point.class))
                .isInstanceOf(InputException.class).hasMessageStartingWith(type + ":2: field 'h': ");
        Path nan = dir.resolve("nan.json");
        Files.writeString(nan, "{\"kl\": NaN}");
        assertThatThrownBy(() -> Json.readTree(nan)).isInstanceOf(InputException.class).hasMessageStartingWith(nan + ":1: ");
        assertThatThrownBy(() -> Json.readTree(dir.resolve("missing.json"))).hasMessageEndingWith("missing.json: no such file");
        assertThatThrownBy(() -> Json.parseLine("{\"cov\": [1, \"a\"]}", Point.class, Path.of("r.jsonl"), 7))
                .isInstanceOf(InputException.class).hasMessageStartingWith("r.jsonl:7: field 'cov': ");
    }

    /** A value whose serialisation fails half-way. */
    public static final class Exploding {
        public String getFirst() { return "fine"; }
        public String getSecond() { throw new IllegalStateException("boom"); }
    }

    @Test
    void failedWritesLeaveTheOldFileIntact(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("results.json");
        Json.writeFile(f, Map.of("kept", true));
        String before = Files.readString(f);
        assertThatThrownBy(() -> Json.writeFile(f, new Exploding())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
            out.write("{\"partial\": ".getBytes());
            throw new IOException("disk full");
        })).hasMessageContaining("disk full");
        assertThat(Files.readString(f)).isEqualTo(before);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("results.json"); // no temp left
        }
        JsonNode n = Json.readTree(f);
        assertThat(n.get("kept").asBoolean()).isTrue();
    }
}
