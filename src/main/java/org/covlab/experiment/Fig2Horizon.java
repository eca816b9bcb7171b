package org.covlab.experiment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.covlab.metric.LogRatioRecord;
import org.covlab.metric.WeightedSequence;
import org.covlab.model.GptConfig;
import org.covlab.report.CsvTable;
import org.covlab.report.RunFolder;
import org.covlab.task.Prompt;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;
import org.covlab.tensor.Parallel;
import org.covlab.train.CheckpointPolicy;
import org.covlab.train.ExactEval;
import org.covlab.train.LrSchedule;
import org.covlab.train.Optimizer;
import org.covlab.train.TaskData;
import org.covlab.train.TaskSpec;
import org.covlab.train.TrainConfig;
import org.covlab.train.Trainer;
import org.covlab.util.Seeds;

/**
 * Experiment {@code fig2-horizon} (paper App. C.3, Fig. 2; notes section 4.3): does KL at convergence grow linearly in
 * the horizon H while Cov_16 does not depend on H?
 *
 * <p>Protocol. For each H and seed, a GPT is trained on {@code fig2} (classes G_{H,1..3} with mu~ = 0.94, 0.05, 0.01)
 * from a fixed dataset, and at every checkpoint the exact KL and Cov_N are measured with {@link ExactEval}: a fixed
 * set of validation prompts per class (the same for every seed of an H), every response in the support of pi_D
 * scored, the figures computed per class and mixed with mu~. G_{H,2} is built to be unlearnable: a model that
 * learns everything else puts 2^{-H/2} on its path, so the class adds mu~_2 (H/2) log 2 to the KL, linear in H, but
 * at most mu~_2 = 0.05 to Cov_16 whatever H is (Remark 3.1).
 *
 * <p>Each (H, seed) is one cell in {@code cells/H{H}_s{seed}/}: it resumes from its newest checkpoint when
 * interrupted ({@link GptCell}) and is skipped once finished ({@link CellRunner}).
 */
public final class Fig2Horizon {
    private Fig2Horizon() {}

    public static final String NAME = "fig2-horizon";
    /** The usual tail levels (as linear-horizon), the headline 16 among them. */
    public static final List<Double> NS = List.of(2.0, 4.0, 16.0, 256.0);
    public static final double HEADLINE_N = 16;
    /** The paper's horizons. */
    public static final List<Integer> PAPER_HORIZONS = List.of(8, 16, 24);
    /** fig2's classes, in mixture order (G_{H,1}, G_{H,2}, G_{H,3}). */
    public static final List<String> CLASSES = List.of("G1", "G2", "G3");

    /**
     * @param scale           the named size these settings came from (recorded in config.json)
     * @param horizons        the H grid (even, >= 8)
     * @param seeds           training runs per H
     * @param layers          transformer blocks
     * @param heads           attention heads
     * @param dModel          width
     * @param batch           sequences per update
     * @param lr              AdamW's learning rate (constant after the warm-up, as the paper)
     * @param warmup          linear warm-up steps
     * @param steps           updates per run
     * @param dataset         fixed dataset size (the paper: 8 x 64,000)
     * @param evalEvery       steps between checkpoints, each evaluated exactly
     * @param promptsPerClass validation prompts per class (the paper: 1024)
     */
    public record Settings(Scale scale, List<Integer> horizons, int seeds, int layers, int heads, int dModel, int batch,
                           double lr, int warmup, int steps, int dataset, int evalEvery, int promptsPerClass) {
        public Settings {
            horizons = List.copyOf(horizons);
            if (horizons.isEmpty() || horizons.stream().anyMatch(h -> h < 8 || h % 2 != 0))
                throw new IllegalArgumentException("fig2 needs even H >= 8, got " + horizons);
            if (seeds < 1 || layers < 1 || heads < 1 || dModel % heads != 0 || batch < 1 || steps < 1 || dataset < 1
                    || evalEvery < 1 || promptsPerClass < 1 || warmup < 0 || !(lr > 0))
                throw new IllegalArgumentException("fig2-horizon settings out of range");
        }

        /**
         * The named sizes. Paper: section 4.3 (6 layers, 4 heads, d 384, batch 128, lr 1e-4, 40k updates on 8 x 64,000
         * samples, 16 seeds, 1024 prompts per class). Small and demo: see docs/results.md (section "The paper's two figures") for how they were tuned.
         */
        public static Settings of(Scale scale, Integer seeds) {
            return switch (scale) {
                case DEMO -> new Settings(scale, PAPER_HORIZONS, or(seeds, 2), 2, 4, 64, 16, 5e-3, 20, 60, 64_000, 20, 16);
                case SMALL -> new Settings(scale, PAPER_HORIZONS, or(seeds, 2), 2, 4, 64, 32, 5e-3, 100, 400, 64_000, 100, 32);
                case PAPER -> new Settings(scale, PAPER_HORIZONS, or(seeds, 16), 6, 4, 384, TrainConfig.PAPER_BATCH, TrainConfig.PAPER_LR,
                        0, 40_000, TrainConfig.PAPER_DATASET, 1000, 1024);
            };
        }

        private static int or(Integer v, int dflt) { return v == null ? dflt : v; }

        /** The training settings of one run. */
        TrainConfig training(long seed) {
            return new TrainConfig(seed, steps, batch, new LrSchedule(lr, warmup, false, 0), Optimizer.Settings.adamw(),
                    TaskData.LossOn.RESPONSE, dataset);
        }

        /** The model for {@code task}: its vocabulary and room for its longest prompt + response - 1. */
        GptConfig model(GraphTask task) {
            return new GptConfig(task.vocabSize(), task.maxPromptLength() + task.maxResponseLength() - 1, layers, heads, dModel);
        }
    }

    /** The columns of metrics.csv: mixed figures, then KL and Cov_16 within each class. */
    public static List<String> header() {
        List<String> h = new ArrayList<>(List.of("H", "seed", "step", "train_loss", "cross_entropy", "kl"));
        for (double n : NS) h.add(covColumn(n));
        for (String c : CLASSES) h.add("kl_" + c);
        for (String c : CLASSES) h.add(covColumn(HEADLINE_N) + "_" + c);
        return h;
    }

    public static String covColumn(double n) {
        return LinearHorizon.covColumn(n);
    }

    /** Runs every (H, seed) cell (skipping finished ones, resuming interrupted ones) and writes metrics.csv. */
    public static CsvTable run(Settings s, RunFolder run, int threads) {
        List<CellRunner.Cell> cells = new ArrayList<>();
        // longest horizon first: the cells run side by side, so the long ones should not start last
        for (int H : s.horizons().stream().sorted(Comparator.reverseOrder()).toList())
            for (int seed = 0; seed < s.seeds(); seed++) {
                int fH = H, fSeed = seed;
                String key = "H" + H + "_s" + seed;
                cells.add(new CellRunner.Cell(key, () -> cell(s, run, key, fH, fSeed, modelThreads(threads, cells(s)))));
            }
        CsvTable all = CellRunner.run(run, NAME, header(), Math.min(threads, cells.size()), cells);
        CsvTable sorted = sortedByHSeedStep(all);
        sorted.write(run.file("metrics.csv"));
        return sorted;
    }

    private static int cells(Settings s) { return s.horizons().size() * s.seeds(); }

    /** Threads per cell's model: the cells share the threads first, the rest go to each model's kernels. */
    static int modelThreads(int threads, int cells) {
        return Math.max(1, threads / Math.min(threads, cells));
    }

    /** One training run at (H, seed), evaluated at every checkpoint: rows of {@link #header()}. */
    static List<Object[]> cell(Settings s, RunFolder run, String key, int H, int seed, int threads) {
        GraphTask task = GraphTasks.byName(GraphTasks.FIG2, H);
        GptCell.Spec spec = spec(s, run, key, H, seed);
        try (Parallel pool = new Parallel(threads)) {
            return GptCell.train(spec, task, p -> Trainer.initialModel(s.model(task), spec.training().seed(), p), header(),
                    evaluation(s, run.seed(), task, seed), pool, NAME + " H=" + H + " seed " + seed);
        }
    }

    /** Where and how cell (H, seed) trains: {@code cells/KEY/}, a checkpoint (and evaluation) every evalEvery, the newest kept. */
    static GptCell.Spec spec(Settings s, RunFolder run, String key, int H, int seed) {
        long trainSeed = new Seeds(run.seed()).child("fig2/H" + H + "/seed" + seed).master();
        return new GptCell.Spec(run.file("cells/" + key + "/.keep").getParent(), TaskSpec.of(GraphTasks.byName(GraphTasks.FIG2, H)),
                s.training(trainSeed), new CheckpointPolicy(s.evalEvery(), 1, 0));
    }

    /** The exact evaluation of a checkpoint: one row of {@link #header()}. */
    static GptCell.Evaluation evaluation(Settings s, long master, GraphTask task, int seed) {
        // the same validation prompts for every seed of an H: seeds differ by training only
        Map<String, List<Prompt>> prompts = ExactEval.validationPrompts(task, s.promptsPerClass(),
                new Seeds(master).child("fig2/H" + task.H() + "/validation").master());
        List<WeightedSequence> seqs = ExactEval.supportSequences(task, prompts);
        double[] ns = NS.stream().mapToDouble(Double::doubleValue).toArray();
        int headline = NS.indexOf(HEADLINE_N);
        return (step, model, loss) -> {
            List<LogRatioRecord> records = ExactEval.records(task, model, seqs);
            List<ExactEval.Figures> figures = ExactEval.figures(records, ns, new int[0]);
            ExactEval.Figures mixed = figures.get(0);
            List<Object> row = new ArrayList<>(List.of(task.H(), seed, step, loss, mixed.crossEntropy(), mixed.kl()));
            for (double c : mixed.coverage()) row.add(c);
            for (String c : CLASSES) row.add(byGroup(figures, c).kl());
            for (String c : CLASSES) row.add(byGroup(figures, c).coverage()[headline]);
            return List.<Object[]>of(row.toArray());
        };
    }

    private static ExactEval.Figures byGroup(List<ExactEval.Figures> figures, String group) {
        return figures.stream().filter(f -> f.group().equals(group)).findFirst().orElseThrow();
    }

    private static CsvTable sortedByHSeedStep(CsvTable t) {
        List<CsvTable.Row> rows = new ArrayList<>(t.rows());
        rows.sort(Comparator.comparingLong((CsvTable.Row r) -> r.integer("H")).thenComparingLong(r -> r.integer("seed"))
                .thenComparingLong(r -> r.integer("step")));
        CsvTable out = new CsvTable(t.header());
        for (CsvTable.Row r : rows) out.addRow(t.header().stream().map(r::get).toArray());
        return out;
    }
}
