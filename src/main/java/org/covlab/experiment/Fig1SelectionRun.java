package org.covlab.experiment;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.covlab.eval.EvalRun;
import org.covlab.report.CsvTable;
import org.covlab.report.Json;
import org.covlab.report.RunFolder;
import org.covlab.report.Section;

/**
 * Runs fig1-selection into a run folder: config.json, cells (checkpoints, log-prob tables), metrics.csv, pretrain.csv,
 * selections.csv, pass_check.csv, plots, results.json, report.html.
 */
public final class Fig1SelectionRun {
    private Fig1SelectionRun() {}

    /** The settings and the master seed, as written to config.json (the thread count is not: results do not depend on it). */
    public record Config(String experiment, long seed, Fig1Selection.Settings settings) {}

    /** Runs (or resumes) the experiment in {@code out} (null: a fresh runs/fig1-selection-*). */
    public static ExperimentRun.Outcome run(Fig1Selection.Settings s, long seed, Path out, boolean resume, int threads) {
        return ExperimentRun.run(Fig1Selection.NAME, seed, out, resume, new Config(Fig1Selection.NAME, seed, s), "train-select-check",
                run -> Fig1Selection.run(s, run, threads), (tables, dir) -> Fig1SelectionReport.section(tables, dir, settings(s, seed)));
    }

    /** The report section again, from the run folder's config.json and CSVs alone ({@code covlab report}). */
    public static Section rebuild(Path dir) {
        Config c = Json.readFile(dir.resolve(RunFolder.CONFIG), Config.class);
        Fig1Selection.Tables t = new Fig1Selection.Tables(CsvTable.read(dir.resolve("metrics.csv")), CsvTable.read(dir.resolve("selections.csv")),
                CsvTable.read(dir.resolve("pass_check.csv")), CsvTable.read(dir.resolve("pretrain.csv")));
        return Fig1SelectionReport.section(t, dir, settings(c.settings(), c.seed()));
    }

    static Map<String, Object> settings(Fig1Selection.Settings s, long seed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scale", s.scale().cliName());
        m.put("master seed", seed);
        m.put("graphs", s.H() + " intermediate layers (the paper: 8), two of them with two passable nodes; edges in "
                + s.edgeOrder().cliName() + " order");
        m.put("seeds", s.seeds());
        m.put("model", s.layers() + " layers, " + s.heads() + " heads, d " + s.dModel() + "; batch " + s.batch());
        m.put("pre-training (fig1-pretrain)", s.pretrainSteps() + " updates, " + s.pretrain().describe()
                + ", fixed dataset of " + s.pretrainDataset());
        m.put("fine-tuning (fig1-finetune, online)", s.finetuneSteps() + " updates, fresh " + s.finetune().describe()
                + ", a checkpoint every " + s.checkpointEvery() + " (" + (s.finetuneSteps() / s.checkpointEvery() + 1) + " candidates)");
        m.put("exact evaluation", s.promptsPerClass() + " prompts per class (G1 0.9, G2 0.1), the same for every seed and checkpoint");
        m.put("tournament and min-CE data", s.selectionPairs() + " validation pairs (x, y) ~ pi_D of the fine-tuning distribution");
        m.put("tournaments' N", Fig1Selection.PAIRED_NS.stream().map(EvalRun::label).toList() + " (N/2 for Pass@4, 8, 12)");
        m.put("offset tournament", "the first " + s.offsetPairs() + " pairs, " + s.onPolicy() + " on-policy sample(s) per prompt and checkpoint, a = "
                + s.offsetA());
        m.put("Pass@N check by sampling", s.passCheckPrompts() + " fresh prompts, ancestral sampling at temperature 1");
        return m;
    }
}
