package org.covlab.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.covlab.report.CsvTable;
import org.covlab.report.Progress;
import org.covlab.report.RunFolder;
import org.covlab.util.Workers;

/**
 * Runs an experiment's independent cells (one seed of one setting) on a fixed pool of threads, and keeps each
 * finished cell's rows in {@code cells/KEY.csv} of the run folder. Re-running over the same folder skips finished
 * cells, so an interrupted experiment resumes where it stopped; each cell is seeded by its key alone, so the
 * result does not depend on the order or the thread that ran it.
 *
 * <p>Two more ways to run the same cells (docs/scale-out.md): with a {@link CellCluster} in use, the driver hands
 * the unfinished cells' keys to the cluster and then reads what they wrote; and on a cluster's machine,
 * {@link #worker} runs the experiment's own code up to the one cell it was given, runs that cell and stops.
 */
public final class CellRunner {

    /** A unit of work: a file-safe key and the rows it produces under the experiment's header. */
    public record Cell(String key, Supplier<List<Object[]>> rows) {
        public Cell {
            if (!key.matches("[A-Za-z0-9._=@+-]+")) throw new IllegalArgumentException("cell key is not file-safe: " + key);
        }
    }

    /** Thrown (once the cell's file is written) to stop a {@link #worker}'s experiment after its one cell. */
    public static final class CellDone extends RuntimeException {
        CellDone(String key) { super("cell " + key + " done", null, false, false); }
    }

    /** A scope that ends a mode ({@link #using}, {@link #worker}). */
    public interface Scope extends AutoCloseable {
        @Override void close();
    }

    /** The one cell a worker thread runs, with the threads it has for that cell. */
    private record Worker(String key, int threads) {}

    private static final ThreadLocal<Worker> WORKER = new ThreadLocal<>();
    private static volatile CellCluster cluster;

    private final Path dir;
    private final List<String> header;

    private CellRunner(Path dir, List<String> header) {
        this.dir = dir;
        this.header = List.copyOf(header);
    }

    /**
     * Runs the cells not already finished in the run folder's cells/ on {@code threads} workers (or on the cluster in
     * use), showing progress as {@code task}, and returns every cell's rows under {@code header}, in the order of the
     * cells: what goes to metrics.csv.
     */
    public static CsvTable run(RunFolder run, String task, List<String> header, int threads, List<Cell> cells) {
        CellRunner runner = new CellRunner(run.file("cells/.keep").getParent(), header);
        Worker worker = WORKER.get();
        if (worker != null) return runner.asWorker(worker, cells);
        CsvTable[] tables = new CsvTable[cells.size()];
        CellCluster remote = cluster;
        if (remote != null) {
            List<String> todo = cells.stream().filter(c -> runner.finished(c).isEmpty()).map(Cell::key).toList();
            try (Progress progress = Progress.start(task + " (" + todo.size() + " cells on " + remote + ")", cells.size(),
                    cells.size() - todo.size())) {
                if (!todo.isEmpty()) remote.run(run.dir().toAbsolutePath(), todo, progress);
            } catch (CellFailedException e) {
                long kept = cells.stream().filter(c -> runner.finished(c).isPresent()).count();
                throw new CellFailedException(task + ": " + e.getMessage() + "; finished cells are kept (this step: " + kept + " of "
                        + cells.size() + ") in " + runner.dir + ": fix the cause and run the same command again with --resume", e.diverged());
            }
            for (int i = 0; i < tables.length; i++) tables[i] = runner.written(cells.get(i), "the cluster reported it done");
            return runner.concat(tables);
        }
        try (Progress progress = Progress.start(task, cells.size())) {
            Workers.parallelFor(cells.size(), threads, "covlab-cell", i -> {
                tables[i] = runner.finishedOrRun(cells.get(i));
                synchronized (progress) { progress.step(); }
            });
        }
        return runner.concat(tables);
    }

    /**
     * Threads for each cell's model when {@code cells} cells share {@code threads}: the cells first, the rest to each
     * model's kernels. A worker's one cell gets all of its threads.
     */
    public static int threadsPerCell(int threads, int cells) {
        Worker worker = WORKER.get();
        return worker != null ? worker.threads() : Math.max(1, threads / Math.min(threads, Math.max(1, cells)));
    }

    /**
     * Runs every cell of an experiment on a cluster while the returned scope is open (the driver's side).
     */
    public static Scope using(CellCluster c) {
        cluster = c;
        return () -> cluster = null;
    }

    /**
     * Makes this thread a worker for cell {@code key} while the returned scope is open: the experiment's code runs as
     * usual, reads the finished cells of its earlier steps, runs cell {@code key} (with {@code threads} threads) and
     * throws {@link CellDone}.
     */
    public static Scope worker(String key, int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        WORKER.set(new Worker(key, threads));
        return WORKER::remove;
    }

    /** Whether this thread is a worker (it writes its cell's files and nothing else of the run folder). */
    public static boolean inWorker() {
        return WORKER.get() != null;
    }

    private CsvTable asWorker(Worker worker, List<Cell> cells) {
        Optional<Cell> mine = cells.stream().filter(c -> c.key().equals(worker.key())).findFirst();
        if (mine.isPresent()) {
            finishedOrRun(mine.get());
            throw new CellDone(worker.key());
        }
        CsvTable[] tables = new CsvTable[cells.size()];  // an earlier step's cells: the driver finished them first
        for (int i = 0; i < tables.length; i++) tables[i] = written(cells.get(i), "cell " + worker.key() + " comes after it");
        return concat(tables);
    }

    private CsvTable concat(CsvTable[] tables) {
        CsvTable all = new CsvTable(header);
        for (CsvTable t : tables) {
            for (CsvTable.Row r : t.rows()) {
                Object[] values = new Object[header.size()];
                for (int c = 0; c < values.length; c++) values[c] = r.get(header.get(c));
                all.addRow(values);
            }
        }
        return all;
    }

    /** The rows of a finished cell: its file, written whole (atomically) under this header. */
    private Optional<CsvTable> finished(Cell cell) {
        Path file = dir.resolve(cell.key() + ".csv");
        if (!Files.exists(file)) return Optional.empty();
        CsvTable done = CsvTable.read(file);
        return done.header().equals(header) ? Optional.of(done) : Optional.empty();
    }

    private CsvTable written(Cell cell, String why) {
        return finished(cell).orElseThrow(() -> new IllegalStateException(
                "cell " + cell.key() + " has no finished " + dir.resolve(cell.key() + ".csv") + ", but " + why));
    }

    private CsvTable finishedOrRun(Cell cell) {
        Optional<CsvTable> done = finished(cell);
        if (done.isPresent()) return done.get();
        CsvTable table = new CsvTable(header);
        for (Object[] row : cell.rows().get()) table.addRow(row);
        table.write(dir.resolve(cell.key() + ".csv"));
        return table;
    }
}
