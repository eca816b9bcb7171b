package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.covlab.report.CsvTable;
import org.covlab.report.Json;
import org.covlab.train.Checkpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {

    @TempDir Path dir;

    /** The tiny run's arguments into {@code out}, with options in {@code extra} replacing the tiny run's own. */
    static String[] train(Path out, String... extra) {
        List<String> a = new ArrayList<>(Arrays.asList(TinyTraining.ARGS));
        for (int i = 0; i < extra.length; i++) {
            int at = a.indexOf(extra[i]);
            boolean flag = i + 1 >= extra.length || extra[i + 1].startsWith("--");
            if (at >= 0 && !flag) a.set(at + 1, extra[++i]);
            else {
                a.add(extra[i]);
                if (!flag) a.add(extra[++i]);
            }
        }
        a.addAll(List.of("--out", out.toString()));
        return a.toArray(new String[0]);
    }

    @Test void writesTheRunFolderAndResumesOnlyWithTheSameSettings() throws IOException {
        Path run = TinyTraining.run(dir.resolve("tiny"));
        CsvTable metrics = CsvTable.read(run.resolve("metrics.csv")).requireColumns("step", "loss", "grad_norm", "lr", "tokens_per_s");
        assertThat(metrics.rowCount()).isEqualTo(100);
        assertThat(metrics.row(99).integer("step")).isEqualTo(100);
        assertThat(metrics.row(99).number("loss")).isLessThan(metrics.row(0).number("loss"));
        var results = Json.readTree(run.resolve("results.json"));
        assertThat(results.get("seed").asLong()).isEqualTo(1);
        assertThat(results.get("git_hash") != null || results.get("gitHash") != null).isTrue();
        assertThat(results.at("/results/steps").asInt()).isEqualTo(100);
        assertThat(results.at("/results/tokens_per_s").asDouble()).isPositive();
        assertThat(Files.readString(run.resolve("config.json"))).contains("\"dModel\" : 32").contains("\"ctx\" : 160");
        assertThat(run.resolve("checkpoints").toFile().list()).containsExactlyInAnyOrder("step-000000", "step-000050", "step-000100");

        CliRun again = CliRun.of(train(run));
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err()).contains("--resume");
        CliRun other = CliRun.of(train(run, "--resume", "--lr", "1e-3"));
        assertThat(other.exit()).isEqualTo(2);
        assertThat(other.errLines()).hasSize(1);
        assertThat(other.err()).contains("config.json").contains("lr");
        byte[] before = Files.readAllBytes(TinyTraining.checkpoint(run).resolve("model.safetensors"));
        CliRun same = CliRun.of(train(run, "--resume"));
        assertThat(same.exit()).as(same.err()).isEqualTo(0);
        assertThat(same.out()).contains("(resumed)");
        assertThat(Files.readAllBytes(TinyTraining.checkpoint(run).resolve("model.safetensors"))).isEqualTo(before);
    }

    /**
     * The real thing: a training process killed with SIGKILL at an arbitrary moment (0-300 ms after its step-40
     * checkpoint appears, wherever it then is: in a step, in metrics.csv, inside a checkpoint), then resumed,
     * ends with the same model.safetensors bytes as a run that was never interrupted. The kill must land mid-run
     * (the newest complete checkpoint before step 200); a child that finished first runs again with a shorter delay.
     */
    @Test void killedProcessResumesToTheSameBytes() throws Exception {
        Path whole = dir.resolve("whole"), killed = null;
        String[] args = {"train", "--task", "fig2", "--H", "8", "--layers", "1", "--heads", "2", "--dmodel", "32", "--batch", "16",
                "--lr", "3e-3", "--steps", "200", "--checkpoint-every", "20", "--dataset", "1000", "--keep-last", "3"};
        int newest = 200, attempt = 0;
        for (; attempt < 3 && newest == 200; attempt++) {
            killed = dir.resolve("killed-" + attempt);
            newest = killAfterStep40(args, killed, 300 >> 3 * attempt);  // delays up to 300, 37, 4 ms
        }
        System.out.println("SIGKILL after " + attempt + " attempt(s); newest complete checkpoint: step " + newest);
        assertThat(newest).as("newest complete checkpoint after %d kill(s): one landed before step 200", attempt).isBetween(40, 199);

        CliRun resumed = CliRun.of(concat(args, "--out", killed.toString(), "--resume"));
        assertThat(resumed.exit()).as(resumed.err()).isEqualTo(0);
        assertThat(resumed.out()).contains("(resumed)");
        CliRun straight = CliRun.of(concat(args, "--out", whole.toString(), "--threads", "1"));
        assertThat(straight.exit()).as(straight.err()).isEqualTo(0);
        byte[] a = Files.readAllBytes(whole.resolve("checkpoints/step-000200/model.safetensors"));
        byte[] b = Files.readAllBytes(killed.resolve("checkpoints/step-000200/model.safetensors"));
        assertThat(b).isEqualTo(a);
        CsvTable ma = CsvTable.read(whole.resolve("metrics.csv")), mb = CsvTable.read(killed.resolve("metrics.csv"));
        assertThat(mb.rowCount()).isEqualTo(200);
        for (int i = 0; i < 200; i++) assertThat(mb.row(i).number("loss")).isEqualTo(ma.row(i).number("loss"));
        System.out.println("SIGKILL + --resume: step-000200/model.safetensors identical to the uninterrupted run (" + a.length + " bytes), 200 losses identical");
    }

    /**
     * Trains into {@code out} in a child process and SIGKILLs it 0 to {@code maxDelayMs} ms after its step-40
     * checkpoint appears; returns the newest complete checkpoint's step (a visible step-N folder is complete).
     */
    private static int killAfterStep40(String[] args, Path out, long maxDelayMs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(Arrays.asList(args));
        cmd.addAll(List.of("--out", out.toString(), "--threads", "2"));
        Path log = out.resolveSibling(out.getFileName() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("COVLAB_PROGRESS", "none");
        Process p = pb.start();
        Path step40 = out.resolve("checkpoints/step-000040");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(step40) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        boolean reached = Files.exists(step40);
        if (reached) Thread.sleep(System.nanoTime() % maxDelayMs);  // an arbitrary moment: in a step, in metrics.csv or in a checkpoint
        p.destroyForcibly();                                         // SIGKILL: no shutdown hooks, no flushing
        p.waitFor(30, TimeUnit.SECONDS);
        assertThat(reached).as("the child wrote step-000040 within 60 s; its output:%n%s", Files.readString(log)).isTrue();
        List<Checkpoints.Entry> left = Checkpoints.list(out.resolve("checkpoints"));
        return left.isEmpty() ? -1 : left.get(left.size() - 1).step();
    }

    @Test void corruptCheckpointsAreOneLineErrorsWithExitTwo() throws IOException {
        Path run = TinyTraining.run(dir.resolve("tiny"));
        Path model = TinyTraining.checkpoint(run).resolve("model.safetensors");
        Files.write(model, Arrays.copyOf(Files.readAllBytes(model), 500));
        String[][] commands = {
                train(run, "--resume"),
                {"eval", "--checkpoints", run.toString(), "--prompts", "2", "--out", dir.resolve("e").toString()},
                {"sample", "--checkpoint", TinyTraining.checkpoint(run).toString()},
                {"bon", "--checkpoint", TinyTraining.checkpoint(run).toString(), "--prompts", "2"},
                {"select", "--method", "tournament", "--n", "4", "--checkpoints", run.toString(), "--samples", "4"}};
        for (String[] c : commands) {
            CliRun r = CliRun.of(c);
            assertThat(r.exit()).as(String.join(" ", c) + "\n" + r.err()).isEqualTo(2);
            assertThat(r.errLines()).hasSize(1);
            assertThat(r.err()).startsWith("covlab: " + model).contains("500 bytes, state.json says");
        }
        Files.writeString(TinyTraining.checkpoint(run).resolve("state.json"), "{\"format\": 1, \"step\": ");
        CliRun r = CliRun.of("sample", "--checkpoint", TinyTraining.checkpoint(run).toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("covlab: " + TinyTraining.checkpoint(run).resolve("state.json"));
    }

    @Test void badOptionsAreOneLineErrors() {
        String[][] cases = {
                train(dir.resolve("a"), "--ctx", "100"),
                train(dir.resolve("b"), "--dmodel", "33"),
                train(dir.resolve("c"), "--optimizer", "momentum"),
                train(dir.resolve("d"), "--dataset", "lots"),
                train(dir.resolve("e"), "--loss-on", "prompt"),
                train(dir.resolve("f"), "--min-lr", "1"),
                {"train", "--task", "fig2", "--H", "7", "--steps", "1"},
                {"eval", "--checkpoints", dir.resolve("none").toString()},
                {"sample", "--checkpoint", dir.toString()}};
        for (String[] c : cases) {
            CliRun r = CliRun.of(c);
            assertThat(r.exit()).as(String.join(" ", c) + "\n" + r.err()).isEqualTo(2);
            assertThat(r.errLines()).as(String.join(" ", c)).hasSize(1);
            assertThat(r.err()).startsWith("covlab: ");
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
