package org.covlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.covlab.model.Gpt;
import org.covlab.model.Safetensors;
import org.covlab.tensor.Parallel;
import org.covlab.util.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    static final int STEPS = 12;
    static final CheckpointPolicy EVERY_5 = CheckpointPolicy.every(5);

    @TempDir Path tmp;

    /** Trains from scratch in {@code dir} until {@code stopAt}, checkpointing at 0, 5, 10 and the last step. */
    static Trainer freshRun(Path dir, int stopAt, Parallel pool) {
        TrainConfig cfg = TinyRuns.config(21, STEPS);
        Trainer t = new Trainer(Trainer.initialModel(TinyRuns.GPT, cfg.seed(), pool), TinyRuns.FIG2, cfg);
        Checkpoints c = new Checkpoints(dir, EVERY_5);
        c.save(t, TinyRuns.FIG2_SPEC);
        t.train(stopAt, c.saver(TinyRuns.FIG2_SPEC));
        return t;
    }

    /** Resumes from the newest complete checkpoint in {@code dir} and trains to the end. */
    static Trainer resume(Path dir, Parallel pool) {
        Checkpoints c = new Checkpoints(dir, EVERY_5);
        Trainer t = c.newest().orElseThrow().resume(TinyRuns.FIG2, TinyRuns.config(21, STEPS), pool);
        t.train(STEPS, c.saver(TinyRuns.FIG2_SPEC));
        return t;
    }

    /**
     * A run stopped after any step k (with, on top, a half-written checkpoint folder left behind as a kill while
     * writing would leave it) and resumed ends with the same model.safetensors and optimizer.safetensors bytes as
     * a run that never stopped, on a different thread count too.
     */
    @Test void killedAnywhereAndResumedEndsBitIdentical() throws IOException {
        Path whole = tmp.resolve("whole");
        try (Parallel one = new Parallel(1)) {
            freshRun(whole, STEPS, one);
        }
        Path finalDir = whole.resolve(Checkpoint.folderName(STEPS));
        byte[] model = Files.readAllBytes(finalDir.resolve(Checkpoint.MODEL));
        byte[] optimizer = Files.readAllBytes(finalDir.resolve(Checkpoint.OPTIMIZER));
        assertThat(Checkpoints.list(whole).stream().map(Checkpoints.Entry::step)).containsExactly(0, 5, 10, 12);

        try (Parallel two = new Parallel(2)) {
            for (int k : new int[] {0, 1, 4, 5, 6, 9, 10, 11}) {
                Path dir = tmp.resolve("killed-" + k);
                freshRun(dir, k, two);                                    // the process dies after step k ...
                int nextDue = Math.min((k / 5 + 1) * 5, STEPS);                          // ... and was writing the next checkpoint
                Path partial = Files.createDirectories(dir.resolve("." + Checkpoint.folderName(nextDue) + ".tmp"));
                Files.write(partial.resolve(Checkpoint.MODEL), Arrays.copyOf(model, 100));
                resume(dir, two);
                Path end = dir.resolve(Checkpoint.folderName(STEPS));
                assertThat(Files.readAllBytes(end.resolve(Checkpoint.MODEL))).as("killed after step " + k).isEqualTo(model);
                assertThat(Files.readAllBytes(end.resolve(Checkpoint.OPTIMIZER))).as("killed after step " + k).isEqualTo(optimizer);
                assertThat(Files.exists(partial)).as("the partial folder is replaced when that step is written").isFalse();
            }
        }
        System.out.println("kill after steps 0,1,4,5,6,9,10,11 + resume: final model.safetensors and optimizer.safetensors identical (max difference 0)");
    }

    @Test void roundTripRestoresWeightsMomentsPositionAndStep() {
        try (Parallel pool = new Parallel(2)) {
            Trainer t = freshRun(tmp, 7, pool);
            Checkpoint c = Checkpoint.write(tmp.resolve("step-000007"), t, TinyRuns.FIG2_SPEC);
            Checkpoint read = Checkpoint.read(c.dir());
            assertThat(read.config()).isEqualTo(c.config());
            assertThat(read.config().model()).isEqualTo(TinyRuns.GPT);
            assertThat(read.step()).isEqualTo(7);
            assertThat(read.state().data()).isEqualTo(new Checkpoint.DataState(t.data().position().epoch(), t.data().position().index()));
            Trainer back = read.resume(TinyRuns.FIG2, t.config(), pool);
            assertThat(back.step()).isEqualTo(7);
            assertThat(back.model().parameters()).isEqualTo(t.model().parameters());
            assertThat(back.optimizer().firstMoment()).isEqualTo(t.optimizer().firstMoment());
            assertThat(back.optimizer().secondMoment()).isEqualTo(t.optimizer().secondMoment());
            assertThat(back.optimizer().steps()).isEqualTo(7);
            assertThat(back.data().position()).isEqualTo(t.data().position());
            // PyTorch's state_dict names, float32, every tensor of the model
            Safetensors.Contents weights = Safetensors.read(c.dir().resolve(Checkpoint.MODEL));
            assertThat(weights.tensors().keySet()).containsExactlyElementsOf(
                    t.model().layout().tensors().stream().map(x -> x.name()).toList());
            assertThat(weights.tensors().get("blocks.0.qkv.weight").shape()).containsExactly(48, 16);
            assertThat(weights.metadata()).containsEntry("format", "pt").containsEntry("dmodel", "16").containsEntry("ctx", "160");
            Gpt loaded = read.loadModel(pool);
            assertThat(loaded.parameters()).isEqualTo(t.model().parameters());
        }
    }

    @Test void resumingWithOtherSettingsNamesTheField() {
        Trainer t = freshRun(tmp, 2, Parallel.SERIAL);
        Checkpoint c = new Checkpoints(tmp, EVERY_5).newest().orElseThrow();
        TrainConfig other = new TrainConfig(21, STEPS, 8, t.config().schedule(), t.config().optimizer(), t.config().lossOn(), 10);
        assertThatThrownBy(() -> c.resume(TinyRuns.FIG2, other, Parallel.SERIAL))
                .isInstanceOf(InputException.class).hasMessageContaining("config.json").hasMessageContaining("field 'training.batch'");
    }

    @Test void configsWrittenBeforeEdgeOrdersAndBeta2ExistedReadAsWhatTheyWere() throws Exception {
        // Checkpoints from before issue 10 lack these fields: their prompts were shuffled, AdamW had torch's beta2, no clipping.
        TaskSpec task = org.covlab.report.Json.mapper().readValue("{\"name\":\"fig2\",\"H\":8}", TaskSpec.class);
        assertThat(task.edgeOrder()).isEqualTo(org.covlab.task.graph.EdgeOrder.SHUFFLED);
        Optimizer.Settings opt = org.covlab.report.Json.mapper().readValue(
                "{\"kind\":\"ADAMW\",\"weightDecay\":0.01,\"lambda\":1.0}", Optimizer.Settings.class);
        assertThat(opt).isEqualTo(Optimizer.Settings.adamw());
        assertThat(opt.beta2()).isEqualTo(0.999);
        assertThat(opt.clip()).isZero();
    }

    @Test void pruningKeepsTheLastKAndEveryMth() {
        TrainConfig cfg = new TrainConfig(1, 9, 2, LrSchedule.constant(1e-3), Optimizer.Settings.adamw(), TaskData.LossOn.RESPONSE, 0);
        Trainer t = new Trainer(Trainer.initialModel(TinyRuns.GPT, 1, Parallel.SERIAL), TinyRuns.FIG2, cfg);
        Checkpoints c = new Checkpoints(tmp, new CheckpointPolicy(1, 2, 4));
        c.save(t, TinyRuns.FIG2_SPEC);
        t.train(9, c.saver(TinyRuns.FIG2_SPEC));
        assertThat(steps(c)).containsExactly(0, 4, 8, 9);              // every 4th, plus the last two
        Checkpoints all = new Checkpoints(tmp.resolve("all"), new CheckpointPolicy(3, 0, 0));
        Trainer u = new Trainer(Trainer.initialModel(TinyRuns.GPT, 1, Parallel.SERIAL), TinyRuns.FIG2, cfg);
        all.save(u, TinyRuns.FIG2_SPEC);
        u.train(9, all.saver(TinyRuns.FIG2_SPEC));
        assertThat(steps(all)).containsExactly(0, 3, 6, 9);
        Checkpoints lastOnly = new Checkpoints(tmp.resolve("last"), new CheckpointPolicy(1, 1, 0));
        Trainer v = new Trainer(Trainer.initialModel(TinyRuns.GPT, 1, Parallel.SERIAL), TinyRuns.FIG2, cfg);
        v.train(3, lastOnly.saver(TinyRuns.FIG2_SPEC));
        assertThat(steps(lastOnly)).containsExactly(3);
        assertThat(tmp.resolve("last").toFile().list()).containsExactly("step-000003");   // nothing hidden left behind
    }

    /** Each way a checkpoint can be damaged gives an InputException that names the file. */
    @Test void truncatedOrCorruptFilesAreOneLineErrors() throws IOException {
        Trainer t = freshRun(tmp.resolve("run"), 1, Parallel.SERIAL);
        Path good = Checkpoint.write(tmp.resolve("good"), t, TinyRuns.FIG2_SPEC).dir();
        record Damage(String file, String expected, Mutation how) {}
        List<Damage> cases = List.of(
                new Damage(Checkpoint.MODEL, "bytes, state.json says", f -> Files.write(f, Arrays.copyOf(Files.readAllBytes(f), 1000))),
                new Damage(Checkpoint.MODEL, "CRC-32C", f -> flipByte(f, 5000)),
                new Damage(Checkpoint.OPTIMIZER, "CRC-32C", f -> flipByte(f, 200)),
                new Damage(Checkpoint.CONFIG, "bytes, state.json says", f -> Files.writeString(f, "{\"model\": ")),
                new Damage(Checkpoint.STATE, "state.json", f -> Files.write(f, Arrays.copyOf(Files.readAllBytes(f), 40))),
                new Damage(Checkpoint.STATE, "field 'step'", f -> Files.writeString(f, Files.readString(f).replace("\"step\" : 1", "\"step\" : -3"))),
                new Damage(Checkpoint.STATE, "field 'optimizer.steps'", f -> Files.writeString(f, Files.readString(f).replace("\"steps\" : 1", "\"steps\" : 2"))),
                new Damage(Checkpoint.STATE, "field 'files." + Checkpoint.MODEL + "'", f -> Files.writeString(f, Files.readString(f).replace(Checkpoint.MODEL, "x"))),
                new Damage(Checkpoint.OPTIMIZER, "missing", Files::delete));
        for (Damage d : cases) {
            Path copy = tmp.resolve("copy-" + cases.indexOf(d));
            copyTree(good, copy);
            d.how().apply(copy.resolve(d.file()));
            assertThatThrownBy(() -> Checkpoint.read(copy).resume(TinyRuns.FIG2, t.config(), Parallel.SERIAL))
                    .as(d.file() + ": " + d.expected())
                    .isInstanceOf(InputException.class)
                    .hasMessageContaining(copy.resolve(d.file()).toString())
                    .hasMessageContaining(d.expected())
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }

    /** Without covlab's bookkeeping a folder still loads for eval; what train --resume needs is named as missing. */
    @Test void resumeNamesWhatAFolderMadeElsewhereLacks() throws IOException {
        Trainer t = freshRun(tmp.resolve("run"), 1, Parallel.SERIAL);
        Path good = Checkpoint.write(tmp.resolve("good"), t, TinyRuns.FIG2_SPEC).dir();
        Path bare = tmp.resolve("bare");
        copyTree(good, bare);
        Files.delete(bare.resolve(Checkpoint.STATE));
        Files.delete(bare.resolve(Checkpoint.OPTIMIZER));
        Checkpoint c = Checkpoint.read(bare);
        assertThat(c.step()).isZero();
        assertThat(c.loadModel(Parallel.SERIAL).parameters()).containsExactly(t.model().parameters());
        assertThatThrownBy(() -> c.resume(TinyRuns.FIG2, t.config(), Parallel.SERIAL)).isInstanceOf(InputException.class)
                .hasMessage(bare.resolve(Checkpoint.STATE) + ": missing (train --resume needs covlab's own checkpoint)");
        Path noTraining = tmp.resolve("no-training");
        copyTree(good, noTraining);
        Files.writeString(noTraining.resolve(Checkpoint.CONFIG), "{\"model\": " + org.covlab.report.Json.toJson(TinyRuns.GPT)
                + ", \"task\": {\"name\": \"fig2\", \"H\": 8}}");
        Checkpoint.State s = org.covlab.report.Json.readFile(noTraining.resolve(Checkpoint.STATE), Checkpoint.State.class);
        s.files().put(Checkpoint.CONFIG, CheckpointFiles.check(noTraining.resolve(Checkpoint.CONFIG)));   // resealed
        org.covlab.report.Json.writeFile(noTraining.resolve(Checkpoint.STATE), s);
        assertThatThrownBy(() -> Checkpoint.read(noTraining)).isInstanceOf(InputException.class).hasMessageContaining(Checkpoint.CONFIG
                + ": field 'training': missing (state.json's step, seed and data position are checked against it)");
    }

    @FunctionalInterface
    interface Mutation {
        void apply(Path file) throws IOException;
    }

    private static void flipByte(Path f, int at) throws IOException {
        byte[] b = Files.readAllBytes(f);
        b[at] ^= 0x10;
        Files.write(f, b);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var s = Files.list(from)) {
            for (Path p : s.toList()) Files.copy(p, to.resolve(p.getFileName()));
        }
    }

    private static List<Integer> steps(Checkpoints c) {
        return c.list().stream().map(Checkpoints.Entry::step).toList();
    }
}
