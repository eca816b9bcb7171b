package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One cell of a real experiment, run the way a cluster's task runs it ({@link Main#runCell}); and --spark without Spark. */
class RunCellTest {

    @Test void runCellWritesExactlyItsCellAsTheLocalRunDid(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        List<String> argv = List.of("experiment", "linear-samples", "--quick", "--seeds", "1", "--spark", "ignored-by-a-worker");
        assertThat(CliRun.of("experiment", "linear-samples", "--quick", "--seeds", "1", "--out", dir.toString()).exit()).isZero();
        Path cell;
        try (var cells = Files.list(dir.resolve("cells"))) {
            cell = cells.sorted().skip(5).findFirst().orElseThrow();
        }
        String key = cell.getFileName().toString().replace(".csv", "");
        byte[] before = Files.readAllBytes(cell);
        Files.delete(cell);
        FileTime metrics = Files.getLastModifiedTime(dir.resolve("metrics.csv")), results = Files.getLastModifiedTime(dir.resolve("results.json"));

        Main.runCell(argv, dir, key, 1);

        assertThat(Files.readAllBytes(cell)).isEqualTo(before);
        assertThat(Files.getLastModifiedTime(dir.resolve("metrics.csv"))).isEqualTo(metrics);
        assertThat(Files.getLastModifiedTime(dir.resolve("results.json"))).isEqualTo(results);
        assertThatThrownBy(() -> Main.runCell(argv, dir, "no-such-cell", 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has no cell no-such-cell");
    }

    @Test void sparkWithoutTheSparkModuleIsOneLineAndExitCode2(@TempDir Path tmp) {
        CliRun r = CliRun.of("experiment", "linear-samples", "--quick", "--spark", "local[2]", "--out", tmp.resolve("x").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--spark needs covlab's Spark module").doesNotContain("Exception");
        assertThat(tmp.resolve("x")).doesNotExist();
    }
}
