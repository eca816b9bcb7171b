package org.covlab.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Kills the standalone cluster's executor once mid-run, from a thread that watches the run folder: when a tenth of
 * the cells are written, or, for an experiment whose cells train a GPT (cells/KEY/checkpoints/step-N, as in the
 * reference run), when a cell that is not finished has a checkpoint past step 0 to resume from.
 */
final class ExecutorKiller implements AutoCloseable {
    private final StandaloneCluster cluster;
    private final Path cells;
    private final int total;
    private final boolean gpt;
    private final Thread thread;
    private volatile String killed;

    ExecutorKiller(StandaloneCluster cluster, Path reference, Path cells) throws IOException {
        this.cluster = cluster;
        this.cells = cells;
        this.total = cellFiles(reference.resolve("cells")).size();
        this.gpt = !checkpoints(reference.resolve("cells")).isEmpty();
        thread = new Thread(this::killOnce, "executor-killer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether the experiment's cells train a GPT. */
    boolean gpt() { return gpt; }

    /** What the run folder held when the executor was killed; null if it was not. */
    String killed() { return killed; }

    private void killOnce() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                List<ProcessHandle> executors = cluster.executors();
                Optional<String> midRun = Files.isDirectory(cells) ? midRun() : Optional.empty();
                if (!executors.isEmpty() && midRun.isPresent()) {
                    executors.forEach(ProcessHandle::destroyForcibly);
                    killed = midRun.get();
                    System.err.println("test: killed executor(s) " + executors.stream().map(ProcessHandle::pid).toList() + " with " + killed);
                    return;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException | IOException e) {
            // the run ended first: killed() stays null
        }
    }

    /** What makes now mid-run: a tenth of the cells written, or an unfinished GPT cell's checkpoint past step 0. */
    private Optional<String> midRun() throws IOException {
        List<Path> written = cellFiles(cells);
        if (!gpt) return written.size() >= Math.max(1, total / 10) ? Optional.of(written.size() + " of " + total + " cells written") : Optional.empty();
        return checkpoints(cells).stream()
                .filter(c -> Integer.parseInt(c.substring(c.lastIndexOf("step-") + 5)) > 0)
                .filter(c -> !Files.exists(cells.resolve(c.substring(0, c.indexOf('/')) + ".csv")))
                .findFirst().map(c -> "unfinished cell's checkpoint " + c + " written");
    }

    /** The finished cells' files, cells/KEY.csv. */
    private static List<Path> cellFiles(Path cells) throws IOException {
        try (Stream<Path> s = Files.list(cells)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".csv") && !p.getFileName().toString().startsWith(".")).toList();
        }
    }

    /** The GPT cells' checkpoint folders, KEY/checkpoints/step-N relative to cells/. */
    private static List<String> checkpoints(Path cells) throws IOException {
        try (Stream<Path> s = Files.walk(cells)) {
            return s.filter(p -> p.getFileName().toString().startsWith("step-")).map(p -> cells.relativize(p).toString()).sorted().toList();
        }
    }

    @Override public void close() throws InterruptedException {
        thread.interrupt();
        thread.join();
    }
}
