package org.covlab.experiment;

import java.nio.file.Path;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.covlab.report.HtmlReport;
import org.covlab.report.RunFolder;
import org.covlab.report.Section;

/**
 * The steps every experiment run shares: open (or resume) the run folder, write config.json, let the experiment fill
 * the folder (its work phase) and build its report section (the plots phase), then results.json (with the claims) and
 * a one-section report.html.
 */
public final class ExperimentRun {
    private ExperimentRun() {}

    /** What a run leaves: its folder, its report section and the one-section report written there. */
    public record Outcome(Path dir, Section section, HtmlReport report) {}

    /**
     * Runs (or resumes) experiment {@code name} in {@code out} (null: a fresh runs/NAME-*): phase {@code workPhase}
     * fills the folder (cells, CSVs) and returns the tables, phase "plots" builds the report section from them and
     * the folder.
     */
    public static <T> Outcome run(String name, long seed, Path out, boolean resume, Object config, String workPhase,
                                  Function<RunFolder, T> work, BiFunction<T, Path, Section> plots) {
        RunFolder run = RunFolder.open(name, seed, out, resume);
        run.writeConfig(config);
        if (!CellRunner.inWorker()) System.err.println("covlab: " + name + " -> " + run.dir());
        T tables;
        try (var p = run.phase(workPhase)) {
            tables = work.apply(run);
        }
        Section section;
        try (var p = run.phase("plots")) {
            section = plots.apply(tables, run.dir());
        }
        run.put("claims", section.claims());
        RunFolder.Results results = run.finish();
        HtmlReport report = HtmlReport.builder("covlab: " + name).meta(results).section(section).build();
        report.write(run.file("report.html"));
        return new Outcome(run.dir(), section, report);
    }
}
