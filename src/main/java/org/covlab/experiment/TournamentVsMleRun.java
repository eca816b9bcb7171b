package org.covlab.experiment;

import java.nio.file.Path;
import org.covlab.report.CsvTable;
import org.covlab.report.Json;
import org.covlab.report.RunFolder;
import org.covlab.report.Section;

/** Runs tournament-vs-mle into a run folder: config.json, cells, metrics.csv, plots, results.json, report.html. */
public final class TournamentVsMleRun {
    private TournamentVsMleRun() {}

    /** The settings and the master seed, as written to config.json. */
    public record Config(String experiment, long seed, boolean quick, TournamentVsMle.Settings settings) {}

    /** Runs (or resumes) the experiment in {@code out} (null: a fresh runs/tournament-vs-mle-*). */
    public static ExperimentRun.Outcome run(TournamentVsMle.Settings s, boolean quick, long seed, Path out, boolean resume) {
        return ExperimentRun.run(TournamentVsMle.NAME, seed, out, resume, new Config(TournamentVsMle.NAME, seed, quick, s),
                "select-and-evaluate", run -> TournamentVsMle.run(s, run),
                (metrics, dir) -> TournamentVsMleReport.section(metrics, dir, TournamentVsMleReport.settings(s, seed, quick)));
    }

    /** The report section again, from the run folder's config.json and metrics.csv alone ({@code covlab report}). */
    public static Section rebuild(Path dir) {
        Config c = Json.readFile(dir.resolve(RunFolder.CONFIG), Config.class);
        return TournamentVsMleReport.section(CsvTable.read(dir.resolve("metrics.csv")), dir, TournamentVsMleReport.settings(c.settings(), c.seed(), c.quick()));
    }
}
