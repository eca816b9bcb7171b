package org.covlab.experiment;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.covlab.report.CsvTable;
import org.covlab.report.Json;
import org.covlab.report.RunFolder;
import org.covlab.report.Section;

/** Runs linear-horizon into a run folder: config.json, cells, metrics.csv, plots, results.json, report.html. */
public final class LinearHorizonRun {
    private LinearHorizonRun() {}

    /** The settings and the master seed, as written to config.json. */
    public record Config(String experiment, long seed, boolean quick, LinearHorizon.Settings settings) {}

    /** Runs (or resumes) the experiment in {@code out} (null: a fresh runs/linear-horizon-*). */
    public static ExperimentRun.Outcome run(LinearHorizon.Settings s, boolean quick, long seed, Path out, boolean resume) {
        return ExperimentRun.run(LinearHorizon.NAME, seed, out, resume, new Config(LinearHorizon.NAME, seed, quick, s), "train-and-evaluate",
                run -> LinearHorizon.run(s, run), (tables, dir) -> LinearHorizonReport.section(tables, dir, settings(s, seed, quick)));
    }

    static Map<String, Object> settings(LinearHorizon.Settings s, long seed, boolean quick) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", quick ? "quick" : "full");
        m.put("master seed", seed);
        m.put("seeds per cell", s.seeds());
        m.put("instances", String.join(", ", s.instances()));
        m.put("H", s.horizons());
        m.put("samples (T)", s.samples());
        m.put("step-size multiples of the theory value", s.etaScales());
        m.put("Monte Carlo responses per prompt", s.evalSamplesPerPrompt());
        m.put("prompts for sampled Pass@N", s.passPrompts());
        return m;
    }

    /** The report section again, from the run folder's config.json and CSVs alone ({@code covlab report}). */
    public static Section rebuild(Path dir) {
        Config c = Json.readFile(dir.resolve(RunFolder.CONFIG), Config.class);
        LinearHorizon.Tables tables = new LinearHorizon.Tables(CsvTable.read(dir.resolve("tuning.csv")),
                CsvTable.read(dir.resolve("metrics.csv")));
        return LinearHorizonReport.section(tables, dir, settings(c.settings(), c.seed(), c.quick()));
    }
}
