package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints whose content was changed and whose checksums were made to match (probe D6, D7, D10): every command that
 * reads one (sample, eval, train --resume) refuses it with one line naming the file, the tensor or field, and exit 2.
 */
class TamperedCheckpointTest {
    @TempDir static Path shared;
    @TempDir Path dir;
    static Path run;

    @BeforeAll static void train() {
        run = Tampered.run(shared.resolve("run"));
    }

    /** A copy of the run whose step-18 checkpoint is the newest, changed by {@code edit}. */
    private Path tampered(Consumer<Path> edit) {
        Path copy = Tampered.copy(run, dir.resolve("run-" + System.nanoTime()));
        Tampered.copy(copy.resolve("checkpoints/step-000020"), dir.resolve("discard-" + System.nanoTime()));
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> deleteTree(copy.resolve("checkpoints/step-000020")));
        edit.accept(copy.resolve("checkpoints/step-000018"));
        return copy;
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        try (var s = java.nio.file.Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) java.nio.file.Files.delete(q);
        }
    }

    /** sample, eval and train --resume on the tampered run: each refuses it in one line; returns the three lines. */
    private List<String> refusals(Path run) {
        Path ck = run.resolve("checkpoints/step-000018");
        String[][] commands = {
                {"sample", "--checkpoint", ck.toString(), "--count", "2", "--threads", "1"},
                {"eval", "--checkpoints", ck.toString(), "--prompts", "2", "--threads", "1", "--out", dir.resolve("eval-" + System.nanoTime()).toString()},
                resume(run)};
        return Arrays.stream(commands).map(c -> BoundedRun.of(Duration.ofSeconds(30), c).allocatedAtMost(300L << 20).refusal()).toList();
    }

    private static String[] resume(Path run) {
        return new String[] {"train", "--task", "fig2", "--H", "8", "--layers", "1", "--heads", "2", "--dmodel", "32", "--batch", "4",
                "--lr", "3e-3", "--steps", "20", "--checkpoint-every", "9", "--threads", "1", "--out", run.toString(), "--resume"};
    }

    private static float[] data(java.util.Map<String, org.covlab.model.Safetensors.Tensor> t, String name) {
        return t.get(name).data();
    }

    @Test void anUntamperedCopyIsAccepted() {     // so the refusals below come from the edits alone
        Path r = tampered(ck -> Tampered.reseal(ck));
        CliRun s = CliRun.of("sample", "--checkpoint", r.resolve("checkpoints/step-000018").toString(), "--count", "2", "--threads", "1");
        assertThat(s.exit()).as(s.err()).isEqualTo(0);
        CliRun t = CliRun.of(resume(r));
        assertThat(t.exit()).as(t.err()).isEqualTo(0);
        assertThat(t.out()).contains("20 steps (resumed)");
    }

    @Test void promptCountsTheHeapCannotHoldAreRefusedAtOnce() {
        Path ck = run.resolve("checkpoints/step-000018");
        assertThat(BoundedRun.of(Duration.ofSeconds(20), "sample", "--checkpoint", ck.toString(), "--count", "2000000000").allocatedAtMost(100L << 20).refusal())
                .startsWith("covlab: --count: 2000000000 prompts of fig2 H=8 m=100 needs ").contains("more than the Java heap");
        assertThat(BoundedRun.of(Duration.ofSeconds(20), "eval", "--checkpoints", ck.toString(), "--prompts", "2000000000",
                "--out", dir.resolve("e").toString()).allocatedAtMost(100L << 20).refusal())
                .startsWith("covlab: --prompts: 6000000000 prompts of fig2 H=8 m=100 needs ").contains("more than the Java heap");
        assertThat(dir.resolve("e")).doesNotExist();
    }

    @Test void nonFiniteWeightsAreRefusedNamingTheTensorAndTheElement() {
        assertThat(refusals(tampered(ck -> Tampered.tensors(ck, "model.safetensors", t -> t.values().forEach(x -> Arrays.fill(x.data(), Float.NaN))))))
                .allSatisfy(e -> assertThat(e).endsWith("model.safetensors: field 'tok.weight': element 0 (of shape [104, 32]) is NaN; a checkpoint holds finite numbers only"));
        assertThat(refusals(tampered(ck -> Tampered.tensors(ck, "model.safetensors", t -> data(t, "head.weight")[77] = Float.NaN))))
                .allSatisfy(e -> assertThat(e).endsWith("field 'head.weight': element 77 (of shape [104, 32]) is NaN; a checkpoint holds finite numbers only"));
        assertThat(refusals(tampered(ck -> Tampered.tensors(ck, "model.safetensors", t -> data(t, "tok.weight")[5] = Float.POSITIVE_INFINITY))))
                .allSatisfy(e -> assertThat(e).endsWith("field 'tok.weight': element 5 (of shape [104, 32]) is Infinity; a checkpoint holds finite numbers only"));
    }

    @Test void finiteWeightsThatOverflowTheForwardPassAreRefused() {
        assertThat(refusals(tampered(ck -> Tampered.tensors(ck, "model.safetensors", t -> Arrays.fill(data(t, "blocks.0.ln1.weight"), 3e38f)))))
                .allSatisfy(e -> assertThat(e).contains("model.safetensors: field 'blocks.0.ln1.weight': the model's log-probabilities are ")
                        .endsWith("on a test sequence: its weights overflow float32 (the largest |w| is 3.00e+38, in this tensor)"));
    }

    @Test void nonFiniteOrNegativeOptimizerStateIsRefusedOnResume() {
        for (float bad : new float[] {Float.NaN, -1f}) {
            Path r = tampered(ck -> Tampered.tensors(ck, "optimizer.safetensors", t -> data(t, "ln.bias.exp_avg_sq")[3] = bad));
            String err = BoundedRun.of(Duration.ofSeconds(30), resume(r)).refusal();
            assertThat(err).contains("optimizer.safetensors: field 'ln.bias.exp_avg_sq': element 3 ");
        }
    }

    @Test void impossibleMetadataIsRefused() {
        assertThat(refusals(tampered(ck -> Tampered.header(ck, "model.safetensors", "\"data_offsets\":[0,13312]",
                "\"data_offsets\":[1180591620717411303424,1180591620717411316736]"))))
                .allSatisfy(e -> assertThat(e).contains("model.safetensors: field 'tok.weight': data_offsets must be [begin, end], two integers that fit the file"));
        assertThat(refusals(tampered(ck -> {          // the probe made the optimizer's step count agree
            Tampered.text(ck, "state.json", "\"step\" : 18", "\"step\" : 1000");
            Tampered.text(ck, "state.json", "\"steps\" : 18", "\"steps\" : 1000");
        })))
                .allSatisfy(e -> assertThat(e).endsWith("state.json: field 'step': 1000, but the folder is step-000018"));
        assertThat(refusals(tampered(ck -> Tampered.text(ck, "state.json", "\"epoch\" : 0", "\"epoch\" : 1000000000000000"))))
                .allSatisfy(e -> assertThat(e).contains("state.json: field 'data': position (1000000000000000, 72) is not where 18 steps of 4 samples end (0, 72)"));
        assertThat(refusals(tampered(ck -> Tampered.text(ck, "config.json", "\"layers\" : 1", "\"layers\" : 2.5"))))
                .allSatisfy(e -> assertThat(e).endsWith("config.json:5: field 'model.layers': must be an integer, got number 2.5"));
        assertThat(refusals(tampered(ck -> Tampered.text(ck, "config.json", "\"layers\" : 1", "\"layers\" : \"1\""))))
                .allSatisfy(e -> assertThat(e).endsWith("config.json:5: field 'model.layers': must be an integer, got string \"1\""));
        assertThat(refusals(tampered(ck -> Tampered.text(ck, "config.json", "\"layers\" : 1", "\"layers\" : 1000000"))))
                .allSatisfy(e -> assertThat(e).contains("config.json").contains("1000000 layers of width 32 (vocab 104, ctx 160) make 1.270e+10 parameters"));
    }

    @Test void resumeRefusesACheckpointOfAnotherTaskOrModelListingEveryDifference() {
        Path r = tampered(ck -> {
            Tampered.text(ck, "config.json", "\"name\" : \"fig2\"", "\"name\" : \"bogus\"");
            Tampered.text(ck, "config.json", "\"H\" : 8", "\"H\" : 7");
        });
        assertThat(refusals(r).get(2)).endsWith("step-000018/config.json: field 'task.name': the checkpoint has \"bogus\", this run \"fig2\"; "
                + "field 'task.H': the checkpoint has 7, this run 8");
    }
}
