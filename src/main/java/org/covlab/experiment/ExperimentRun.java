package org.covlab.experiment;

import java.nio.file.Path;
import org.covlab.report.HtmlReport;
import org.covlab.report.RunFolder;
import org.covlab.report.Section;

/**
 * The steps every experiment run shares: open (or resume) the run folder, write config.json, let the experiment fill
 * the folder and build its report section, then results.json (with the claims) and a one-section report.html.
 */
public final class ExperimentRun {
    private ExperimentRun() {}

    /** What a run leaves: its folder, its report section and the one-section report written there. */
    public record Outcome(Path dir, Section section, HtmlReport report) {}

    /** The experiment's own work: cells, metrics.csv, plots; returns the report section. */
    @FunctionalInterface
    public interface Body {
        Section fill(RunFolder run);
    }

    /** Runs (or resumes) experiment {@code name} in {@code out} (null: a fresh runs/NAME-*). */
    public static Outcome run(String name, long seed, Path out, boolean resume, Object config, Body body) {
        RunFolder run = RunFolder.open(name, seed, out, resume);
        run.writeConfig(config);
        System.err.println("covlab: " + name + " -> " + run.dir());
        Section section = body.fill(run);
        run.put("claims", section.claims());
        RunFolder.Results results = run.finish();
        HtmlReport report = HtmlReport.builder("covlab: " + name).meta(results).section(section).build();
        report.write(run.file("report.html"));
        return new Outcome(run.dir(), section, report);
    }
}
