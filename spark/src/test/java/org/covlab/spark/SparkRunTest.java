package org.covlab.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.covlab.spark.SparkRuns.assertSameCsvs;
import static org.covlab.spark.SparkRuns.covlab;
import static org.covlab.spark.SparkRuns.csvs;
import static org.covlab.spark.SparkRuns.modified;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.covlab.cli.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An experiment's cells on Spark give the run folder of one machine, byte for byte: on {@code local[2]} (with a
 * resume that runs only the missing cells; fig1-selection's three steps), and on a standalone cluster of separate
 * Master, Worker and executor JVMs whose executor is killed once mid-run, in a linear experiment and in the middle of
 * a GPT cell's training (which then resumes from its checkpoint). A cell that fails on every attempt is one line and
 * exit code 4. {@code -Dcovlab.spark.experiment="fig2-horizon --scale demo"} runs another experiment through the
 * cluster's checks (docs/scale-out.md).
 */
class SparkRunTest {
    /** linear-horizon --quick with one seed: 234 cells of about 0.2 s. */
    static final List<String> LINEAR = List.of(System.getProperty("covlab.spark.experiment", "linear-horizon --quick --seeds 1").split(" "));
    /** fig2-horizon at its test size: one cell, the demo's GPT trained for 100 updates with a checkpoint every 25. */
    static final List<String> FIG2 = List.of("fig2-horizon", "--scale", "tiny");
    /** fig1-selection at its test size: two seeds, three steps (train, select, Pass@N check) of two cells each. */
    static final List<String> FIG1 = List.of("fig1-selection", "--scale", "tiny");

    @TempDir static Path tmp;
    private static final Map<List<String>, Path> REFERENCES = new HashMap<>();

    /** The experiment's run on one machine (local threads), made once. */
    static synchronized Path reference(List<String> experiment) {
        return REFERENCES.computeIfAbsent(experiment, e -> {
            Path out = tmp.resolve("one-machine-" + REFERENCES.size());
            assertThat(covlab(e, out)).as("the one-machine run of " + e).isZero();
            return out;
        });
    }

    @AfterEach void clearSparkProperties() {
        System.clearProperty("spark.executor.extraClassPath");
        System.clearProperty("spark.executor.memory");
    }

    @Test void localSparkGivesTheSameRunAndResumesOnlyMissingCells() throws IOException {
        Path out = tmp.resolve("local2");
        assertThat(covlab(LINEAR, out, "--spark", "local[2]")).isZero();
        assertSameCsvs(reference(LINEAR), out);

        List<Path> cells = csvs(out.resolve("cells"));
        List<Path> deleted = List.of(cells.get(0), cells.get(cells.size() / 2), cells.get(cells.size() - 1));
        for (Path p : deleted) Files.delete(out.resolve("cells").resolve(p));
        Map<Path, FileTime> kept = modified(out.resolve("cells"));
        assertThat(covlab(LINEAR, out, "--spark", "local[2]", "--resume")).isZero();
        assertThat(modified(out.resolve("cells"))).containsAllEntriesOf(kept);  // finished cells were not run again
        for (Path p : deleted) assertThat(out.resolve("cells").resolve(p)).exists();
        assertSameCsvs(reference(LINEAR), out);
    }

    /** fig1-selection's steps run as three Spark jobs in order; metrics.csv and selections.csv among the CSVs compared. */
    @Test void fig1SelectionOnLocalSparkGivesTheSameRun() throws IOException {
        Path out = tmp.resolve("fig1-local2");
        assertThat(covlab(FIG1, out, "--spark", "local[2]")).isZero();
        assertThat(csvs(out)).contains(Path.of("metrics.csv"), Path.of("selections.csv"), Path.of("pass_check.csv"));
        assertSameCsvs(reference(FIG1), out);
    }

    /**
     * A cell whose every attempt fails (seed 1's fine-tuning rows no longer reach its newest checkpoint): one line with
     * the cell, the attempts and the cause, exit code 4, the other cells untouched; after the fix the message names,
     * --resume finishes the run as one machine's.
     */
    @Test void aCellThatFailsOnEveryAttemptIsOneLineAndExitCode4AndResumes() throws IOException {
        Path out = SparkRuns.copy(reference(FIG1), tmp.resolve("fig1-failing"));
        Files.delete(out.resolve("cells/train_s1.csv"));
        Path rows = out.resolve("cells/s1/finetune/rows.csv");
        Files.writeString(rows, Files.readAllLines(rows).get(0) + "\n");
        Map<Path, FileTime> kept = modified(out.resolve("cells"));
        kept.remove(Path.of("s1/finetune/rows.csv"));

        SparkRuns.Result r = SparkRuns.covlabWithErr(FIG1, out, "--spark", "local[2,2]", "--resume");  // two attempts per task
        List<String> err = r.err().lines().toList();
        assertThat(r.rc()).as(r.err()).isEqualTo(Main.CELL_FAILED);
        assertThat(err.stream().filter(l -> l.startsWith("covlab: ") && l.contains(" failed on "))).as(r.err()).hasSize(1);
        assertThat(err.get(err.size() - 1)).as("the last line")  // Spark's own log above it has each attempt's stack trace
                .startsWith("covlab: fig1-selection train: cell train_s1 failed on Spark local[2,2] after 2 attempts: IllegalStateException: ")
                .contains(rows + " does not reach the newest checkpoint (step 20); delete " + rows.getParent())
                .endsWith("; finished cells are kept (this step: 1 of 2) in " + out.resolve("cells").toAbsolutePath()
                        + ": fix the cause and run the same command again with --resume");
        assertThat(modified(out.resolve("cells"))).containsAllEntriesOf(kept);

        try (Stream<Path> s = Files.walk(rows.getParent())) {  // what the message says to do
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertThat(covlab(FIG1, out, "--spark", "local[2,2]", "--resume")).isZero();
        assertSameCsvs(reference(FIG1), out);
    }

    @Test void standaloneClusterGivesTheSameRunAfterLosingAnExecutorMidRun() throws Exception {
        try (StandaloneCluster cluster = new StandaloneCluster(tmp.resolve("cluster"), 2)) {
            System.setProperty("spark.executor.extraClassPath", StandaloneCluster.classPath());
            System.setProperty("spark.executor.memory", "1g");
            for (List<String> experiment : List.of(LINEAR, FIG2)) {
                Path out = tmp.resolve("standalone-" + String.join("-", experiment).replaceAll("[^A-Za-z0-9]+", "-"));
                ExecutorKiller killer = new ExecutorKiller(cluster, reference(experiment), out.resolve("cells"));
                long started = cluster.executorsStarted();
                int rc;
                try (killer) {
                    rc = covlab(experiment, out, "--spark", cluster.master);
                }
                assertThat(rc).as(cluster.logs()).isZero();
                assertThat(killer.killed()).as("an executor was killed mid-run").isNotNull();
                assertThat(cluster.executorsStarted()).as("the worker started a new executor after the kill")
                        .isGreaterThanOrEqualTo(started + 2);
                if (killer.gpt()) {  // the retried task went on from a checkpoint past step 0
                    Matcher m = Pattern.compile("resumed from its checkpoint at step (\\d+)").matcher(cluster.executorLogs());
                    assertThat(m.find()).as("an executor's log says where the cell resumed\n" + cluster.executorLogs()).isTrue();
                    System.out.println("test: the retried cell " + m.group());
                    assertThat(Integer.parseInt(m.group(1))).isPositive();
                }
                assertSameCsvs(reference(experiment), out);
            }
        }
    }
}
