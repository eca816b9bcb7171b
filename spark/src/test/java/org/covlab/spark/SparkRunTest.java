package org.covlab.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.covlab.cli.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An experiment's cells on Spark give the run folder of one machine, byte for byte: on {@code local[2]} (with a
 * resume that runs only the missing cells) and on a standalone cluster of separate Master, Worker and executor JVMs
 * whose executor is killed once mid-run. {@code -Dcovlab.spark.experiment="fig2-horizon --scale demo"} runs another
 * experiment through the same checks (docs/scale-out.md).
 */
class SparkRunTest {
    /** linear-horizon --quick with one seed: 234 cells of about 0.2 s. */
    static final List<String> EXPERIMENT = List.of(System.getProperty("covlab.spark.experiment",
            "linear-horizon --quick --seeds 1").split(" "));

    @TempDir static Path tmp;
    static Path reference;

    @BeforeAll static void runOnOneMachine() {
        reference = tmp.resolve("one-machine");
        assertThat(covlab(reference)).isZero();
    }

    @AfterEach void clearSparkProperties() {
        System.clearProperty("spark.executor.extraClassPath");
        System.clearProperty("spark.executor.memory");
    }

    @Test void localSparkGivesTheSameRunAndResumesOnlyMissingCells() throws IOException {
        Path out = tmp.resolve("local2");
        assertThat(covlab(out, "--spark", "local[2]")).isZero();
        assertSameCsvs(reference, out);

        List<Path> cells = csvs(out.resolve("cells"));
        List<Path> deleted = List.of(cells.get(0), cells.get(cells.size() / 2), cells.get(cells.size() - 1));
        for (Path p : deleted) Files.delete(out.resolve("cells").resolve(p));
        Map<Path, FileTime> kept = modified(out.resolve("cells"));
        assertThat(covlab(out, "--spark", "local[2]", "--resume")).isZero();
        assertThat(modified(out.resolve("cells"))).containsAllEntriesOf(kept);  // finished cells were not run again
        for (Path p : deleted) assertThat(out.resolve("cells").resolve(p)).exists();
        assertSameCsvs(reference, out);
    }

    @Test void standaloneClusterGivesTheSameRunAfterLosingAnExecutorMidRun() throws Exception {
        Path out = tmp.resolve("standalone");
        try (StandaloneCluster cluster = new StandaloneCluster(tmp.resolve("cluster"), 2)) {
            System.setProperty("spark.executor.extraClassPath", StandaloneCluster.classPath());
            System.setProperty("spark.executor.memory", "1g");
            AtomicBoolean killed = new AtomicBoolean();
            Thread killer = new Thread(() -> killOnceMidRun(cluster, out.resolve("cells"), killed), "executor-killer");
            killer.setDaemon(true);
            killer.start();
            int rc = covlab(out, "--spark", cluster.master);
            killer.interrupt();
            assertThat(rc).as(cluster.logs()).isZero();
            assertThat(killed).as("an executor was killed mid-run").isTrue();
            assertThat(cluster.executorsStarted()).as("the worker started a new executor after the kill").isGreaterThanOrEqualTo(2);
            assertSameCsvs(reference, out);
        }
    }

    /**
     * Kills the worker's executor once mid-run: when a tenth of the cells are written, or, for an experiment whose
     * cells train a GPT (cells/KEY/ folders), when a cell has a checkpoint past step 0 to resume from.
     */
    private static void killOnceMidRun(StandaloneCluster cluster, Path cells, AtomicBoolean killed) {
        try {
            int total = cellFiles(reference.resolve("cells")).size();
            boolean gpt = checkpoints(reference.resolve("cells")).size() > 0;
            while (!Thread.currentThread().isInterrupted()) {
                List<ProcessHandle> executors = cluster.executors();
                boolean midRun = Files.isDirectory(cells) && (gpt
                        ? checkpoints(cells).stream().anyMatch(c -> Integer.parseInt(c.substring(c.lastIndexOf("step-") + 5)) > 0)
                        : cellFiles(cells).size() >= Math.max(1, total / 10));
                if (!executors.isEmpty() && midRun) {
                    executors.forEach(ProcessHandle::destroyForcibly);
                    killed.set(true);
                    System.err.println("test: killed executor(s) " + executors.stream().map(ProcessHandle::pid).toList() + " with "
                            + cellFiles(cells).size() + " of " + total + " cells written; checkpoints then: " + checkpoints(cells));
                    return;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException | IOException e) {
            // the run ended first: the assertion on 'killed' reports it
        }
    }

    /** The finished cells' files, cells/KEY.csv. */
    private static List<Path> cellFiles(Path cells) throws IOException {
        try (Stream<Path> s = Files.list(cells)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".csv") && !p.getFileName().toString().startsWith(".")).toList();
        }
    }

    /** The GPT cells' checkpoint folders (cells/KEY/checkpoints/step-N), to show where a killed cell resumes. */
    private static List<String> checkpoints(Path cells) throws IOException {
        try (Stream<Path> s = Files.walk(cells)) {
            return s.filter(p -> p.getFileName().toString().startsWith("step-")).map(p -> cells.relativize(p).toString()).sorted().toList();
        }
    }

    static int covlab(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("experiment"));
        args.addAll(EXPERIMENT);
        args.addAll(List.of("--out", out.toString()));
        args.addAll(Arrays.asList(more));
        return Main.run(args.toArray(String[]::new));
    }

    /** Every CSV of the run folder (cells/*.csv, metrics.csv, ...) is byte-identical; prints how many it compared. */
    static void assertSameCsvs(Path expected, Path actual) throws IOException {
        List<Path> files = csvs(expected);
        assertThat(csvs(actual)).as("the CSV files of " + actual).isEqualTo(files);
        int differ = 0;
        String first = "";
        for (Path f : files) {
            List<String> a = Files.readAllLines(expected.resolve(f)), b = Files.readAllLines(actual.resolve(f));
            if (Arrays.equals(Files.readAllBytes(expected.resolve(f)), Files.readAllBytes(actual.resolve(f)))) continue;
            differ++;
            for (int i = 0; i < Math.max(a.size(), b.size()) && first.isEmpty(); i++) {
                String x = i < a.size() ? a.get(i) : "<none>", y = i < b.size() ? b.get(i) : "<none>";
                if (!x.equals(y)) first = f + " line " + (i + 1) + ": one machine '" + x + "', Spark '" + y + "'";
            }
        }
        System.out.println("compared " + files.size() + " CSV files of " + actual.getFileName() + " with one machine's: " + differ + " differ");
        assertThat(differ).as(first).isZero();
    }

    /** The CSV files under {@code dir}, relative to it, sorted. */
    static List<Path> csvs(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".csv") && !p.getFileName().toString().startsWith("."))
                    .map(dir::relativize).sorted().toList();
        }
    }

    private static Map<Path, FileTime> modified(Path dir) throws IOException {
        Map<Path, FileTime> m = new LinkedHashMap<>();
        for (Path p : csvs(dir)) m.put(p, Files.getLastModifiedTime(dir.resolve(p)));
        return m;
    }
}
