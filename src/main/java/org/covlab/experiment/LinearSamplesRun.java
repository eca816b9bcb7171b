package org.covlab.experiment;

import java.nio.file.Path;
import org.covlab.report.CsvTable;
import org.covlab.report.Json;
import org.covlab.report.RunFolder;
import org.covlab.report.Section;

/** Runs linear-samples into a run folder: config.json, cells, metrics.csv, plots, results.json, report.html. */
public final class LinearSamplesRun {
    private LinearSamplesRun() {}

    /** The settings and the master seed, as written to config.json. */
    public record Config(String experiment, long seed, boolean quick, LinearSamples.Settings settings) {}

    /** Runs (or resumes) the experiment in {@code out} (null: a fresh runs/linear-samples-*). */
    public static ExperimentRun.Outcome run(LinearSamples.Settings s, boolean quick, long seed, Path out, boolean resume) {
        return ExperimentRun.run(LinearSamples.NAME, seed, out, resume, new Config(LinearSamples.NAME, seed, quick, s), "fit-and-evaluate",
                run -> LinearSamples.run(s, run),
                (metrics, dir) -> LinearSamplesReport.section(metrics, dir, LinearSamplesReport.settings(s, seed, quick)));
    }

    /** The report section again, from the run folder's config.json and metrics.csv alone ({@code covlab report}). */
    public static Section rebuild(Path dir) {
        Config c = Json.readFile(dir.resolve(RunFolder.CONFIG), Config.class);
        return LinearSamplesReport.section(CsvTable.read(dir.resolve("metrics.csv")), dir, LinearSamplesReport.settings(c.settings(), c.seed(), c.quick()));
    }
}
