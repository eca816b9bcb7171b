package org.covlab.experiment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.covlab.eval.EvalRun;
import org.covlab.eval.ExactEval;
import org.covlab.eval.WeightedSequence;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.GptConfig;
import org.covlab.report.CsvTable;
import org.covlab.report.RunFolder;
import org.covlab.task.Prompt;
import org.covlab.task.graph.EdgeOrder;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;
import org.covlab.tensor.Parallel;
import org.covlab.train.CheckpointPolicy;
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
     * @param edgeOrder       how the prompts list the edges (docs/tasks.md, Q5)
     * @param horizons        the H grid (even, >= 8)
     * @param steps           updates per run at each H of {@code horizons} (the plateau before G_{H,1} is learned grows with H)
     * @param seeds           training runs per H
     * @param layers          transformer blocks
     * @param heads           attention heads
     * @param dModel          width
     * @param batch           sequences per update
     * @param adam            the optimizer and its schedule
     * @param dataset         fixed dataset size (the paper: 8 x 64,000)
     * @param evalEvery       steps between checkpoints, each evaluated exactly
     * @param promptsPerClass validation prompts per class (the paper: 1024)
     * @param controlSeeds    runs at the smallest H in the other edge order (0: none), with the same settings but the
     *                        longest budget of any H: the order's effect, measured
     */
    public record Settings(Scale scale, EdgeOrder edgeOrder, List<Integer> horizons, List<Integer> steps, int seeds, int layers,
                           int heads, int dModel, int batch, AdamRecipe adam, int dataset, int evalEvery, int promptsPerClass,
                           int controlSeeds) {
        public Settings {
            horizons = List.copyOf(horizons);
            steps = List.copyOf(steps);
            if (horizons.isEmpty() || horizons.stream().anyMatch(h -> h < 8 || h % 2 != 0))
                throw new IllegalArgumentException("fig2 needs even H >= 8, got " + horizons);
            if (steps.size() != horizons.size() || steps.stream().anyMatch(n -> n < 1))
                throw new IllegalArgumentException("one positive step count per H, got " + steps + " for " + horizons);
            if (edgeOrder == null || adam == null || seeds < 1 || layers < 1 || heads < 1 || dModel % heads != 0 || batch < 1
                    || dataset < 1 || evalEvery < 1 || promptsPerClass < 1 || controlSeeds < 0)
                throw new IllegalArgumentException("fig2-horizon settings out of range");
        }

        /**
         * The named sizes. Paper: section 4.3 (6 layers, 4 heads, d 384, batch 128, AdamW lr 1e-4, 40k updates on 8 x 64,000
         * samples, 16 seeds, 1024 prompts per class). Small and demo: tuned on 2 cores, docs/results.md has the tuning log.
         */
        public static Settings of(Scale scale, Integer seeds, EdgeOrder order) {
            // lr 2e-3 (not 5e-3) and beta2 0.95: the loss plateau before G_{H,1} is learned was shortest and least
            // seed-dependent there; the steps per H leave room for its spread (docs/results.md, tuning log)
            AdamRecipe small = AdamRecipe.constant(2e-3, 100, 0.95, 1.0);
            return switch (scale) {
                case DEMO -> new Settings(scale, order, PAPER_HORIZONS, List.of(300, 500, 700), or(seeds, 2), 2, 4, 64, 32, small,
                        64_000, 100, 16, 1);
                case SMALL -> new Settings(scale, order, PAPER_HORIZONS, List.of(400, 700, 1000), or(seeds, 3), 2, 4, 64, 32, small,
                        64_000, 100, 64, 1);
                case PAPER -> new Settings(scale, order, PAPER_HORIZONS, List.of(40_000, 40_000, 40_000), or(seeds, 16), 6, 4, 384,
                        TrainConfig.PAPER_BATCH, AdamRecipe.paper(TrainConfig.PAPER_LR), TrainConfig.PAPER_DATASET, 1000, 1024, 0);
                // the demo's model for 100 updates at H = 8 (seconds per cell): tests of resume and Spark
                case TINY -> new Settings(scale, order, List.of(8), List.of(100), or(seeds, 1), 2, 4, 64, 32, small, 4096, 25, 4, 0);
            };
        }

        private static int or(Integer v, int dflt) { return v == null ? dflt : v; }

        /** Updates per run at H. */
        public int steps(int H) { return steps.get(horizons.indexOf(H)); }

        /** The edge order of the control runs: the other one. */
        public EdgeOrder controlOrder() { return edgeOrder == EdgeOrder.LAYER ? EdgeOrder.SHUFFLED : EdgeOrder.LAYER; }

        /** The H of the control runs: the smallest. */
        public int controlH() { return horizons.stream().min(Integer::compare).orElseThrow(); }

        /** Updates per control run: the longest budget of any H, several times what the main order needs at controlH. */
        public int controlSteps() { return steps.stream().max(Integer::compare).orElseThrow(); }

        /** The training settings of run c. */
        TrainConfig training(long seed, Cell c) {
            return adam.training(seed, c.order() == edgeOrder ? steps(c.H()) : controlSteps(), batch, dataset);
        }

        /** The model for {@code task}: its vocabulary and room for its longest prompt + response - 1. */
        GptConfig model(GraphTask task) {
            return new GptConfig(task.vocabSize(), task.maxPromptLength() + task.maxResponseLength() - 1, layers, heads, dModel);
        }
    }

    /** The columns of metrics.csv: the run (edge order, H, seed, step), mixed figures, then KL and Cov_16 within each class. */
    public static List<String> header() {
        List<String> h = new ArrayList<>(List.of("edge_order", "H", "seed", "step", "train_loss", "cross_entropy", "kl"));
        for (double n : NS) h.add(EvalRun.covColumn(n));
        for (String c : CLASSES) h.add("kl_" + c);
        for (String c : CLASSES) h.add(EvalRun.covColumn(HEADLINE_N) + "_" + c);
        return h;
    }


    /** One training run: the prompts' edge order, the horizon and the seed. */
    record Cell(EdgeOrder order, int H, int seed) {
        /** The folder name under cells/: {@code H8_s0}, with the order appended for the control runs. */
        String key(Settings s) {
            return "H" + H + "_s" + seed + (order == s.edgeOrder() ? "" : "_" + order.cliName());
        }

        /** The task of this run's prompts. */
        GraphTask task() { return GraphTasks.byName(GraphTasks.FIG2, H, order); }
    }

    /** Every run: each (H, seed) in the settings' order, longest H first (cells run side by side), then the control runs. */
    static List<Cell> cells(Settings s) {
        List<Cell> out = new ArrayList<>();
        for (int H : s.horizons().stream().sorted(Comparator.reverseOrder()).toList())
            for (int seed = 0; seed < s.seeds(); seed++) out.add(new Cell(s.edgeOrder(), H, seed));
        for (int seed = 0; seed < s.controlSeeds(); seed++) out.add(new Cell(s.controlOrder(), s.controlH(), seed));
        return out;
    }

    /** Runs every cell (skipping finished ones, resuming interrupted ones) and writes metrics.csv. */
    public static CsvTable run(Settings s, RunFolder run, int threads) {
        List<Cell> all = cells(s);
        int modelThreads = CellRunner.threadsPerCell(threads, all.size());
        List<CellRunner.Cell> cells = all.stream()
                .map(c -> new CellRunner.Cell(c.key(s), () -> cell(s, run, c, modelThreads))).toList();
        CsvTable sorted = sorted(CellRunner.run(run, NAME, header(), Math.min(threads, cells.size()), cells), s.edgeOrder());
        sorted.write(run.file("metrics.csv"));
        return sorted;
    }

    /** One training run, evaluated at every checkpoint: rows of {@link #header()}. */
    static List<Object[]> cell(Settings s, RunFolder run, Cell c, int threads) {
        GraphTask task = c.task();
        GptCell.Spec spec = spec(s, run, c);
        try (Parallel pool = new Parallel(threads)) {
            return GptCell.train(spec, task, p -> Trainer.initialModel(s.model(task), spec.training().seed(), p), header(),
                    evaluation(s, run.seed(), c), pool, NAME + " H=" + c.H() + " seed " + c.seed()
                            + (c.order() == s.edgeOrder() ? "" : " (" + c.order() + " edges)"));
        }
    }

    /**
     * Where and how a run trains: {@code cells/KEY/}, a checkpoint (and evaluation) every evalEvery, the newest kept. A
     * control run has the seed (so the initial weights and the graphs) of the same (H, seed) in the main order.
     */
    static GptCell.Spec spec(Settings s, RunFolder run, Cell c) {
        long trainSeed = new Seeds(run.seed()).child("fig2/H" + c.H() + "/seed" + c.seed()).master();
        return new GptCell.Spec(run.file("cells/" + c.key(s) + "/.keep").getParent(), TaskSpec.of(c.task()),
                s.training(trainSeed, c), new CheckpointPolicy(s.evalEvery(), 1, 0));
    }

    /** The exact evaluation of a checkpoint: one row of {@link #header()}. */
    static GptCell.Evaluation evaluation(Settings s, long master, Cell c) {
        Function<AutoregressiveModel, Map<String, Double>> exact = exactColumns(c.task(), s.promptsPerClass(), master);
        return (step, model, loss) -> {
            Map<String, Double> v = exact.apply(model);
            List<Object> row = new ArrayList<>(List.of(c.order().cliName(), c.H(), c.seed(), step, loss));
            for (String col : header().subList(row.size(), header().size())) row.add(v.get(col));
            return List.<Object[]>of(row.toArray());
        };
    }

    /**
     * The exact figures of a model on H's validation set, by column name: cross_entropy, kl, cov@N for N in {@link #NS},
     * and kl_G and cov@16_G within each class. The validation prompts are the same for every run of an H (seeded by
     * the master seed and H alone), so runs differ by training only.
     */
    static Function<AutoregressiveModel, Map<String, Double>> exactColumns(GraphTask task, int promptsPerClass, long master) {
        Map<String, List<Prompt>> prompts = ExactEval.validationPrompts(task, promptsPerClass,
                new Seeds(master).child("fig2/H" + task.H() + "/validation").master());
        List<WeightedSequence> seqs = ExactEval.supportSequences(task, prompts);
        double[] ns = NS.stream().mapToDouble(Double::doubleValue).toArray();
        int headline = NS.indexOf(HEADLINE_N);
        return model -> {
            List<ExactEval.Figures> figures = ExactEval.figures(ExactEval.records(task, model, seqs), ns, new int[0]);
            ExactEval.Figures mixed = figures.get(0);
            Map<String, Double> v = new LinkedHashMap<>();
            v.put("cross_entropy", mixed.crossEntropy());
            v.put("kl", mixed.kl());
            for (int i = 0; i < ns.length; i++) v.put(EvalRun.covColumn(ns[i]), mixed.coverage()[i]);
            for (String g : CLASSES) v.put("kl_" + g, byGroup(figures, g).kl());
            for (String g : CLASSES) v.put(EvalRun.covColumn(HEADLINE_N) + "_" + g, byGroup(figures, g).coverage()[headline]);
            return v;
        };
    }

    private static ExactEval.Figures byGroup(List<ExactEval.Figures> figures, String group) {
        return figures.stream().filter(f -> f.group().equals(group)).findFirst().orElseThrow();
    }

    /** The main order's rows first, then the control's; each by (H, seed, step). */
    private static CsvTable sorted(CsvTable t, EdgeOrder main) {
        List<CsvTable.Row> rows = new ArrayList<>(t.rows());
        rows.sort(Comparator.comparing((CsvTable.Row r) -> !r.get("edge_order").equals(main.cliName()))
                .thenComparingLong(r -> r.integer("H")).thenComparingLong(r -> r.integer("seed"))
                .thenComparingLong(r -> r.integer("step")));
        CsvTable out = new CsvTable(t.header());
        for (CsvTable.Row r : rows) out.addRow(t.header().stream().map(r::get).toArray());
        return out;
    }

    /** The rows of runs in {@code order}. */
    public static CsvTable rowsIn(CsvTable t, EdgeOrder order) {
        CsvTable out = new CsvTable(t.header());
        for (CsvTable.Row r : t.rows()) if (r.get("edge_order").equals(order.cliName())) out.addRow(t.header().stream().map(r::get).toArray());
        return out;
    }
}
