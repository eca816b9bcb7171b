package org.covlab.experiment;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covlab.report.CsvTable;
import org.covlab.report.Json;
import org.covlab.report.RunFolder;
import org.covlab.report.Section;

/** Runs gpt-interventions into a run folder: config.json, cells, metrics.csv, selections.csv, plots, results.json, report.html. */
public final class GptInterventionsRun {
    private GptInterventionsRun() {}

    /** The settings and the master seed, as written to config.json (the thread count is not: results do not depend on it). */
    public record Config(String experiment, long seed, GptInterventions.Settings settings) {}

    /** Runs (or resumes) the experiment in {@code out} (null: a fresh runs/gpt-interventions-*). */
    public static ExperimentRun.Outcome run(GptInterventions.Settings s, long seed, Path out, boolean resume, int threads) {
        return ExperimentRun.run(GptInterventions.NAME, seed, out, resume, new Config(GptInterventions.NAME, seed, s), "train-and-select",
                run -> GptInterventions.run(s, run, threads), (t, dir) -> GptInterventionsReport.section(t, s, dir, settings(s, seed)));
    }

    /** The report section again, from the run folder's config.json and CSVs alone ({@code covlab report}). */
    public static Section rebuild(Path dir) {
        Config c = Json.readFile(dir.resolve(RunFolder.CONFIG), Config.class);
        GptInterventions.Tables t = new GptInterventions.Tables(CsvTable.read(dir.resolve("metrics.csv")),
                CsvTable.read(dir.resolve("selections.csv")));
        return GptInterventionsReport.section(t, c.settings(), dir, settings(c.settings(), c.seed()));
    }

    static Map<String, Object> settings(GptInterventions.Settings s, long seed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scale", s.scale().cliName());
        m.put("master seed", seed);
        m.put("task", "fig2, edges by layer, H = " + s.horizons() + "; every optimizer and step of an (H, seed) starts from the same "
                + "weights and reads the same data");
        m.put("model", s.layers() + " layers, " + s.heads() + " heads, d " + s.dModel());
        m.put("training", s.steps() + " updates of batch " + s.batch() + " at every H, on " + s.dataset() + " fixed samples");
        m.put("optimizers", "sgd (Eq. 14, a step on each sequence's summed log-loss), normalized (Eq. 18 on the whole gradient, "
                + "lambda 1), sign (Eq. 20): constant step, no warm-up, clipping or weight decay; adamw: " + s.adam().describe()
                + " with the rate from its grid");
        List<String> grids = s.grids().stream().map(g -> g.optimizer().cliName() + " " + g.lrs()).toList();
        m.put("step-size grids", String.join("; ", grids));
        m.put("seeds", "every grid step on " + s.gridSeeds() + " seed(s); the chosen steps (best per H, one fixed for every H) on "
                + s.seeds());
        m.put("exact evaluation", "every " + s.evalEvery() + " updates; " + s.promptsPerClass() + " validation prompts per class (fig2-horizon's); "
                + "plain decoding");
        m.put("test-time training", s.ttt().off() ? "none" : "the last checkpoint of each optimizer's best step per H on the grid seed(s), "
                + "decoded with K = " + s.ttt().steps() + " SGD step(s) of eta = " + GptInterventions.label(s.ttt().lr())
                + " on each decoded token, reset per response (Eq. 22 as dynamic evaluation), evaluated exactly");
        m.put("selection", "every run's checkpoints at N = 16: tournament and min-CE on " + s.selectionPairs() + " pairs (x, y ~ pi_D), "
                + "offset tournament (a = 0.1) on the first " + s.offsetPairs() + " with " + s.onPolicy() + " on-policy sample(s) per prompt");
        return m;
    }
}
