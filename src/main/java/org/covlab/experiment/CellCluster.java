package org.covlab.experiment;

import java.nio.file.Path;
import java.util.List;
import org.covlab.report.Progress;

/**
 * Somewhere else to run an experiment's cells: a cluster of machines that all see the run folder. covlab's core has
 * none; the covlab-spark module (spark/, docs/scale-out.md) provides one through {@link java.util.ServiceLoader}.
 *
 * <p>Each cell runs as {@code Main.runCell(argv, dir, key, threads)} on some machine: the experiment's own command,
 * replayed there, which runs that one cell ({@link CellRunner#worker}) and writes its files atomically.
 */
public interface CellCluster extends AutoCloseable {

    /**
     * Runs cells {@code keys} of the run in {@code dir} and returns once every one has written {@code cells/KEY.csv};
     * steps {@code progress} once per cell done. A cell that failed after the cluster's retries is a
     * {@link CellFailedException} naming the cell, its attempts and the cause.
     */
    void run(Path dir, List<String> keys, Progress progress);

    /** Releases the cluster (no exception). */
    @Override void close();

    /** What covlab-spark registers: opens a cluster for {@code --spark MASTER}, for the experiment {@code argv} starts. */
    interface Factory {
        CellCluster open(String master, List<String> argv);
    }
}
