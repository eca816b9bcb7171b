package org.covlab.experiment;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.covlab.decode.TttGpt;
import org.covlab.decode.TttSettings;
import org.covlab.eval.EvalRun;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.Gpt;
import org.covlab.model.GptConfig;
import org.covlab.report.CsvTable;
import org.covlab.report.RunFolder;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;
import org.covlab.tensor.Parallel;
import org.covlab.train.CheckpointPolicy;
import org.covlab.train.DivergedException;
import org.covlab.train.LrSchedule;
import org.covlab.train.Optimizer;
import org.covlab.train.TaskData;
import org.covlab.train.TaskSpec;
import org.covlab.train.TrainConfig;
import org.covlab.train.Trainer;
import org.covlab.util.Seeds;

/**
 * Experiment {@code gpt-interventions} (paper sections 5 and 6.3 on the transformer; issue 13): do the paper's
 * training interventions, proved for the linear model, matter for a GPT on {@code fig2} as the horizon H grows?
 *
 * <p>Protocol. For each optimizer (sequence-level SGD, Eq. 14; normalized SGD, Eq. 18; SignSGD, Eq. 20; AdamW), each
 * step size of its grid, each H and seed, a GPT is trained for the same T updates from the same initial weights and
 * data (those of the (H, seed)), and every checkpoint gets the exact KL and Cov_N of fig2-horizon's evaluation
 * ({@link Fig2Horizon#exactColumns}). The grid runs on the first {@code gridSeeds} seeds; from them each optimizer's
 * best step per H and its one fixed step for every H ({@link StepChoice}) get the remaining seeds. Then the simple
 * and offset tournaments and min-CE pick one checkpoint of every run at N = 16, beside the oracle lowest true
 * Cov_16 ({@link GptInterventionsSelection}).
 *
 * <p>Every run is one cell in {@code cells/KEY/} ({@link GptCell}: resumable, skipped once finished). A checkpoint
 * is evaluated plainly; the last checkpoints of the chosen runs also with test-time training ({@link GptInterventionsTtt}).
 */
public final class GptInterventions {
    private GptInterventions() {}

    public static final String NAME = "gpt-interventions";
    /** The optimizers, in the order of the report; {@code optimizer} in metrics.csv takes their command-line names. */
    public static final List<Optimizer.Kind> OPTIMIZERS = List.of(Optimizer.Kind.SGD, Optimizer.Kind.NORMALIZED, Optimizer.Kind.SIGN,
            Optimizer.Kind.ADAMW);
    /** The N at which the tournaments select (and the oracle reads the true Cov_N). */
    public static final double SELECTION_N = 16;

    /** How a checkpoint is decoded when it is evaluated ({@code decoder} in metrics.csv). */
    public enum Decoder {
        /** The model as trained. */
        PLAIN,
        /** Test-time training from the trained weights (Eq. 22 as dynamic evaluation, {@link TttGpt}); {@link GptInterventionsTtt}. */
        TTT;

        public String cliName() { return name().toLowerCase(java.util.Locale.ROOT); }

        /** The distribution this decoder samples from, given the trained weights and TTT's update. */
        AutoregressiveModel wrap(Gpt model, TttSettings ttt) { return this == PLAIN ? model : new TttGpt(model, ttt); }
    }

    /** One optimizer's step sizes to try, ascending. */
    public record Grid(Optimizer.Kind optimizer, List<Double> lrs) {
        public Grid {
            lrs = List.copyOf(lrs);
            if (optimizer == null || lrs.isEmpty() || lrs.stream().anyMatch(lr -> !(lr > 0)) || !lrs.equals(lrs.stream().sorted().toList()))
                throw new IllegalArgumentException("a step-size grid needs positive rates in ascending order, got " + lrs);
        }
    }

    /**
     * @param scale           the named size (recorded in config.json)
     * @param horizons        the H grid (even, >= 8)
     * @param steps           T, updates per run, the same at every H (Prop. 5.1's H/T is at a fixed T)
     * @param gridSeeds       seeds on which every step size of every grid runs (the choice of steps reads these)
     * @param seeds           seeds of the chosen steps (>= gridSeeds)
     * @param layers          transformer blocks
     * @param heads           attention heads
     * @param dModel          width
     * @param batch           K, sequences per update
     * @param dataset         fixed dataset size
     * @param evalEvery       updates between checkpoints, each evaluated exactly and a selection candidate
     * @param promptsPerClass validation prompts per class of the exact evaluation
     * @param grids           each optimizer's step sizes
     * @param adam            AdamW's warm-up, beta2 and clipping (its rate comes from the grid)
     * @param ttt             the ttt decoder's update, applied to the last checkpoint of each optimizer's best step per H on the
     *                        grid seeds ({@link TttSettings#OFF}: no ttt rows)
     * @param selectionPairs  n, validation pairs from pi_D for the tournament and min-CE
     * @param offsetPairs     the offset tournament's prompts (the first of the n pairs)
     * @param onPolicy        M, on-policy samples per prompt and checkpoint for the offset tournament
     */
    public record Settings(Scale scale, List<Integer> horizons, int steps, int gridSeeds, int seeds, int layers, int heads, int dModel,
                           int batch, int dataset, int evalEvery, int promptsPerClass, List<Grid> grids, AdamRecipe adam,
                           TttSettings ttt, int selectionPairs, int offsetPairs, int onPolicy) {
        public Settings {
            horizons = List.copyOf(horizons);
            grids = List.copyOf(grids);
            if (horizons.isEmpty() || horizons.stream().anyMatch(h -> h < 8 || h % 2 != 0))
                throw new IllegalArgumentException("fig2 needs even H >= 8, got " + horizons);
            if (!grids.stream().map(Grid::optimizer).toList().equals(OPTIMIZERS))
                throw new IllegalArgumentException("one grid per optimizer, in the order " + OPTIMIZERS);
            if (adam == null || ttt == null || steps < 1 || gridSeeds < 1 || seeds < gridSeeds || layers < 1 || heads < 1
                    || dModel % heads != 0 || batch < 1 || dataset < 1 || evalEvery < 1 || promptsPerClass < 1 || selectionPairs < 1
                    || offsetPairs < 1 || offsetPairs > selectionPairs || onPolicy < 1)
                throw new IllegalArgumentException("gpt-interventions settings out of range");
        }

        /**
         * The named sizes. Small and demo: fig2-horizon's model and batch, the step grids from the tuning log
         * (docs/results.md); AdamW is fig2-horizon's small recipe. Paper: section 4.3's model, batch and updates.
         */
        public static Settings of(Scale scale, Integer seeds) {
            // the paper's K = 1; eta 0.01 moves the small model's figures without diverging (docs/training.md's grid)
            TttSettings ttt = new TttSettings(1, 0.01);
            AdamRecipe adam = AdamRecipe.constant(2e-3, 100, 0.95, 1.0);
            return switch (scale) {
                case DEMO -> new Settings(scale, List.of(8, 16), 300, 1, or(seeds, 1), 2, 4, 64, 32, 64_000, 50, 16,
                        grids(List.of(0.03), List.of(1.0), List.of(1e-3), List.of(2e-3)), adam, ttt, 128, 32, 1);
                case SMALL -> new Settings(scale, Fig2Horizon.PAPER_HORIZONS, 400, 1, or(seeds, 3), 2, 4, 64, 32, 64_000, 50, 32,
                        grids(List.of(0.015, 0.03, 0.06), List.of(0.3, 1.0, 2.0), List.of(3e-4, 1e-3, 3e-3), List.of(1e-3, 2e-3, 5e-3)),
                        adam, ttt, 256, 64, 1);
                case PAPER -> new Settings(scale, Fig2Horizon.PAPER_HORIZONS, 40_000, 1, or(seeds, 16), 6, 4, 384, TrainConfig.PAPER_BATCH,
                        TrainConfig.PAPER_DATASET, 1000, 1024,
                        grids(List.of(0.015, 0.03, 0.06), List.of(0.3, 1.0, 2.0), List.of(3e-5, 1e-4, 3e-4), List.of(5e-5, 1e-4, 5e-4)),
                        AdamRecipe.paper(TrainConfig.PAPER_LR), ttt, 4096, 512, 2);
                // a one-layer d 16 model, 20 updates at H = 8 (seconds per cell): tests of resume and Spark
                case TINY -> new Settings(scale, List.of(8), 20, 1, or(seeds, 1), 1, 2, 16, 4, 512, 5, 2,
                        grids(List.of(0.03), List.of(1.0), List.of(1e-3), List.of(2e-3)), adam, ttt, 8, 4, 1);
            };
        }

        private static List<Grid> grids(List<Double> sgd, List<Double> normalized, List<Double> sign, List<Double> adamw) {
            return List.of(new Grid(Optimizer.Kind.SGD, sgd), new Grid(Optimizer.Kind.NORMALIZED, normalized),
                    new Grid(Optimizer.Kind.SIGN, sign), new Grid(Optimizer.Kind.ADAMW, adamw));
        }

        private static int or(Integer v, int dflt) { return v == null ? dflt : v; }

        /**
         * The training settings of a run: AdamW with the recipe's warm-up, beta2, clipping and weight decay; the paper's
         * rules (Eqs. 14, 18, 20) at a constant step with no warm-up, clipping or weight decay, and Eq. 18's lambda = 1.
         */
        TrainConfig training(long seed, Optimizer.Kind kind, double lr) {
            if (kind == Optimizer.Kind.ADAMW)
                return new AdamRecipe(lr, adam.warmup(), adam.cosine() ? adam.minLr() : lr, adam.beta2(), adam.clip())
                        .training(seed, steps, batch, dataset);
            return new TrainConfig(seed, steps, batch, LrSchedule.constant(lr), Optimizer.Settings.of(kind, 0, Optimizer.Defaults.LAMBDA),
                    TaskData.LossOn.RESPONSE, dataset);
        }

        GptConfig model(GraphTask task) {
            return new GptConfig(task.vocabSize(), task.maxPromptLength() + task.maxResponseLength() - 1, layers, heads, dModel);
        }

        Grid grid(Optimizer.Kind kind) { return grids.get(OPTIMIZERS.indexOf(kind)); }
    }

    /** metrics.csv: the run (optimizer, decoder, H, seed), the checkpoint (step, lr), the exact figures, the training loss. */
    public static List<String> header() {
        List<String> h = new ArrayList<>(List.of("optimizer", "decoder", "H", "seed", "step", "lr", "kl", "cross_entropy"));
        for (double n : Fig2Horizon.NS) h.add(EvalRun.covColumn(n));
        for (String c : Fig2Horizon.CLASSES) h.add("kl_" + c);
        for (String c : Fig2Horizon.CLASSES) h.add(EvalRun.covColumn(Fig2Horizon.HEADLINE_N) + "_" + c);
        h.add("train_loss");
        return h;
    }

    /** One training run. */
    record Cell(Optimizer.Kind optimizer, double lr, int H, int seed) {
        /** The folder name under cells/: {@code sgd_lr0.03_H8_s0}. */
        String key() { return optimizer.cliName() + "_lr" + label(lr) + "_H" + H + "_s" + seed; }

        GraphTask task() { return GraphTasks.byName(GraphTasks.FIG2, H); }
    }

    /** A step size as written in keys and reports: the shortest decimal, no exponent (0.003, 1). */
    static String label(double lr) { return new BigDecimal(Double.toString(lr)).stripTrailingZeros().toPlainString(); }

    /** The tables of a run. */
    public record Tables(CsvTable metrics, CsvTable selections) {}

    /**
     * Runs (or resumes) the grid, then the chosen steps' other seeds, then the test-time-training evaluations, then the
     * selections; writes both CSVs.
     */
    public static Tables run(Settings s, RunFolder run, int threads) {
        CsvTable grid = train(s, run, gridCells(s), threads, "grid");
        StepChoice choice = StepChoice.of(grid, s);
        List<Cell> more = chosenCells(s, choice);
        CsvTable plain = concat(grid, more.isEmpty() ? new CsvTable(header()) : train(s, run, more, threads, "chosen steps"));
        List<Cell> ttt = GptInterventionsTtt.cells(s, choice);
        CsvTable metrics = sorted(ttt.isEmpty() ? plain : concat(plain, GptInterventionsTtt.run(s, run, ttt, plain, threads)));
        metrics.write(run.file("metrics.csv"));
        List<Cell> all = new ArrayList<>(gridCells(s));
        all.addAll(more);
        CsvTable selections = GptInterventionsSelection.run(s, run, all, metrics, threads);
        selections.write(run.file("selections.csv"));
        return new Tables(metrics, selections);
    }

    /** Every grid step of every optimizer at every H on the grid seeds; the longest H first (cells run side by side). */
    static List<Cell> gridCells(Settings s) {
        List<Cell> out = new ArrayList<>();
        for (int H : s.horizons().stream().sorted(Comparator.reverseOrder()).toList())
            for (Grid g : s.grids())
                for (double lr : g.lrs())
                    for (int seed = 0; seed < s.gridSeeds(); seed++) out.add(new Cell(g.optimizer(), lr, H, seed));
        return out;
    }

    /** The chosen steps (best per H, the fixed one) on the seeds past the grid's. */
    static List<Cell> chosenCells(Settings s, StepChoice choice) {
        Set<Cell> out = new LinkedHashSet<>();
        for (int H : s.horizons().stream().sorted(Comparator.reverseOrder()).toList())
            for (Optimizer.Kind k : OPTIMIZERS)
                for (double lr : List.of(choice.best(k, H), choice.fixed(k)))
                    for (int seed = s.gridSeeds(); seed < s.seeds(); seed++) out.add(new Cell(k, lr, H, seed));
        return List.copyOf(out);
    }

    private static CsvTable train(Settings s, RunFolder run, List<Cell> cells, int threads, String title) {
        int modelThreads = CellRunner.threadsPerCell(threads, cells.size());
        List<CellRunner.Cell> work = cells.stream().map(c -> new CellRunner.Cell(c.key(), () -> cell(s, run, c, modelThreads))).toList();
        return CellRunner.run(run, NAME + " " + title, header(), Math.min(threads, work.size()), work);
    }

    /**
     * One training run, evaluated at every checkpoint (plain decoding): rows of {@link #header()}. A run that diverges
     * (a step too large for its H) ends with one row at the next evaluation point, every figure NaN: it stops there.
     */
    static List<Object[]> cell(Settings s, RunFolder run, Cell c, int threads) {
        GraphTask task = c.task();
        GptCell.Spec spec = spec(s, run, c);
        Function<AutoregressiveModel, Map<String, Double>> exact = Fig2Horizon.exactColumns(task, s.promptsPerClass(), run.seed());
        try (Parallel pool = new Parallel(threads)) {
            return GptCell.train(spec, task, p -> Trainer.initialModel(s.model(task), spec.training().seed(), p), header(),
                    (step, model, loss) -> List.<Object[]>of(evaluate(c, step, loss, Decoder.PLAIN, exact.apply(model))),
                    pool, NAME + " " + c.key());
        } catch (DivergedException e) {
            System.err.println("covlab: " + e.getMessage() + "; the run stops there");
            CsvTable done = CsvTable.read(spec.dir().resolve(GptCell.ROWS));
            List<Object[]> rows = new ArrayList<>();
            for (CsvTable.Row r : done.rows()) rows.add(header().stream().map(r::get).toArray());
            int next = Math.min(s.steps(), (int) done.row(done.rowCount() - 1).integer("step") + s.evalEvery());
            rows.add(evaluate(c, next, Double.NaN, Decoder.PLAIN, Map.of()));
            return rows;
        }
    }

    /**
     * The seam between a run and a decoder: one row of {@link #header()} for the checkpoint at {@code step} decoded with
     * {@code decoder}, from {@code figures}, the exact evaluation of the distribution it decodes from
     * ({@link Fig2Horizon#exactColumns} of {@link Decoder#wrap}; empty: a diverged run, every figure NaN).
     */
    static Object[] evaluate(Cell c, int step, double loss, Decoder decoder, Map<String, Double> figures) {
        List<Object> row = new ArrayList<>(List.of(c.optimizer().cliName(), decoder.cliName(), c.H(), c.seed(), step, c.lr()));
        List<String> h = header();
        for (String col : h.subList(row.size(), h.size() - 1)) row.add(figures.getOrDefault(col, Double.NaN));
        row.add(loss);
        return row.toArray();
    }

    /** A run's folder: {@code cells/KEY/} (its rows and checkpoints). */
    static java.nio.file.Path dir(RunFolder run, Cell c) { return run.file("cells/" + c.key() + "/.keep").getParent(); }

    /** Where a run trains: {@code cells/KEY/}, a checkpoint every evalEvery, all kept (the selection's candidates). */
    static GptCell.Spec spec(Settings s, RunFolder run, Cell c) {
        // every optimizer and step of an (H, seed) starts from the same weights and reads the same data
        long trainSeed = new Seeds(run.seed()).child(NAME + "/H" + c.H() + "/seed" + c.seed()).master();
        return new GptCell.Spec(dir(run, c), TaskSpec.of(c.task()),
                s.training(trainSeed, c.optimizer(), c.lr()), CheckpointPolicy.every(s.evalEvery()));
    }

    /** A run's plain-decoder rows, by step (with a diverged run's NaN row). */
    static List<CsvTable.Row> rowsOf(CsvTable metrics, Cell c) {
        String lr = label(c.lr());
        return metrics.rows().stream().filter(r -> r.get("optimizer").equals(c.optimizer().cliName()) && r.integer("H") == c.H()
                && r.integer("seed") == c.seed() && label(r.number("lr")).equals(lr) && r.get("decoder").equals(Decoder.PLAIN.cliName())).toList();
    }

    private static CsvTable concat(CsvTable a, CsvTable b) {
        CsvTable out = new CsvTable(header());
        for (CsvTable t : List.of(a, b)) for (CsvTable.Row r : t.rows()) out.addRow(header().stream().map(r::get).toArray());
        return out;
    }

    /** By optimizer (report order), decoder, H, lr, seed, step. */
    private static CsvTable sorted(CsvTable t) {
        List<CsvTable.Row> rows = new ArrayList<>(t.rows());
        rows.sort(Comparator.comparingInt((CsvTable.Row r) -> OPTIMIZERS.indexOf(Optimizer.Kind.parse(r.get("optimizer"))))
                .thenComparing(r -> r.get("decoder")).thenComparingLong(r -> r.integer("H")).thenComparingDouble(r -> r.number("lr"))
                .thenComparingLong(r -> r.integer("seed")).thenComparingLong(r -> r.integer("step")));
        CsvTable out = new CsvTable(t.header());
        for (CsvTable.Row r : rows) out.addRow(t.header().stream().map(r::get).toArray());
        return out;
    }
}
