package org.covlab.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.covlab.model.Gpt;
import org.covlab.model.GptConfig;
import org.covlab.report.Json;
import org.covlab.task.graph.GraphTask;
import org.covlab.tensor.Parallel;

/**
 * Training throughput on a task's real batches (the {@code bench} task round): the batches {@link TaskData} draws,
 * each padded to its longest pair, trained as {@link Trainer} trains them (forward with the rows' lengths, the
 * masked loss, backward, AdamW). The figure is useful tokens/s: the rows' positions without padding
 * ({@link TaskData.Batch#tokens}). {@link #writeBatches} writes the same batches for a peer
 * ({@code scripts/torch_task_train.py}).
 */
public final class TaskBenchmark {
    /** Batches trained before the timed ones, as torch_gpt.py's 3 warm-up steps. */
    public static final int WARMUP = 3;

    private final Gpt model;
    private final AdamW opt;
    private final List<TaskData.Batch> batches = new ArrayList<>();
    private boolean warm;

    /** A model of this shape for the task (its vocabulary and its longest pair), and WARMUP + steps batches. */
    public TaskBenchmark(GraphTask task, int layers, int heads, int dModel, int batch, int steps, Parallel pool, long seed) {
        GptConfig cfg = new GptConfig(task.vocabSize(), task.maxPromptLength() + task.maxResponseLength() - 1, layers, heads, dModel);
        model = new Gpt(cfg, pool);
        model.initialize(new SplittableRandom(seed));
        opt = new AdamW(AdamW.Config.torchDefaults(), model.layout(), pool);
        TaskData data = new TaskData(task, seed, TaskData.ONLINE, TaskData.LossOn.RESPONSE);
        for (int i = 0; i < WARMUP + steps; i++) batches.add(data.next(batch));
    }

    public GptConfig config() { return model.config(); }

    /**
     * Useful tokens/s over the timed batches, after the warm-up batches (the first time repeated for at least
     * {@link GptBenchmark#WARMUP_SECONDS}, for the JIT).
     */
    public double trainTokensPerS() {
        long start = System.nanoTime();
        do {
            for (int i = 0; i < WARMUP; i++) step(batches.get(i));
        } while (!warm && System.nanoTime() - start < GptBenchmark.WARMUP_SECONDS * 1e9);
        warm = true;
        long tokens = 0, t0 = System.nanoTime();
        for (TaskData.Batch b : batches.subList(WARMUP, batches.size())) {
            step(b);
            tokens += b.tokens();
        }
        return tokens / ((System.nanoTime() - t0) / 1e9);
    }

    private void step(TaskData.Batch b) {
        model.forward(b.inputs(), b.rows(), b.seq(), b.lengths());
        model.loss(b.targets(), b.weights());
        model.zeroGradients();
        model.backward();
        opt.step(model.parameters(), model.gradients(), 1e-4);
    }

    /**
     * Writes the model's shape and the batches as JSON: {"model": {vocab, ctx, layers, heads, dModel}, "warmup",
     * "batches": [{rows, seq, inputs, targets, weights, lengths}]}, the arrays (rows, seq) row-major.
     */
    public void writeBatches(Path file) {
        GptConfig c = model.config();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", Map.of("vocab", c.vocab(), "ctx", c.ctx(), "layers", c.layers(), "heads", c.heads(), "dModel", c.dModel()));
        out.put("warmup", WARMUP);
        out.put("batches", batches);
        Json.writeFile(file, out);
    }
}
