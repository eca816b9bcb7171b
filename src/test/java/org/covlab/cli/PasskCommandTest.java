package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasskCommandTest {
    @TempDir Path dir;

    private Path file(String... lines) throws IOException {
        Path f = dir.resolve("samples.jsonl");
        Files.write(f, List.of(lines));
        return f;
    }

    /** Runs passk on the lines and expects exit 2 with exactly one stderr line; returns it with the path as F. */
    private String badInput(String k, String... lines) throws IOException {
        Path f = file(lines);
        CliRun r = CliRun.of("passk", "--samples", f.toString(), "--k", k, "--json");
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).hasSize(1);
        return r.err().strip().replace(f.toString(), "F");
    }

    @Test void jsonHasOneKeyPerKWithNullWhereKExceedsN() throws IOException {
        Path f = file("{\"task_id\": \"a\", \"correct\": true}", "{\"task_id\": \"a\", \"correct\": false}",
                "{\"task_id\": \"b\", \"n\": 4, \"c\": 0}", "", "{\"task_id\": \"a\", \"n\": 2, \"c\": 1}",
                "{\"task_id\": \"c\", \"n\": 3, \"c\": 3}");
        CliRun r = CliRun.of("passk", "--samples", f.toString(), "--k", "1,2,4", "--json");
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.fieldNames()).toIterable().containsExactly("pass@1", "pass@2", "pass@4");
        // a: n = 4, c = 2; b: n = 4, c = 0; c: n = 3, c = 3.
        assertThat(json.get("pass@1").doubleValue()).isCloseTo((0.5 + 0 + 1) / 3, within(1e-15));
        assertThat(json.get("pass@2").doubleValue()).isCloseTo((1 - 1.0 / 6 + 0 + 1) / 3, within(1e-15));
        assertThat(json.get("pass@4").isNull()).isTrue();
        assertThat(r.err()).contains("warning: pass@4 is undefined").contains("1 of 3 tasks");
    }

    @Test void tableShowsTheTaskCount() throws IOException {
        Path f = file("{\"task_id\": \"a\", \"n\": 10, \"c\": 3}", "{\"task_id\": \"b\", \"n\": 10, \"c\": 0}");
        CliRun r = CliRun.of("passk", "--samples", f.toString(), "--k", "1,20");
        assertThat(r.exit()).isEqualTo(0);
        assertThat(r.out()).contains("n_tasks  2").containsPattern("(?m)^1 +0\\.1500$").containsPattern("(?m)^20 +null");
    }

    @Test void badInputIsOneLineNamingFileLineAndField() throws IOException {
        String ok = "{\"task_id\": \"a\", \"n\": 3, \"c\": 1}";
        assertThat(badInput("1", ok, "{\"task_id\": \"a\", \"n\": 3, \"c\": 5}"))
                .isEqualTo("covlab: F:2: field 'c': c = 5 correct exceeds n = 3 samples");
        assertThat(badInput("1", ok, "{\"task_id\": \"a\", \"n\": 3 \"c\": 1}")).startsWith("covlab: F:2: malformed JSON");
        assertThat(badInput("1", "{\"task_id\": \"a\", \"n\": NaN, \"c\": 1}"))
                .isEqualTo("covlab: F:1: field 'n': must be an integer, got number NaN");
        assertThat(badInput("1", "{\"n\": 3, \"c\": 1}")).isEqualTo("covlab: F:1: field 'task_id': is missing");
        assertThat(badInput("1", "{\"task_id\": \"a\", \"correct\": \"yes\"}"))
                .isEqualTo("covlab: F:1: field 'correct': must be true or false, got string \"yes\"");
        assertThat(badInput("1", "{\"task_id\": \"a\", \"correct\": true, \"n\": 1}"))
                .isEqualTo("covlab: F:1: field 'correct': give either 'correct' or 'n' and 'c', not both");
        assertThat(badInput("1", "{\"task_id\": \"a\"}"))
                .isEqualTo("covlab: F:1: field 'correct': is missing (give 'correct', or 'n' and 'c')");
        assertThat(badInput("1", "{\"task_id\": \"a\", \"n\": -1, \"c\": 0}")).isEqualTo("covlab: F:1: field 'n': must be >= 0, got -1");
        assertThat(badInput("1", "")).isEqualTo("covlab: F: no samples");
        assertThat(badInput("0,1", ok)).isEqualTo("covlab: option '--k': k must be >= 1, got 0");
    }

    @Test void missingFileAndBadOptionsExitWithTwo() {
        Path missing = dir.resolve("none.jsonl");
        CliRun r = CliRun.of("passk", "--samples", missing.toString(), "--k", "1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("covlab: " + missing + ": no such file");
        assertThat(CliRun.of("passk", "--samples", missing.toString(), "--k", "one").exit()).isEqualTo(2);
        assertThat(CliRun.of("passk", "--k", "1").exit()).isEqualTo(2);
    }

    @Test void helpEndsInExamples() {
        CliRun r = CliRun.of("passk", "--help");
        assertThat(r.exit()).isEqualTo(0);
        assertThat(r.out().strip()).endsWith("./covlab passk --samples examples/samples.jsonl --k 1,10 --json");
    }
}
