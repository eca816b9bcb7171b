package org.covlab.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

/** The interrupted-run check every experiment's test shares: lose a cell and metrics.csv, resume, get the same file. */
final class ResumeCheck {
    private ResumeCheck() {}

    /**
     * Deletes the first finished cell and metrics.csv of {@code run} (an interruption before they were written),
     * pins another cell's time stamp, calls {@code resume}, and checks that metrics.csv comes back byte for byte
     * and that the pinned cell was not recomputed.
     */
    static void interruptAndResume(Path run, Runnable resume) throws IOException {
        String before = Files.readString(run.resolve("metrics.csv"));
        List<Path> cells;
        try (var s = Files.list(run.resolve("cells"))) {
            cells = s.filter(p -> p.toString().endsWith(".csv")).sorted().toList();
        }
        Files.delete(cells.get(0));
        Path kept = cells.get(1);
        Files.setLastModifiedTime(kept, FileTime.fromMillis(0));
        Files.delete(run.resolve("metrics.csv"));
        resume.run();
        assertThat(Files.readString(run.resolve("metrics.csv"))).isEqualTo(before);
        assertThat(cells.get(0)).exists();
        assertThat(Files.getLastModifiedTime(kept).toMillis()).as("a finished cell is not recomputed").isZero();
    }
}
