package org.covlab.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.covlab.eval.WeightedSequence;
import org.covlab.decode.TttGpt;
import org.covlab.decode.TttSettings;
import org.covlab.metric.LogRatioRecord;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.Gpt;
import org.covlab.report.CsvTable;
import org.covlab.report.HtmlReport;
import org.covlab.report.Plot;
import org.covlab.report.Progress;
import org.covlab.report.RunFolder;
import org.covlab.report.Section;
import org.covlab.report.TextTable;
import org.covlab.task.Prompt;
import org.covlab.task.graph.GraphTask;
import org.covlab.tensor.Parallel;
import org.covlab.train.Checkpoint;
import org.covlab.train.Checkpoints;
import org.covlab.train.TaskSpec;
import org.covlab.util.InputException;

/**
 * An evaluation run folder ({@code ./covlab eval}): the {@link ExactEval} figures of every checkpoint of a training
 * run, sorted by step.
 * <ul>
 *   <li>{@code metrics.csv}: one row per checkpoint and group: step, group ("mixed" = weighted by the class weights,
 *       then each class), cross_entropy, kl, cov@N for each N, pass@k for each k;</li>
 *   <li>{@code step-N/records.jsonl}: the log-ratio records of checkpoint N, one line per prompt and response in the
 *       support, {"id","logp_model","logp_data","weight","group"} and with {@link Config#recordsWithTokens} the tokens
 *       and text ({@link RecordLines}); {@code ./covlab coverage --records --k} on it gives the same KL, Cov_N and
 *       Pass@k (overall = mixed, and per group);</li>
 *   <li>{@code kl}, {@code coverage} and {@code coverage_by_class} plots (PNG and SVG), report.html, config.json,
 *       results.json.</li>
 * </ul>
 */
public final class EvalRun {
    private EvalRun() {}

    /**
     * config.json of an evaluation; {@code ttt} is the test-time-training decoder that scores the responses
     * ({@link TttGpt}), null for the plain model.
     */
    public record Config(String command, TaskSpec task, String checkpoints, int promptsPerClass, double[] ns, int[] ks, long seed,
                         boolean recordsWithTokens, TttSettings ttt) {

        /** The plain model's evaluation. */
        public Config(String command, TaskSpec task, String checkpoints, int promptsPerClass, double[] ns, int[] ks, long seed,
                      boolean recordsWithTokens) {
            this(command, task, checkpoints, promptsPerClass, ns, ks, seed, recordsWithTokens, null);
        }

        /** The model that scores: the checkpoint's GPT, or pi^TTT over it. */
        public AutoregressiveModel decoder(Gpt model) {
            return ttt == null ? model : new TttGpt(model, ttt);
        }
    }

    /** One checkpoint's figures (mixed first). */
    public record Row(int step, List<ExactEval.Figures> figures) {}

    /** What an evaluation leaves: its folder and one row per checkpoint. */
    public record Outcome(Path dir, List<Row> rows) {}

    public static final String METRICS = "metrics.csv";
    public static final String RECORDS = "records.jsonl";

    /**
     * The checkpoints in {@code dir}: a training run folder (its {@code checkpoints/}), a folder of step-N folders,
     * or one checkpoint folder.
     */
    public static List<Checkpoints.Entry> find(Path dir) {
        if (!Files.isDirectory(dir)) throw InputException.at(dir, 0, null, "no such folder");
        if (Files.isRegularFile(dir.resolve(Checkpoint.MODEL))) return List.of(new Checkpoints.Entry(dir, Checkpoint.read(dir).step()));
        List<Checkpoints.Entry> found = Checkpoints.list(dir.resolve("checkpoints"));
        if (found.isEmpty()) found = Checkpoints.list(dir);
        if (found.isEmpty()) throw InputException.at(dir, 0, null, "no checkpoints (step-N folders) in it or in its checkpoints/");
        return found;
    }

    /** Evaluates each checkpoint into the run folder {@code out} (refused if it exists and is not empty). */
    public static Outcome run(Config c, GraphTask task, List<Checkpoints.Entry> entries, Path out, int threads) {
        List<Checkpoint> checkpoints = new ArrayList<>();       // all checked before any work or output
        for (Checkpoints.Entry e : entries) {
            Checkpoint ck = Checkpoint.read(e.dir());
            requireFits(ck, task);
            checkpoints.add(ck);
        }
        RunFolder run = RunFolder.open("eval", c.seed(), out, false);
        run.writeConfig(c);
        Map<String, List<Prompt>> prompts = ExactEval.validationPrompts(task, c.promptsPerClass(), c.seed());
        List<WeightedSequence> seqs = ExactEval.supportSequences(task, prompts);
        List<Row> rows = new ArrayList<>();
        long scored = 0;
        try (Parallel pool = new Parallel(threads);
             Progress p = Progress.start("eval " + task.name() + " H=" + task.H() + ": " + seqs.size() + " sequences x " + entries.size() + " checkpoints", entries.size());
             RunFolder.Phase phase = run.phase("score")) {
            long t0 = System.nanoTime();
            for (Checkpoint ck : checkpoints) {
                Gpt model = ck.loadModel(pool);
                List<LogRatioRecord> records = ExactEval.records(task, c.decoder(model), seqs);
                RecordLines.write(run.file(Checkpoint.folderName(ck.step()) + "/" + RECORDS), records, c.recordsWithTokens() ? seqs : null, task);
                rows.add(new Row(ck.step(), ExactEval.figures(records, c.ns(), c.ks())));
                scored += seqs.size();
                p.extra(String.format(Locale.ROOT, "step %d: KL %.3f  %.0f sequences/s", ck.step(), rows.get(rows.size() - 1).figures().get(0).kl(),
                        scored / ((System.nanoTime() - t0) / 1e9))).step();
            }
        }
        Section section;
        try (RunFolder.Phase phase = run.phase("report")) {
            metrics(rows, c).write(run.file(METRICS));
            run.put("sequences_per_checkpoint", seqs.size());
            run.put("mixed", mixedJson(rows, c));
            section = section(rows, c, run.dir(), seqs.size());
        }
        RunFolder.Results results = run.finish();
        HtmlReport.builder("covlab: exact evaluation of checkpoints").meta(results).section(section).build().write(run.file("report.html"));
        return new Outcome(run.dir(), rows);
    }

    /** The checkpoint's model must have the task's tokens and room for its longest prompt + response - 1. */
    public static void requireFits(Checkpoint ck, GraphTask task) {
        int need = task.maxPromptLength() + task.maxResponseLength() - 1;
        var m = ck.config().model();
        if (m.vocab() < task.vocabSize() || m.ctx() < need) {
            throw InputException.at(ck.dir().resolve(Checkpoint.CONFIG), 0, "model", "vocab " + m.vocab() + ", ctx " + m.ctx()
                    + " cannot run " + task + " (needs vocab " + task.vocabSize() + ", ctx " + need + ")");
        }
    }

    /** "2" for 2.0, "4.6" for 4.6: the N as a user writes it. */
    public static String label(double n) {
        return n == Math.rint(n) && Math.abs(n) < 1e15 ? Long.toString((long) n) : Double.toString(n);
    }

    /** The metrics.csv column of Cov_N, e.g. "cov@16", "cov@4.6": eval's and the experiments'. */
    public static String covColumn(double n) {
        return "cov@" + label(n);
    }

    public static List<String> columns(Config c) {
        List<String> cols = new ArrayList<>(List.of("step", "group", "cross_entropy", "kl"));
        for (double n : c.ns()) cols.add(covColumn(n));
        for (int k : c.ks()) cols.add("pass@" + k);
        return cols;
    }

    static CsvTable metrics(List<Row> rows, Config c) {
        CsvTable t = new CsvTable(columns(c));
        for (Row r : rows) {
            for (ExactEval.Figures f : r.figures()) {
                List<Object> cells = new ArrayList<>(List.of(r.step(), f.group(), f.crossEntropy(), f.kl()));
                for (double v : f.coverage()) cells.add(v);
                for (double v : f.passAtK()) cells.add(v);
                t.addRow(cells.toArray());
            }
        }
        return t;
    }

    /** The mixed figures per step, as a table (stdout and the report). */
    public static TextTable table(List<Row> rows, Config c) {
        List<String> cols = columns(c);
        cols.remove("group");
        TextTable t = new TextTable(cols);
        for (Row r : rows) {
            ExactEval.Figures f = r.figures().get(0);
            List<Object> cells = new ArrayList<>(List.of(r.step(), f.crossEntropy(), f.kl()));
            for (double v : f.coverage()) cells.add(v);
            for (double v : f.passAtK()) cells.add(v);
            t.row(cells.toArray());
        }
        return t;
    }

    private static List<Map<String, Object>> mixedJson(List<Row> rows, Config c) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) {
            ExactEval.Figures f = r.figures().get(0);
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("step", r.step());
            m.put("cross_entropy", f.crossEntropy());
            m.put("kl", f.kl());
            for (int i = 0; i < c.ns().length; i++) m.put("cov@" + label(c.ns()[i]), f.coverage()[i]);
            for (int j = 0; j < c.ks().length; j++) m.put("pass@" + c.ks()[j], f.passAtK()[j]);
            out.add(m);
        }
        return out;
    }

    private static Section section(List<Row> rows, Config c, Path dir, int sequences) {
        double[] steps = rows.stream().mapToDouble(Row::step).toArray();
        List<String> groups = rows.get(0).figures().stream().map(ExactEval.Figures::group).toList();
        Plot kl = Plot.titled("KL(pi_D || pi_hat) over training: " + c.task()).xTitle("step").yTitle("sequence KL (nats)").colors(groups);
        int last = c.ns().length - 1;
        Plot byClass = Plot.titled("Cov_" + label(c.ns()[last]) + " by class: " + c.task()).xTitle("step")
                .yTitle("Cov_" + label(c.ns()[last]) + " (lower is better)").colors(groups);
        for (int g = 0; g < groups.size(); g++) {
            int gi = g;
            kl.line(groups.get(g), steps, rows.stream().mapToDouble(r -> r.figures().get(gi).kl()).toArray());
            byClass.line(groups.get(g), steps, rows.stream().mapToDouble(r -> r.figures().get(gi).coverage()[last]).toArray());
        }
        Plot cov = Plot.titled("Cov_N over training (mixed over classes): " + c.task()).xTitle("step").yTitle("Cov_N (lower is better)");
        for (int i = 0; i < c.ns().length; i++) {
            int ii = i;
            cov.line("N = " + label(c.ns()[i]), steps, rows.stream().mapToDouble(r -> r.figures().get(0).coverage()[ii]).toArray());
        }
        return Section.builder("Exact KL, coverage and Pass@k over checkpoints",
                        "How the model's coverage profile Cov_N(pi_D || pi_hat) and KL move over training (paper section 4.3, Fig. 2)")
                .plot(kl.write(dir, "kl"), "Sequence KL per class and mixed with the class weights.")
                .plot(cov.write(dir, "coverage"), "Cov_N, mixed with the class weights, for each N.")
                .plot(byClass.write(dir, "coverage_by_class"), "Cov_N at the largest N, per class and mixed.")
                .table("Mixed over classes (per-class rows in metrics.csv)", table(rows, c))
                .note(HtmlReport.READING_NOTE)
                .note("Exact: every response in the support of pi_D(.|x) is scored, weight mu~(class) / P x pi_D(y|x); Pass@k = "
                        + "E_x[1 - (1 - pi_hat(support|x))^k].")
                .setting("task", c.task()).setting("checkpoints", c.checkpoints()).setting("prompts per class", c.promptsPerClass())
                .setting("scored sequences per checkpoint", sequences).setting("seed", c.seed())
                .setting("decoder", c.ttt() == null ? "plain" : "test-time training, K = " + c.ttt().steps() + ", eta = " + c.ttt().lr())
                .build();
    }
}
