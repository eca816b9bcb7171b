package org.covlab.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.covlab.model.Gpt;
import org.covlab.report.CsvTable;
import org.covlab.report.Progress;
import org.covlab.task.Task;
import org.covlab.tensor.Parallel;
import org.covlab.train.Checkpoint;
import org.covlab.train.CheckpointPolicy;
import org.covlab.train.Checkpoints;
import org.covlab.train.DivergedException;
import org.covlab.train.TaskSpec;
import org.covlab.train.TrainConfig;
import org.covlab.train.Trainer;
import org.covlab.train.TrainingListener;

/**
 * One GPT training run inside an experiment cell ({@code cells/KEY/}), evaluated at every checkpoint and resumable:
 * <ul>
 *   <li>{@code checkpoints/step-N/}: written at step 0, every {@code policy.every()} steps and at the end
 *       ({@link Checkpoints});</li>
 *   <li>{@code rows.csv}: the experiment's rows of every evaluation so far, rewritten just before each checkpoint, so
 *       it always reaches the newest checkpoint.</li>
 * </ul>
 * Interrupted, the run continues from its newest complete checkpoint ({@link Checkpoint#resume}: the weights, AdamW's
 * moments and the data position, so training is bit-identical) and keeps the rows up to that step; rows past it are
 * recomputed, with the same values. So an interrupted cell ends with the same rows as one that never stopped.
 */
final class GptCell {
    private GptCell() {}

    static final String ROWS = "rows.csv";
    static final String CHECKPOINTS = "checkpoints";

    /** The rows of one evaluation point, given the model there and the mean training loss since the previous point. */
    @FunctionalInterface
    interface Evaluation {
        /** @param meanLoss mean training loss of the updates since the previous evaluation (NaN at the first) */
        List<Object[]> rows(int step, Gpt model, double meanLoss);
    }

    /**
     * What one run trains.
     *
     * @param dir      the cell's training folder
     * @param task     the task, as a checkpoint records it
     * @param training the training settings (must equal those of any checkpoint it resumes)
     * @param policy   when to checkpoint (and so evaluate) and which checkpoints to keep
     */
    record Spec(Path dir, TaskSpec task, TrainConfig training, CheckpointPolicy policy) {}

    /**
     * Trains (or resumes) to {@code spec.training().steps()} and returns every evaluation row, in step order.
     *
     * @param init the starting weights when the folder has no checkpoint yet (a fresh init, or a pre-trained model)
     */
    static List<Object[]> train(Spec spec, Task task, Function<Parallel, Gpt> init, List<String> header, Evaluation eval,
                                Parallel pool, String label) {
        Checkpoints ckpts = new Checkpoints(spec.dir().resolve(CHECKPOINTS), spec.policy());
        TrainConfig cfg = spec.training();
        Optional<Checkpoint> from = ckpts.newest();
        Trainer t = from.isPresent() ? from.get().resume(task, cfg, pool) : new Trainer(init.apply(pool), task, cfg);
        Path rowsFile = spec.dir().resolve(ROWS);
        CsvTable rows = earlierRows(rowsFile, header, from.isPresent() ? t.step() : -1);
        if (from.isPresent() && (rows.rowCount() == 0 || rows.row(rows.rowCount() - 1).integer("step") != t.step())) {
            throw new IllegalStateException(rowsFile + " does not reach the newest checkpoint (step " + t.step()
                    + "); delete " + spec.dir() + " to run this cell again from the start");
        }
        if (from.isPresent()) System.err.println("covlab: " + label + ": resumed from its checkpoint at step " + t.step());
        if (from.isEmpty()) evaluateAndSave(t, ckpts, spec.task(), rows, rowsFile, eval, Double.NaN);
        double[] loss = {0, 0};  // sum, count since the last evaluation
        try (Progress p = Progress.start(label, cfg.steps(), t.step())) {
            trainOrStop(t, label, (tr, s) -> {
                loss[0] += s.loss();
                loss[1]++;
                p.stepTo(s.step());
                if (ckpts.due(tr)) {
                    evaluateAndSave(tr, ckpts, spec.task(), rows, rowsFile, eval, loss[0] / loss[1]);
                    loss[0] = loss[1] = 0;
                }
            });
        }
        List<Object[]> out = new ArrayList<>();
        for (CsvTable.Row r : rows.rows()) out.add(header.stream().map(r::get).toArray());
        return out;
    }

    /** Trains to the end; a diverged run stops the experiment with the cell named (exit code 3). */
    private static void trainOrStop(Trainer t, String label, TrainingListener listener) {
        try {
            t.train(t.config().steps(), listener);
        } catch (DivergedException e) {
            throw new DivergedException(label + ": " + e.getMessage() + " (the experiment's --scale sets it)");
        }
    }

    /** The newest complete checkpoint of a finished or interrupted run in {@code dir}. */
    static Optional<Checkpoint> newest(Path dir) {
        return new Checkpoints(dir.resolve(CHECKPOINTS), CheckpointPolicy.every(1)).newest();
    }

    /** The visible checkpoints of the run in {@code dir}, by step. */
    static List<Checkpoints.Entry> checkpoints(Path dir) {
        return Checkpoints.list(dir.resolve(CHECKPOINTS));
    }

    /** Evaluates, then checkpoints; weights an update made non-finite are divergence, before any evaluation sees them. */
    private static void evaluateAndSave(Trainer t, Checkpoints ckpts, TaskSpec task, CsvTable rows, Path rowsFile,
                                        Evaluation eval, double meanLoss) {
        t.requireFinite();
        for (Object[] r : eval.rows(t.step(), t.model(), meanLoss)) rows.addRow(r);
        rows.write(rowsFile);
        ckpts.save(t, task);
    }

    /** The rows of an earlier attempt up to step {@code upTo} (none when {@code upTo < 0} or there is no file). */
    private static CsvTable earlierRows(Path file, List<String> header, int upTo) {
        CsvTable kept = new CsvTable(header);
        if (upTo < 0 || !Files.exists(file)) return kept;
        CsvTable old = CsvTable.read(file);
        if (!old.header().equals(header)) return kept;
        for (CsvTable.Row r : old.rows()) if (r.integer("step") <= upTo) kept.addRow(header.stream().map(r::get).toArray());
        return kept;
    }
}
