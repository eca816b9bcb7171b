package org.covlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.covlab.model.Footprint;
import org.covlab.model.Gpt;
import org.covlab.model.GptConfig;
import org.covlab.model.ParameterLayout;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;
import org.covlab.tensor.Parallel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The size estimates that commands weigh against the heap, against what a real model and trainer allocate. */
class FootprintTest {

    @Test void parameterCountIsTheLayoutsSizeWithoutLayingItOut() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < 200; i++) {
            int heads = 1 + rng.nextInt(4);
            GptConfig c = new GptConfig(1 + rng.nextInt(500), 1 + rng.nextInt(300), 1 + rng.nextInt(6), heads, heads * (1 + rng.nextInt(40)));
            assertThat(c.parameterCount()).as("seed 7, config %s", c).isEqualTo(ParameterLayout.of(c).size());
        }
    }

    static Stream<Arguments> configs() {
        return Stream.of(Arguments.of(1, 2, 32, 16), Arguments.of(2, 2, 64, 32), Arguments.of(2, 4, 128, 8), Arguments.of(1, 2, 32, 1), Arguments.of(3, 4, 192, 24));
    }

    @BeforeAll static void warmUp() {   // classes and their static tables, so that the first measurement is of the trainer alone
        measure(1, 1, 8, 2);
    }

    /** The heap a trainer holds after three updates (measured after a full collection, against one made before). */
    @ParameterizedTest @MethodSource("configs") void trainingEstimateCoversWhatATrainerHolds(int layers, int heads, int d, int batch) {
        double[] m = measure(layers, heads, d, batch);
        String what = String.format("layers %d, heads %d, d %d, batch %d: estimate %.3g bytes, measured %.3g", layers, heads, d, batch, m[1], m[0]);
        assertThat(m[1]).as(what).isGreaterThanOrEqualTo(m[0]).isLessThanOrEqualTo(3 * m[0] + (16 << 20));   // 16 MiB: Footprint's fixed part
    }

    /** {measured, estimated} bytes. */
    private static double[] measure(int layers, int heads, int d, int batch) {
        GraphTask task = GraphTasks.byName("fig2", 8);
        GptConfig cfg = new GptConfig(task.vocabSize(), task.maxPromptLength() + task.maxResponseLength() - 1, layers, heads, d);
        TrainConfig tc = new TrainConfig(1, 3, batch, LrSchedule.constant(1e-3), Optimizer.Settings.adamw(), TaskData.LossOn.RESPONSE, TaskData.ONLINE);
        try (Parallel pool = new Parallel(1)) {
            long before = liveBytes();
            Trainer t = new Trainer(new Gpt(cfg, pool), task, tc);
            for (int i = 0; i < 3; i++) t.update();
            double measured = liveBytes() - before;
            assertThat(t.step()).isEqualTo(3);
            return new double[] {measured, Footprint.training(cfg, batch, true)};
        }
    }

    private static long liveBytes() {
        for (int i = 0; i < 2; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
