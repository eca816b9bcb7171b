package org.covlab.train;

import org.covlab.model.Gpt;
import org.covlab.model.GptConfig;
import org.covlab.task.Task;
import org.covlab.tensor.Parallel;
import org.covlab.util.Seeds;

/**
 * Trains a {@link Gpt} by next-token prediction (the MLE objective, Eq. 2) on a {@link Task}: each update draws a
 * batch from {@link TaskData}, runs forward, loss (masked by {@link TaskData.LossOn}), backward, measures the global
 * gradient norm and applies the {@link Optimizer} at the {@link LrSchedule}'s rate. A step whose loss or norm shows
 * divergence ({@link Divergence}) throws {@link DivergedException} before the update.
 *
 * <p>Determinism: the data are a function of (seed, position), the GPT's forward and backward give the same bits
 * for any thread count, the norm is summed in a fixed order and the updates are elementwise. So the same seed and
 * settings give the same weights, bit for bit, for any {@code --threads}, and a run resumed from a checkpoint
 * ({@link Checkpoint#resume}) continues exactly as if it had never stopped.
 *
 * <pre>{@code
 * Trainer t = new Trainer(Trainer.initialModel(gptConfig, cfg.seed(), pool), task, cfg);
 * Checkpoints ckpts = new Checkpoints(dir.resolve("checkpoints"), CheckpointPolicy.every(500));
 * t.train(cfg.steps(), TrainingListener.all(progress, ckpts.saver(taskSpec)));
 * }</pre>
 */
public final class Trainer {

    /** Elements per partial sum of the gradient norm: fixed, so the sum has the same bits for any thread count. */
    private static final int NORM_CHUNK = 1 << 16;

    private final Gpt model;
    private final TaskData data;
    private final TrainConfig cfg;
    private final Optimizer optimizer;
    private final Divergence divergence;
    private int step;

    /** A trainer at step 0 with the model's current weights (fresh from {@link #initialModel}, or loaded). */
    public Trainer(Gpt model, Task task, TrainConfig cfg) {
        if (task.vocabSize() > model.config().vocab()) {
            throw new IllegalArgumentException("the task has " + task.vocabSize() + " tokens, the model " + model.config().vocab());
        }
        this.model = model;
        this.cfg = cfg;
        this.data = new TaskData(task, cfg.seed(), cfg.dataset(), cfg.lossOn());
        this.optimizer = new Optimizer(cfg.optimizer(), model.layout(), model.pool());
        this.divergence = new Divergence(model.config().vocab());
    }

    /** A model initialised from the seed's "init" stream (nanoGPT's init, {@link Gpt#initialize}). */
    public static Gpt initialModel(GptConfig config, long seed, Parallel pool) {
        Gpt m = new Gpt(config, pool);
        m.initialize(new Seeds(seed).stream("init"));
        return m;
    }

    public Gpt model() { return model; }

    public TaskData data() { return data; }

    public TrainConfig config() { return cfg; }

    public Optimizer optimizer() { return optimizer; }

    /** Updates done so far. */
    public int step() { return step; }

    /** Sets the step after a checkpoint restored the weights, the optimizer and the data position. */
    void restoreStep(int s) {
        if (s < 0) throw new IllegalArgumentException("step must be >= 0, got " + s);
        step = s;
    }

    /**
     * Throws {@link DivergedException} unless the weights and the optimizer's state are finite and the model's
     * log-probabilities too (finite weights near float32's limit overflow the forward pass).
     */
    public void requireFinite() {
        WeightChecks.requireFiniteState(this);
    }

    /** Trains until {@code untilStep} updates are done, calling the listener after each. */
    public void train(int untilStep, TrainingListener listener) {
        while (step < untilStep) {
            StepStats s = update();
            listener.afterStep(this, s);
        }
    }

    /** One update. */
    public StepStats update() {
        long t0 = System.nanoTime();
        TaskData.Batch b = data.next(cfg.batch());
        if (b.seq() > model.config().ctx()) {
            throw new IllegalArgumentException("a sample needs " + b.seq() + " positions but the model's ctx is "
                    + model.config().ctx() + "; use a larger ctx");
        }
        model.forward(b.inputs(), b.rows(), b.seq(), b.lengths());
        double loss = model.loss(b.targets(), b.weights());
        model.zeroGradients();
        model.backward();
        double norm = norm(model.gradients(), model.pool());
        double lr = cfg.lr(step);
        divergence.check(step + 1, loss, norm, lr);
        optimizer.step(model.parameters(), model.gradients(), lr, norm, b.weightSum() / b.rows());
        step++;
        return new StepStats(step, loss, norm, lr, b.tokens(), (System.nanoTime() - t0) / 1e9);
    }

    /** The L2 norm, from partial sums over fixed chunks added in order. */
    static double norm(float[] v, Parallel pool) {
        int chunks = (v.length + NORM_CHUNK - 1) / NORM_CHUNK;
        double[] partial = new double[chunks];
        pool.forEach(chunks, (c, w) -> {
            double s = 0;
            for (int i = c * NORM_CHUNK, end = Math.min(v.length, i + NORM_CHUNK); i < end; i++) s += (double) v[i] * v[i];
            partial[c] = s;
        });
        double total = 0;
        for (double p : partial) total += p;
        return Math.sqrt(total);
    }
}
