package org.covlab.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.covlab.report.CsvTable;
import org.covlab.report.Progress;
import org.covlab.report.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seam a cluster uses: the driver hands the unfinished cells' keys to a {@link CellCluster}; each key runs as a
 * worker that replays the experiment up to its cell. A two-step experiment (the second step reads the first's rows,
 * as fig1-selection's do) gives the same tables this way as on local threads.
 */
class CellClusterTest {
    static final List<String> HEADER = List.of("key", "value", "threads");

    /** Step one: cells a0..a3 with value i^2; step two: cells b0..b3 with the sum of step one plus i. */
    static CsvTable experiment(RunFolder run) {
        List<CellRunner.Cell> first = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int f = i;
            first.add(new CellRunner.Cell("a" + i, () -> List.<Object[]>of(new Object[] {"a" + f, f * f, CellRunner.threadsPerCell(8, 4)})));
        }
        CsvTable a = CellRunner.run(run, "one", HEADER, 2, first);
        long sum = a.rows().stream().mapToLong(r -> r.integer("value")).sum();
        List<CellRunner.Cell> second = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int f = i;
            second.add(new CellRunner.Cell("b" + i, () -> List.<Object[]>of(new Object[] {"b" + f, sum + f, 1})));
        }
        return CellRunner.run(run, "two", HEADER, 2, second);
    }

    /** A cluster in this JVM: each key replays the experiment as a worker with 3 threads, and is recorded. */
    static final class Replay implements CellCluster {
        final List<List<String>> calls = new ArrayList<>();
        private final Function<RunFolder, CsvTable> experiment;

        Replay(Function<RunFolder, CsvTable> experiment) { this.experiment = experiment; }

        @Override public void run(Path dir, List<String> keys, Progress progress) {
            calls.add(keys);
            for (String key : keys) {
                try (CellRunner.Scope w = CellRunner.worker(key, 3)) {
                    experiment.apply(open(dir, true));
                    throw new AssertionError("the replay of cell " + key + " did not stop after it");
                } catch (CellRunner.CellDone done) {
                    progress.step();
                }
            }
        }

        @Override public void close() {}
    }

    @Test void aClusterRunsEveryCellOnceAndGivesTheLocalTables(@TempDir Path tmp) {
        CsvTable local = experiment(open(tmp.resolve("local"), false));
        Replay cluster = new Replay(CellClusterTest::experiment);
        CsvTable remote;
        try (CellRunner.Scope s = CellRunner.using(cluster)) {
            remote = experiment(open(tmp.resolve("cluster"), false));
        }
        assertThat(cluster.calls).containsExactly(List.of("a0", "a1", "a2", "a3"), List.of("b0", "b1", "b2", "b3"));
        assertThat(column(remote, "value")).isEqualTo(column(local, "value")).containsExactly("14", "15", "16", "17");
        assertThat(CsvTable.read(tmp.resolve("local/cells/a0.csv")).row(0).get("threads")).isEqualTo("2");   // 8 threads over 4 cells
        assertThat(CsvTable.read(tmp.resolve("cluster/cells/a0.csv")).row(0).get("threads")).isEqualTo("3"); // a worker's own
    }

    @Test void aResumedRunHandsTheClusterOnlyUnfinishedCells(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        experiment(open(dir, false));
        Files.delete(dir.resolve("cells/b2.csv"));
        Replay cluster = new Replay(CellClusterTest::experiment);
        try (CellRunner.Scope s = CellRunner.using(cluster)) {
            assertThat(column(experiment(open(dir, true)), "value")).containsExactly("14", "15", "16", "17");
        }
        assertThat(cluster.calls).containsExactly(List.of("b2"));
    }

    @Test void aWorkerRefusesToRunAnEarlierStepsCellsItself(@TempDir Path tmp) {
        RunFolder run = open(tmp.resolve("run"), false);
        try (CellRunner.Scope w = CellRunner.worker("b1", 1)) {
            assertThatThrownBy(() -> experiment(run)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cell a0 has no finished").hasMessageContaining("cell b1 comes after it");
        }
    }

    /** The run folder as ExperimentRun opens it: with its config.json. */
    static RunFolder open(Path dir, boolean resume) {
        RunFolder run = RunFolder.open("cells-test", 1, dir, resume);
        run.writeConfig(List.of("two steps"));
        return run;
    }

    private static List<String> column(CsvTable t, String name) {
        return t.rows().stream().map(r -> r.get(name)).toList();
    }
}
