package org.covlab.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.covlab.decode.Sampler;
import org.covlab.eval.CheckpointLogProbs;
import org.covlab.eval.EvalRun;
import org.covlab.eval.ExactEval;
import org.covlab.eval.SampledPassAtN;
import org.covlab.eval.WeightedSequence;
import org.covlab.metric.Estimate;
import org.covlab.metric.PassAtN;
import org.covlab.model.Gpt;
import org.covlab.model.GptConfig;
import org.covlab.report.CsvTable;
import org.covlab.report.RunFolder;
import org.covlab.select.LogProbJsonl;
import org.covlab.select.LogProbTable;
import org.covlab.select.MinCrossEntropy;
import org.covlab.select.OffsetTournament;
import org.covlab.select.OracleBestCoverage;
import org.covlab.select.Selection;
import org.covlab.select.Selector;
import org.covlab.select.SimpleTournament;
import org.covlab.task.Prompt;
import org.covlab.task.graph.EdgeOrder;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;
import org.covlab.tensor.Parallel;
import org.covlab.train.Checkpoint;
import org.covlab.train.CheckpointPolicy;
import org.covlab.train.Checkpoints;
import org.covlab.train.TaskData;
import org.covlab.train.TaskSpec;
import org.covlab.train.TrainConfig;
import org.covlab.train.Trainer;
import org.covlab.util.Seeds;

/**
 * Experiment {@code fig1-selection} (paper App. C.2, Fig. 1; notes section 4.2): over the checkpoints of a fine-tuning
 * run, does coverage predict Best-of-N (Pass@N) better than KL, and does the coverage tournament pick a better
 * checkpoint for Best-of-N than the minimum-KL one?
 *
 * <p>Protocol, per seed (one cell each step, resumable and cached):
 * <ol>
 *   <li>train: pre-train a GPT on {@code fig1-pretrain} (G1, G2, G3 at 1/3 each) from a fixed dataset, then fine-tune it
 *       online on {@code fig1-finetune} (G1 0.9, G2 0.1) with a fresh AdamW at a smaller rate, checkpointing every
 *       {@code checkpointEvery} updates. Each fine-tuning checkpoint gets the exact KL, Cov_N for N in {2, 3, 4, 4.6, 5.7}
 *       and Pass@N for N in {4, 8, 12} against the fine-tuning pi_D ({@link ExactEval}; pi_D is deterministic per class,
 *       so Pass@N(x) = 1 - (1 - pi_hat(y*|x))^N exactly);</li>
 *   <li>select: n validation pairs (x, y) ~ pi_D of the fine-tuning distribution, scored by every checkpoint; the simple
 *       tournament (Eq. 29) at N in {2, 4, 5.7} (the Cov_{N/2} paired with Pass@{4, 8, 12} in Fig. 1), min-CE (lowest
 *       validation cross-entropy, = min-KL) and the oracle lowest true Cov_N; the offset tournament (Eq. 32) on the first
 *       {@code offsetPairs} of those pairs with M on-policy samples per prompt from every checkpoint. The log-prob tables
 *       are kept as JSONL ({@code covlab select --logprobs} reads them);</li>
 *   <li>check: for the selected checkpoints and the first and last, Pass@N by sampling N responses per prompt (the
 *       correct-path verifier) on fresh prompts, beside the exact value on the same prompts.</li>
 * </ol>
 */
public final class Fig1Selection {
    private Fig1Selection() {}

    public static final String NAME = "fig1-selection";
    /** Fig. 1's tail levels. */
    public static final List<Double> NS = List.of(2.0, 3.0, 4.0, 4.6, 5.7);
    /** Fig. 1's Best-of-N sizes. */
    public static final List<Integer> PASS_NS = List.of(4, 8, 12);
    /** The Cov_N the paper plots against each Pass@N (Cov2 - Pass@4, Cov4 - Pass@8, Cov5.7 - Pass@12), and the tournaments' N. */
    public static final List<Double> PAIRED_NS = List.of(2.0, 4.0, 5.7);
    public static final List<String> CLASSES = List.of("G1", "G2");
    public static final String LOGPROBS = "selection-logprobs.jsonl", OFFSET_LOGPROBS = "selection-offset-logprobs.jsonl";

    /**
     * @param scale           the named size (recorded in config.json)
     * @param edgeOrder       how the prompts list the edges (docs/tasks.md, Q5)
     * @param H               intermediate layers of the graphs (the paper's L = 8)
     * @param seeds           independent pre-train + fine-tune runs
     * @param layers          transformer blocks
     * @param heads           attention heads
     * @param dModel          width
     * @param batch           sequences per update (both phases)
     * @param pretrainSteps   pre-training updates (the paper: 200k)
     * @param pretrain        pre-training's optimizer and schedule (the paper: AdamW at a fixed 1e-4)
     * @param pretrainDataset fixed pre-training dataset size (the paper: 8 x 64,000)
     * @param finetuneSteps   online fine-tuning updates (the paper: 50k)
     * @param finetune        fine-tuning's optimizer, a fresh AdamW at a fixed rate (the paper: 5e-6)
     * @param checkpointEvery fine-tuning updates between checkpoints (the candidates)
     * @param promptsPerClass exact-evaluation prompts per class
     * @param selectionPairs  n, validation pairs from the fine-tuning pi_D for the tournament and min-CE
     * @param offsetA         the offset tournament's a (gamma = N^a)
     * @param offsetPairs     the offset tournament's prompts (the first of the n pairs)
     * @param onPolicy        M, on-policy samples per prompt and checkpoint for the offset tournament
     * @param passCheckPrompts prompts for the sampled Pass@N check
     */
    public record Settings(Scale scale, EdgeOrder edgeOrder, int H, int seeds, int layers, int heads, int dModel, int batch,
                           int pretrainSteps, AdamRecipe pretrain, int pretrainDataset, int finetuneSteps, AdamRecipe finetune,
                           int checkpointEvery, int promptsPerClass, int selectionPairs, double offsetA, int offsetPairs, int onPolicy,
                           int passCheckPrompts) {
        public Settings {
            if (edgeOrder == null || pretrain == null || finetune == null || finetune.cosine() || H < 2 || seeds < 1 || layers < 1
                    || heads < 1 || dModel % heads != 0 || batch < 1 || pretrainSteps < 1 || finetuneSteps < 1 || checkpointEvery < 1
                    || pretrainDataset < 1 || promptsPerClass < 1 || selectionPairs < 1 || offsetPairs < 1 || offsetPairs > selectionPairs
                    || onPolicy < 1 || passCheckPrompts < 1 || !(offsetA >= 0))
                throw new IllegalArgumentException("fig1-selection settings out of range");
        }

        /**
         * The named sizes: the paper's from section 4.2; small and demo tuned on 2 cores (docs/results.md has the tuning
         * log): AdamW with beta2 0.95 and clipping, a cosine decay of pre-training to 5e-4, and fine-tuning at that rate
         * (the paper fine-tunes at 1/20 of its rate but for 50k updates; 1/20 barely moved our 1,500).
         */
        public static Settings of(Scale scale, Integer seeds, EdgeOrder order) {
            return switch (scale) {
                case DEMO -> new Settings(scale, order, 4, or(seeds, 1), 2, 4, 64, 32, 6000, new AdamRecipe(5e-3, 100, 5e-4, 0.95, 1.0),
                        512_000, 600, AdamRecipe.constant(5e-4, 0, 0.95, 1.0), 50, 64, 512, A, 64, 1, 128);
                case SMALL -> new Settings(scale, order, 8, or(seeds, 1), 2, 4, 64, 32, 50_000, new AdamRecipe(5e-3, 100, 5e-4, 0.95, 1.0),
                        512_000, 1500, AdamRecipe.constant(5e-4, 0, 0.95, 1.0), 100, 128, 1024, A, 128, 1, 256);
                case PAPER -> new Settings(scale, order, GraphTasks.DEFAULT_H, or(seeds, 3), 6, 4, 384, TrainConfig.PAPER_BATCH, 200_000,
                        AdamRecipe.paper(TrainConfig.PAPER_LR), TrainConfig.PAPER_DATASET, 50_000, AdamRecipe.paper(5e-6), 1000, 1024, 4096,
                        A, 512, 2, 1024);
                // a one-layer d 16 model, 40 + 20 updates at H = 4 (seconds per cell): tests of resume and Spark
                case TINY -> new Settings(scale, order, 4, or(seeds, 2), 1, 2, 16, 8, 40, AdamRecipe.constant(3e-3, 0, 0.95, 1.0), 512,
                        20, AdamRecipe.constant(1e-3, 0, 0.95, 1.0), 5, 8, 32, A, 8, 1, 16);
            };
        }

        /** a = 0.1, as tournament-vs-mle: the on-policy penalty weighs 2 N^0.1 (2.1 to 2.4 at N = 2 to 5.7). */
        static final double A = 0.1;

        private static int or(Integer v, int dflt) { return v == null ? dflt : v; }

        TrainConfig pretraining(long seed) {
            return pretrain.training(seed, pretrainSteps, batch, pretrainDataset);
        }

        TrainConfig finetuning(long seed) {
            return finetune.training(seed, finetuneSteps, batch, TaskData.ONLINE);
        }

        /** The task {@code name} (fig1-pretrain or fig1-finetune) at this H and edge order. */
        GraphTask task(String name) {
            return GraphTasks.byName(name, H, edgeOrder);
        }

        GptConfig model(GraphTask task) {
            return new GptConfig(task.vocabSize(), task.maxPromptLength() + task.maxResponseLength() - 1, layers, heads, dModel);
        }
    }

    /** metrics.csv: one row per (seed, fine-tuning checkpoint). */
    public static List<String> header() {
        List<String> h = new ArrayList<>(List.of("seed", "step", "train_loss", "cross_entropy", "kl"));
        for (double n : NS) h.add(EvalRun.covColumn(n));
        for (int n : PASS_NS) h.add(passColumn(n));
        for (String c : CLASSES) h.add("kl_" + c);
        return h;
    }

    /** pretrain.csv: the pre-training run's loss and its KL to the fine-tuning pi_D, per checkpoint. */
    public static List<String> pretrainHeader() {
        return List.of("seed", "step", "train_loss", "kl_finetune");
    }

    /** selections.csv: one row per (seed, method, N): the chosen checkpoint and its figures. */
    public static List<String> selectionHeader() {
        List<String> h = new ArrayList<>(List.of("seed", "method", "N", "pairs", "chosen", "step", "score"));
        h.add("kl");
        for (double n : NS) h.add(EvalRun.covColumn(n));
        for (int n : PASS_NS) h.add(passColumn(n));
        return h;
    }

    /** pass_check.csv: exact against sampled Pass@N on the same prompts. */
    public static List<String> passCheckHeader() {
        return List.of("seed", "step", "N", "prompts", "exact", "sampled", "lo", "hi");
    }


    public static String passColumn(int n) { return "pass@" + n; }

    /** The three tables of a run (plus pretrain.csv). */
    public record Tables(CsvTable metrics, CsvTable selections, CsvTable passCheck, CsvTable pretrain) {}

    /** Runs the three steps over every seed (skipping finished cells) and writes the CSVs. */
    public static Tables run(Settings s, RunFolder run, int threads) {
        int cellThreads = Math.min(threads, s.seeds()), modelThreads = CellRunner.threadsPerCell(threads, s.seeds());
        CsvTable metrics = eachSeed(run, s.seeds(), cellThreads, "train", "train", header(), "metrics.csv",
                seed -> train(s, run, seed, modelThreads));
        CsvTable pretrain = new CsvTable(pretrainHeader());
        for (int seed = 0; seed < s.seeds(); seed++)
            for (CsvTable.Row r : CsvTable.read(cellDir(run, seed).resolve("pretrain").resolve(GptCell.ROWS)).rows())
                pretrain.addRow(pretrainHeader().stream().map(r::get).toArray());
        pretrain.write(run.file("pretrain.csv"));

        CsvTable selections = eachSeed(run, s.seeds(), cellThreads, "select", "select", selectionHeader(), "selections.csv",
                seed -> select(s, run, seed, metrics, modelThreads));
        CsvTable passCheck = eachSeed(run, s.seeds(), cellThreads, "passcheck", "Pass@N by sampling", passCheckHeader(),
                "pass_check.csv", seed -> passCheck(s, run, seed, selections, modelThreads));
        return new Tables(metrics, selections, passCheck, pretrain);
    }

    /** One step for every seed, a cell {@code KEY_sSEED} each (skipped once finished); all rows go to {@code file}. */
    private static CsvTable eachSeed(RunFolder run, int seeds, int cellThreads, String key, String title, List<String> header,
                                     String file, IntFunction<List<Object[]>> cell) {
        List<CellRunner.Cell> cells = new ArrayList<>();
        for (int seed = 0; seed < seeds; seed++) {
            int f = seed;
            cells.add(new CellRunner.Cell(key + "_s" + seed, () -> cell.apply(f)));
        }
        CsvTable rows = CellRunner.run(run, NAME + " " + title, header, cellThreads, cells);
        rows.write(run.file(file));
        return rows;
    }

    static Path cellDir(RunFolder run, int seed) {
        return run.file("cells/s" + seed + "/.keep").getParent();
    }

    /** The exact-evaluation set: the same prompts for every seed, from the fine-tuning mixture. */
    static List<WeightedSequence> evaluationSet(Settings s, GraphTask finetune, long master) {
        Map<String, List<Prompt>> prompts = ExactEval.validationPrompts(finetune, s.promptsPerClass(), new Seeds(master).child("fig1/validation").master());
        return ExactEval.supportSequences(finetune, prompts);
    }

    /** Step 1: pre-train, then fine-tune with an exact evaluation at every checkpoint; rows of {@link #header()}. */
    static List<Object[]> train(Settings s, RunFolder run, int seed, int threads) {
        try (Parallel pool = new Parallel(threads)) {
            pretrain(s, run, seed, pool);
            return finetune(s, run, seed, pool, evaluation(s, run.seed(), seed));
        }
    }

    /** Pre-trains (or resumes) seed's model on fig1-pretrain in {@code cells/s{seed}/pretrain}; its rows go to pretrain.csv. */
    static void pretrain(Settings s, RunFolder run, int seed, Parallel pool) {
        GraphTask pre = s.task(GraphTasks.FIG1_PRETRAIN), fine = s.task(GraphTasks.FIG1_FINETUNE);
        long preSeed = new Seeds(run.seed()).child("fig1/seed" + seed).child("pretrain").master();
        List<WeightedSequence> seqs = evaluationSet(s, fine, run.seed());
        GptCell.Spec spec = new GptCell.Spec(cellDir(run, seed).resolve("pretrain"), TaskSpec.of(pre), s.pretraining(preSeed),
                new CheckpointPolicy(Math.max(1, s.pretrainSteps() / 10), 1, 0));
        GptCell.train(spec, pre, p -> Trainer.initialModel(s.model(pre), preSeed, p), pretrainHeader(), (step, m, loss) -> {
            double kl = ExactEval.figures(ExactEval.records(fine, m, seqs), new double[0], new int[0]).get(0).kl();
            return List.<Object[]>of(new Object[] {seed, step, loss, kl});
        }, pool, NAME + " pre-train seed " + seed);
    }

    /** Fine-tunes (or resumes) from the pre-trained model in {@code cells/s{seed}/finetune}, evaluating every checkpoint. */
    static List<Object[]> finetune(Settings s, RunFolder run, int seed, Parallel pool, GptCell.Evaluation eval) {
        GraphTask fine = s.task(GraphTasks.FIG1_FINETUNE);
        long fineSeed = new Seeds(run.seed()).child("fig1/seed" + seed).child("finetune").master();
        Checkpoint pretrained = GptCell.newest(cellDir(run, seed).resolve("pretrain")).orElseThrow();
        GptCell.Spec spec = new GptCell.Spec(cellDir(run, seed).resolve("finetune"), TaskSpec.of(fine), s.finetuning(fineSeed),
                CheckpointPolicy.every(s.checkpointEvery()));
        return GptCell.train(spec, fine, pretrained::loadModel, header(), eval, pool, NAME + " fine-tune seed " + seed);
    }

    /** The exact evaluation of a fine-tuning checkpoint against the fine-tuning pi_D: one row of {@link #header()}. */
    static GptCell.Evaluation evaluation(Settings s, long master, int seed) {
        GraphTask fine = s.task(GraphTasks.FIG1_FINETUNE);
        List<WeightedSequence> seqs = evaluationSet(s, fine, master);
        double[] ns = NS.stream().mapToDouble(Double::doubleValue).toArray();
        int[] ks = PASS_NS.stream().mapToInt(Integer::intValue).toArray();
        return (step, m, loss) -> {
            List<ExactEval.Figures> figures = ExactEval.figures(ExactEval.records(fine, m, seqs), ns, ks);
            ExactEval.Figures mixed = figures.get(0);
            List<Object> row = new ArrayList<>(List.of(seed, step, loss, mixed.crossEntropy(), mixed.kl()));
            for (double c : mixed.coverage()) row.add(c);
            for (double p : mixed.passAtK()) row.add(p);
            for (String c : CLASSES) row.add(figures.stream().filter(f -> f.group().equals(c)).findFirst().orElseThrow().kl());
            return List.<Object[]>of(row.toArray());
        };
    }

    /** Step 2: the selections of one seed's checkpoints; rows of {@link #selectionHeader()}. */
    static List<Object[]> select(Settings s, RunFolder run, int seed, CsvTable metrics, int threads) {
        GraphTask fine = s.task(GraphTasks.FIG1_FINETUNE);
        Path dir = cellDir(run, seed);
        List<Checkpoints.Entry> entries = GptCell.checkpoints(dir.resolve("finetune"));
        long selSeed = new Seeds(run.seed()).child("fig1/seed" + seed).child("select").master();
        SelectionTables t = logProbTables(fine, entries, s.selectionPairs(), s.offsetPairs(), s.onPolicy(), selSeed, dir, threads);
        return selections(t.table(), t.offset(), rowsOf(metrics, seed), seed, s.offsetA());
    }

    /** The selection input of a run: the tournament's and min-CE's table, and the offset tournament's. */
    record SelectionTables(LogProbTable table, LogProbTable offset) {}

    /**
     * Scores a run's checkpoints for selection: {@code pairs} validation pairs (x, y ~ pi_D) for the tournament and min-CE,
     * the first {@code offsetPairs} of them with {@code onPolicy} samples per prompt from every checkpoint for the offset
     * tournament. Both tables are kept in {@code dir} as JSONL ({@code covlab select --logprobs} reads them).
     */
    static SelectionTables logProbTables(GraphTask task, List<Checkpoints.Entry> entries, int pairs, int offsetPairs, int onPolicy, long seed,
                                 Path dir, int threads) {
        LogProbTable table, offsetTable;
        try (Parallel pool = new Parallel(threads)) {
            table = CheckpointLogProbs.table(task, entries, pairs, 0, seed, pool);
            offsetTable = CheckpointLogProbs.table(task, entries, offsetPairs, onPolicy, seed, pool);
        }
        LogProbJsonl.write(dir.resolve(LOGPROBS), table);
        LogProbJsonl.write(dir.resolve(OFFSET_LOGPROBS), offsetTable);
        return new SelectionTables(table, offsetTable);
    }

    /** Every method's choice on the tables at the paired N (the oracle from each checkpoint's true Cov_N), as rows of {@link #selectionHeader()}. */
    static List<Object[]> selections(LogProbTable table, LogProbTable offsetTable, List<CsvTable.Row> rows, int seed, double a) {
        List<Object[]> out = new ArrayList<>();
        for (Choice c : choices(table, offsetTable, rows, PAIRED_NS, a)) {
            CsvTable.Row r = rows.get(c.selection().chosen());
            List<Object> row = new ArrayList<>(List.of(seed));
            row.addAll(c.columns(r));
            row.add(r.number("kl"));
            for (double n : NS) row.add(r.number(EvalRun.covColumn(n)));
            for (int n : PASS_NS) row.add(r.number(passColumn(n)));
            out.add(row.toArray());
        }
        return out;
    }

    /** One method's pick: the method's name, its N (NaN for min-CE), the validation pairs it read, and its selection. */
    record Choice(String method, double N, int pairs, Selection selection) {
        /** The columns method, N, pairs, chosen, step, score of a selections.csv row ({@code r}: the chosen checkpoint's metrics). */
        List<Object> columns(CsvTable.Row r) {
            return List.of(method, Double.isNaN(N) ? "" : EvalRun.label(N), pairs, selection.chosenName(), r.integer("step"),
                    selection.scores()[selection.chosen()]);
        }
    }

    /**
     * Every method's choice on the tables: the simple and offset tournaments at each N, min-CE (lowest validation
     * cross-entropy, = min-KL), and the oracle lowest true Cov_N at each N, read from the checkpoints' metrics
     * {@code rows} (in the tables' candidate order, with a cov@N column for each N).
     */
    static List<Choice> choices(LogProbTable table, LogProbTable offsetTable, List<CsvTable.Row> rows, List<Double> ns, double a) {
        if (rows.size() != table.K()) throw new IllegalStateException(table.K() + " checkpoints scored, " + rows.size() + " evaluated");
        List<Choice> out = new ArrayList<>();
        for (double N : ns) {
            out.add(new Choice(Selector.TOURNAMENT, N, table.n(), new SimpleTournament(N).select(table)));
            out.add(new Choice(Selector.OFFSET, N, offsetTable.n(), new OffsetTournament(N, a).select(offsetTable)));
        }
        out.add(new Choice(Selector.MIN_CE, Double.NaN, table.n(), new MinCrossEntropy().select(table)));
        for (double N : ns) {
            double[] cov = rows.stream().mapToDouble(r -> r.number(EvalRun.covColumn(N))).toArray();
            out.add(new Choice(Selector.ORACLE, N, 0, new OracleBestCoverage(cov).select(table)));
        }
        return out;
    }

    static List<CsvTable.Row> rowsOf(CsvTable metrics, int seed) {
        return metrics.rows().stream().filter(r -> r.integer("seed") == seed).toList();
    }

    /** Step 3: sampled against exact Pass@N for the chosen checkpoints and the first and last; rows of {@link #passCheckHeader()}. */
    static List<Object[]> passCheck(Settings s, RunFolder run, int seed, CsvTable selections, int threads) {
        GraphTask fine = s.task(GraphTasks.FIG1_FINETUNE);
        List<Checkpoints.Entry> entries = GptCell.checkpoints(cellDir(run, seed).resolve("finetune"));
        Set<Integer> steps = new LinkedHashSet<>(List.of(entries.get(0).step()));
        selections.rows().stream().filter(r -> r.integer("seed") == seed).forEach(r -> steps.add((int) r.integer("step")));
        steps.add(entries.get(entries.size() - 1).step());
        Seeds seeds = new Seeds(run.seed()).child("fig1/seed" + seed).child("pass-check");
        SplittableRandom promptRng = seeds.stream("prompts");
        List<Prompt> prompts = new ArrayList<>();
        for (int i = 0; i < s.passCheckPrompts(); i++) prompts.add(fine.samplePrompt(promptRng));
        int[][] xs = new int[prompts.size()][], ys = new int[prompts.size()][];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = prompts.get(i).tokens();
            ys[i] = fine.support(prompts.get(i)).orElseThrow().get(0).tokens();
        }
        int[] ns = PASS_NS.stream().mapToInt(Integer::intValue).toArray();
        List<Object[]> out = new ArrayList<>();
        try (Parallel pool = new Parallel(threads)) {
            for (int step : steps.stream().sorted().toList()) {
                Gpt model = Checkpoint.read(entries.stream().filter(e -> e.step() == step).findFirst().orElseThrow().dir()).loadModel(pool);
                double[] logpCorrect = model.sequenceLogProbs(xs, ys);  // pi_D is deterministic: the support is y*
                Estimate[] sampled = SampledPassAtN.sampled(fine, model, prompts, ns, Sampler.ANCESTRAL, seeds.stream("draws", step));
                for (int j = 0; j < ns.length; j++) {
                    double exact = 0;
                    for (double lp : logpCorrect) exact += PassAtN.exact(Math.min(0, lp), ns[j]) / prompts.size();
                    out.add(new Object[] {seed, step, ns[j], prompts.size(), exact, sampled[j].value(), sampled[j].lower(), sampled[j].upper()});
                }
            }
        }
        return out;
    }
}
