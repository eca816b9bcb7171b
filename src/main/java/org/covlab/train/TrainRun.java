package org.covlab.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.covlab.model.Footprint;
import org.covlab.model.GptConfig;
import org.covlab.report.CsvTable;
import org.covlab.report.Progress;
import org.covlab.report.RunFolder;
import org.covlab.task.Task;
import org.covlab.tensor.Parallel;
import org.covlab.util.Heap;

/**
 * A training run folder ({@code ./covlab train}): {@code config.json}, {@code results.json} (seed, git hash,
 * timings, final loss, tokens/s), {@code metrics.csv} (one row per step: step, loss, grad_norm, lr, tokens_per_s)
 * and {@code checkpoints/step-N/}. With {@code resume} it continues from the newest complete checkpoint; the
 * result is bit-identical to a run that never stopped.
 *
 * <p>metrics.csv is rewritten (atomically) just before each checkpoint, so it always reaches at least the newest
 * checkpoint; rows past the checkpoint a run resumes from are dropped and recomputed (with the same values).
 */
public final class TrainRun {
    private TrainRun() {}

    /** config.json of the run. */
    public record Config(String command, TaskSpec task, GptConfig model, TrainConfig training, CheckpointPolicy checkpoints) {}

    /** What a run leaves: its folder, the steps done, the mean loss of its last steps, and its throughput. */
    public record Outcome(Path dir, int steps, double finalLoss, double tokensPerSecond, boolean resumed) {}

    public static final String METRICS = "metrics.csv";
    public static final String[] COLUMNS = {"step", "loss", "grad_norm", "lr", "tokens_per_s"};
    /** The reported final loss is the mean over this many last steps (one batch's loss is noisy). */
    static final int FINAL_WINDOW = 50;

    /** Trains (or resumes) into {@code out}; {@code out = null} makes runs/train-TIMESTAMP. */
    public static Outcome run(Config config, Task task, Path out, boolean resume, int threads) {
        requireHeap(config);
        RunFolder run = RunFolder.open("train", config.training().seed(), out, resume);
        run.writeConfig(config);
        Checkpoints ckpts = new Checkpoints(run.dir().resolve("checkpoints"), config.checkpoints());
        TrainConfig cfg = config.training();
        try (Parallel pool = new Parallel(threads)) {
            Optional<Checkpoint> from = ckpts.newest();
            from.ifPresent(c -> c.requireSameRun(new Checkpoint.Config(config.model(), config.task(), cfg)));
            Trainer t = from.isPresent() ? from.get().resume(task, cfg, pool)
                    : new Trainer(Trainer.initialModel(config.model(), cfg.seed(), pool), task, cfg);
            List<StepStats> log = new ArrayList<>();
            CsvTable earlier = earlierRows(run.file(METRICS), t.step());
            if (from.isEmpty()) {
                ckpts.save(t, config.task());
            }
            run.put("parameters", t.model().layout().size());
            run.put("threads", threads);
            double[] tokensAndSeconds = new double[2];
            try (Progress p = Progress.start("train " + config.task() + " " + describe(config.model()), cfg.steps(), t.step());
                 RunFolder.Phase phase = run.phase("train")) {
                trainOrStop(t, run, ckpts, () -> metrics(earlier, log).write(run.file(METRICS)), (tr, s) -> {
                    log.add(s);
                    tokensAndSeconds[0] += s.tokens();
                    tokensAndSeconds[1] += s.seconds();
                    p.extra(progressText(log)).stepTo(s.step());
                    if (ckpts.due(tr)) {
                        try (RunFolder.Phase c = run.phase("checkpoint")) {
                            metrics(earlier, log).write(run.file(METRICS));
                            ckpts.save(tr, config.task());
                        }
                        run.writeResults();
                    }
                });
            }
            metrics(earlier, log).write(run.file(METRICS));
            double tps = tokensAndSeconds[1] > 0 ? tokensAndSeconds[0] / tokensAndSeconds[1] : Double.NaN;
            double finalLoss = finalLoss(run.file(METRICS));
            run.put("steps", t.step());
            run.put("final_loss", finalLoss);
            run.put("tokens_per_s", tps);
            run.put("checkpoints", ckpts.list().stream().map(Checkpoints.Entry::step).toList());
            run.finish();
            return new Outcome(run.dir(), t.step(), finalLoss, tps, from.isPresent());
        }
    }

    /**
     * Trains to the end, or, when training diverges, records where (metrics.csv up to the last good step,
     * results.json's diverged_at_step) and stops with the newest checkpoint named: it is the last finite one.
     */
    private static void trainOrStop(Trainer t, RunFolder run, Checkpoints ckpts, Runnable writeMetrics, TrainingListener listener) {
        try {
            t.train(t.config().steps(), listener);
        } catch (DivergedException e) {
            writeMetrics.run();
            run.put("diverged_at_step", t.step() + 1);
            run.writeResults();
            String newest = ckpts.newest().map(c -> c.dir().toString()).orElse("none");
            throw new DivergedException(e.getMessage() + " and train into a new --out; the newest checkpoint, " + newest
                    + ", is the last finite one");
        }
    }

    /** Refuses (exit code 2) a model, batch and dataset that the heap cannot hold, before anything is allocated. */
    static void requireHeap(Config config) {
        GptConfig m = config.model();
        TrainConfig t = config.training();
        double bytes = Footprint.training(m, t.batch(), t.optimizer().kind() == Optimizer.Kind.ADAMW) + 4.0 * t.dataset();
        Heap.require(String.format(Locale.ROOT, "train: a model of %,d parameters (%s, vocab %d) at batch %d with a dataset of %d",
                m.parameterCount(), describe(m), m.vocab(), t.batch(), t.dataset()), bytes, "use a smaller model, --batch or --dataset");
    }

    /** "4x128 (2 heads)": layers x width. */
    static String describe(GptConfig m) {
        return m.layers() + "x" + m.dModel() + " (" + m.heads() + " heads, ctx " + m.ctx() + ")";
    }

    /** Mean loss, last lr and gradient norm, and tokens/s over the last 20 steps. */
    private static String progressText(List<StepStats> log) {
        int from = Math.max(0, log.size() - 20);
        double loss = 0, tokens = 0, seconds = 0;
        for (StepStats s : log.subList(from, log.size())) {
            loss += s.loss();
            tokens += s.tokens();
            seconds += s.seconds();
        }
        StepStats last = log.get(log.size() - 1);
        return String.format(Locale.ROOT, "loss %.4f  lr %.2e  |g| %.3f  %.0f tok/s", loss / (log.size() - from), last.lr(),
                last.gradNorm(), tokens / seconds);
    }

    /** Rows of an earlier attempt up to the step this one starts from. */
    private static CsvTable earlierRows(Path file, int upTo) {
        CsvTable kept = CsvTable.withHeader(COLUMNS);
        if (!Files.exists(file)) return kept;
        CsvTable old = CsvTable.read(file).requireColumns(COLUMNS);
        for (CsvTable.Row r : old.rows()) {
            if (r.integer("step") > upTo) break;
            kept.addRow(r.integer("step"), r.number("loss"), r.number("grad_norm"), r.number("lr"), r.number("tokens_per_s"));
        }
        return kept;
    }

    private static CsvTable metrics(CsvTable earlier, List<StepStats> log) {
        CsvTable t = CsvTable.withHeader(COLUMNS);
        for (CsvTable.Row r : earlier.rows()) {
            t.addRow(r.integer("step"), r.number("loss"), r.number("grad_norm"), r.number("lr"), r.number("tokens_per_s"));
        }
        for (StepStats s : log) t.addRow(s.step(), s.loss(), s.gradNorm(), s.lr(), s.tokensPerSecond());
        return t;
    }

    private static double finalLoss(Path metrics) {
        List<CsvTable.Row> rows = CsvTable.read(metrics).rows();
        if (rows.isEmpty()) return Double.NaN;
        double sum = 0;
        int from = Math.max(0, rows.size() - FINAL_WINDOW);
        for (CsvTable.Row r : rows.subList(from, rows.size())) sum += r.number("loss");
        return sum / (rows.size() - from);
    }
}
