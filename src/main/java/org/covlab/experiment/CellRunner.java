package org.covlab.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    private CellRunner(Path dir, List<String> header) {
        this.dir = dir;
        this.header = List.copyOf(header);
    }

    /**
     * Runs the cells not already finished in the run folder's cells/ on {@code threads} workers, showing progress as
     * {@code task}, and returns every cell's rows under {@code header}, in the order of the cells: what goes to
     * metrics.csv.
     */
    public static CsvTable run(RunFolder run, String task, List<String> header, int threads, List<Cell> cells) {
        CellRunner runner = new CellRunner(run.file("cells/.keep").getParent(), header);
        CsvTable[] tables = new CsvTable[cells.size()];
        try (Progress progress = Progress.start(task, cells.size())) {
            Workers.parallelFor(cells.size(), threads, "covlab-cell", i -> {
                tables[i] = runner.finishedOrRun(cells.get(i));
                synchronized (progress) { progress.step(); }
            });
        }
        return runner.concat(tables);
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
