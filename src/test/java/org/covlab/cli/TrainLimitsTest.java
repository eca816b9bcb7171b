package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sizes a run cannot hold, thread counts and output folders: one line and exit code 2, at once (probe D7, D9). */
class TrainLimitsTest {
    @TempDir Path dir;
    private static final long MB = 1 << 20;

    /** A tiny run into dir/out with {@code extra} replacing or adding options. */
    private String[] train(String... extra) {
        List<String> a = new ArrayList<>(Arrays.asList("train", "--task", "fig2", "--H", "8", "--layers", "1", "--heads", "2",
                "--dmodel", "32", "--batch", "4", "--steps", "2", "--out", dir.resolve("out").toString()));
        for (int i = 0; i < extra.length; i += 2) {
            int at = a.indexOf(extra[i]);
            if (at >= 0) a.set(at + 1, extra[i + 1]);
            else a.addAll(List.of(extra[i], extra[i + 1]));
        }
        return a.toArray(String[]::new);
    }

    private String refused(String... extra) {
        String err = BoundedRun.of(Duration.ofSeconds(20), train(extra)).allocatedAtMost(200 * MB).refusal();
        assertThat(dir.resolve("out")).as("nothing is written for a refused run").doesNotExist();
        return err;
    }

    @Test void sizesTheHeapCannotHoldAreRefusedBeforeAnythingIsAllocated() {
        assertThat(refused("--layers", "100000000")).startsWith("covlab: --layers, --dmodel, --ctx, --H: 100000000 layers of width 32")
                .contains("parameters; one float[] holds at most 2147483631");
        assertThat(refused("--layers", "400", "--dmodel", "512", "--heads", "2"))
                .startsWith("covlab: train: a model of 1,261,143,040 parameters (400x512 (2 heads, ctx 160), vocab 104) at batch 4").contains("more than the Java heap").contains("use a smaller model, --batch or --dataset");
        assertThat(refused("--batch", "100000000")).contains("at batch 100000000").contains("more than the Java heap");
        assertThat(refused("--dataset", "2000000000")).contains("with a dataset of 2000000000").contains("more than the Java heap");
        assertThat(refused("--dmodel", "1000000000")).contains("are too large for the float[] buffers");
        assertThat(refused("--ctx", "1000000000")).contains("are too large for the float[] buffers");
        assertThat(refused("--H", "1000000")).isEqualTo("covlab: --H: at most 100000, got 1000000");
        assertThat(refused("--H", "100000")).contains("ctx 1900008").contains("more than the Java heap");
    }

    @Test void threadsAreBoundedByTheCores() {
        int max = 4 * Runtime.getRuntime().availableProcessors();
        assertThat(refused("--threads", "100000")).isEqualTo("covlab: --threads: must be in [1, " + max + "] (4 per core on this machine), got 100000");
        assertThat(refused("--threads", "0")).contains("--threads: must be in [1, ");
        assertThat(BoundedRun.of(Duration.ofSeconds(20), "bon", "--model", "linear:bernoulli", "--H", "1", "--threads", "100000").refusal())
                .contains("--threads: must be in [1, ");
        assertThat(BoundedRun.of(Duration.ofSeconds(20), "experiment", "linear-horizon", "--quick", "--threads", "100000").run().err())
                .contains("--threads must be at most " + max);
    }

    @Test void anOutFolderThatCannotBeMadeIsAUserError() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        for (String out : List.of("/proc/covlab-nope", file.resolve("sub").toString())) {
            CliRun r = BoundedRun.of(Duration.ofSeconds(20), train("--out", out)).run();
            assertThat(r.exit()).as(r.err()).isEqualTo(2);
            assertThat(r.errLines()).hasSize(1);
            assertThat(r.err()).startsWith("covlab: cannot create run folder " + out + ": ").doesNotContain("Exception", "java.");
        }
    }

    @Test void taskSampleAtTheLargestHIsAnsweredWithoutDeepRecursion() {
        BoundedRun r = BoundedRun.of(Duration.ofSeconds(60), "task", "sample", "--task", "fig2", "--H", "100000", "--count", "1", "--class", "G3");
        assertThat(r.run().exit()).as(r.run().err()).isEqualTo(0);
        assertThat(r.run().out()).contains("(1200").contains("class G3");
        assertThat(BoundedRun.of(Duration.ofSeconds(10), "task", "sample", "--task", "fig2", "--H", "1000000").refusal())
                .isEqualTo("covlab: --H: at most 100000, got 1000000");
    }
}
