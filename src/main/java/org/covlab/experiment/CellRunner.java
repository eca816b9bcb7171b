package org.covlab.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.covlab.report.CsvTable;
import org.covlab.report.Progress;

/**
 * Runs an experiment's independent cells (one seed of one setting) on a fixed pool of threads, and keeps each
 * finished cell's rows in {@code cells/KEY.csv} of the run folder. Re-running over the same folder skips finished
 * cells, so an interrupted experiment resumes where it stopped; each cell is seeded by its key alone, so the
 * result does not depend on the order or the thread that ran it.
 */
public final class CellRunner {

    /** A unit of work: a file-safe key and the rows it produces under the experiment's header. */
    public record Cell(String key, Supplier<List<Object[]>> rows) {
        public Cell {
            if (!key.matches("[A-Za-z0-9._=@+-]+")) throw new IllegalArgumentException("cell key is not file-safe: " + key);
        }
    }

    private final Path dir;
    private final List<String> header;
    private final int threads;

    /** @param dir where cell files live (created), @param header the experiment's CSV columns. */
    public CellRunner(Path dir, List<String> header, int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.dir = dir;
        this.header = List.copyOf(header);
        this.threads = threads;
    }

    /** Runs the cells not already finished, then returns every cell's table in the order given. */
    public List<CsvTable> run(String task, List<Cell> cells) {
        List<CsvTable> out = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "covlab-cell");
            t.setDaemon(true);
            return t;
        });
        try (Progress progress = Progress.start(task, cells.size())) {
            List<Future<CsvTable>> futures = new ArrayList<>();
            for (Cell cell : cells) {
                futures.add(pool.submit(() -> {
                    CsvTable table = finishedOrRun(cell);
                    synchronized (progress) { progress.step(); }
                    return table;
                }));
            }
            for (Future<CsvTable> f : futures) out.add(f.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return out;
    }

    /** All rows of the tables, in order, under the header: what goes to metrics.csv. */
    public CsvTable concat(List<CsvTable> tables) {
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

    private CsvTable finishedOrRun(Cell cell) {
        Path file = dir.resolve(cell.key() + ".csv");
        if (Files.exists(file)) {
            CsvTable done = CsvTable.read(file);
            if (done.header().equals(header)) return done;
        }
        CsvTable table = new CsvTable(header);
        for (Object[] row : cell.rows().get()) table.addRow(row);
        table.write(file);
        return table;
    }
}
