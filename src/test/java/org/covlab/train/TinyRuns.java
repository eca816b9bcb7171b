package org.covlab.train;

import org.covlab.model.GptConfig;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;

/** A tiny GPT on fig2 H = 8 (ctx 160 covers its longest prompt + response - 1): fast enough for unit tests. */
final class TinyRuns {
    private TinyRuns() {}

    static final GraphTask FIG2 = GraphTasks.byName(GraphTasks.FIG2, 8);
    static final TaskSpec FIG2_SPEC = TaskSpec.of(FIG2);
    static final int CTX = FIG2.maxPromptLength() + FIG2.maxResponseLength() - 1;
    static final GptConfig GPT = new GptConfig(FIG2.vocabSize(), CTX, 1, 2, 16);

    /** AdamW with warm-up and cosine, a 10-sample dataset (so batches cross epochs), batch 4. */
    static TrainConfig config(long seed, int steps) {
        return new TrainConfig(seed, steps, 4, new LrSchedule(3e-3, 3, true, 3e-4), Optimizer.Settings.adamw(),
                TaskData.LossOn.RESPONSE, 10);
    }
}
