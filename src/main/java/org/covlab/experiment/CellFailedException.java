package org.covlab.experiment;

/**
 * A cell that a {@link CellCluster} could not run, after the cluster's retries. The CLI prints the message as one
 * line (which cell, how many attempts, why, where the finished cells are kept) and exits with code 4, or 3 when the
 * cell's training diverged, as on one machine. The finished cells stay in the run folder for {@code --resume}.
 */
public final class CellFailedException extends RuntimeException {
    private final boolean diverged;

    /** @param diverged whether the cell failed because its training diverged (DivergedException) */
    public CellFailedException(String message, boolean diverged) {
        super(message);
        this.diverged = diverged;
    }

    /** Whether the cell's training diverged. */
    public boolean diverged() { return diverged; }
}
