package org.covlab.experiment;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.covlab.report.CsvTable;
import org.covlab.report.Json;
import org.covlab.report.RunFolder;
import org.covlab.report.Section;

/** Runs fig2-horizon into a run folder: config.json, cells, metrics.csv, plots, results.json, report.html. */
public final class Fig2HorizonRun {
    private Fig2HorizonRun() {}

    /** The settings and the master seed, as written to config.json (the thread count is not: results do not depend on it). */
    public record Config(String experiment, long seed, Fig2Horizon.Settings settings) {}

    /** Runs (or resumes) the experiment in {@code out} (null: a fresh runs/fig2-horizon-*). */
    public static ExperimentRun.Outcome run(Fig2Horizon.Settings s, long seed, Path out, boolean resume, int threads) {
        return ExperimentRun.run(Fig2Horizon.NAME, seed, out, resume, new Config(Fig2Horizon.NAME, seed, s), "train-and-evaluate",
                run -> Fig2Horizon.run(s, run, threads), (metrics, dir) -> Fig2HorizonReport.section(metrics, s.edgeOrder(), dir, settings(s, seed)));
    }

    /** The report section again, from the run folder's config.json and metrics.csv alone ({@code covlab report}). */
    public static Section rebuild(Path dir) {
        Config c = Json.readFile(dir.resolve(RunFolder.CONFIG), Config.class);
        return Fig2HorizonReport.section(CsvTable.read(dir.resolve("metrics.csv")), c.settings().edgeOrder(), dir, settings(c.settings(), c.seed()));
    }

    static Map<String, Object> settings(Fig2Horizon.Settings s, long seed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scale", s.scale().cliName());
        m.put("master seed", seed);
        m.put("H (intermediate layers)", s.horizons());
        m.put("edge order of the prompts", s.edgeOrder().cliName() + (s.controlSeeds() > 0 ? "; control: " + s.controlSeeds()
                + " run(s) at H = " + s.controlH() + " with " + s.controlOrder().cliName() + " edges, the same seeds and settings, "
                + s.controlSteps() + " updates" : ""));
        m.put("seeds per H", s.seeds());
        m.put("model", s.layers() + " layers, " + s.heads() + " heads, d " + s.dModel());
        m.put("training", s.steps() + " updates (for " + s.horizons() + ") of batch " + s.batch() + ", " + s.adam().describe());
        m.put("dataset", s.dataset() + " fixed samples");
        m.put("exact evaluation", "every " + s.evalEvery() + " updates; " + s.promptsPerClass() + " validation prompts per class, "
                + "the same for every seed; every response in pi_D's support scored");
        m.put("class weights mu~", "G1 0.94, G2 0.05, G3 0.01");
        return m;
    }
}
