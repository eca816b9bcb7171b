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
     * ends with the same model.safetensors bytes as a run that was never interrupted.
     */
    @Test void killedProcessResumesToTheSameBytes() throws Exception {
        Path whole = dir.resolve("whole"), killed = dir.resolve("killed");
        String[] args = {"train", "--task", "fig2", "--H", "8", "--layers", "1", "--heads", "2", "--dmodel", "32", "--batch", "16",
                "--lr", "3e-3", "--steps", "200", "--checkpoint-every", "20", "--dataset", "1000", "--keep-last", "3"};
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(Arrays.asList(args));
        cmd.addAll(List.of("--out", killed.toString(), "--threads", "2"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile());
        pb.environment().put("COVLAB_PROGRESS", "none");
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(killed.resolve("checkpoints/step-000040")) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        Thread.sleep(System.nanoTime() % 300);                   // an arbitrary moment: in a step, in metrics.csv or in a checkpoint
        boolean finishedAlone = !p.isAlive();
        p.destroyForcibly();                                    // SIGKILL: no shutdown hooks, no flushing
        p.waitFor(30, TimeUnit.SECONDS);
        List<String> left = Arrays.asList(killed.resolve("checkpoints").toFile().list());
        System.out.println("killed " + (finishedAlone ? "after it finished (machine slow?)" : "mid-run") + "; checkpoints folder held " + left);

        CliRun resumed = CliRun.of(concat(args, "--out", killed.toString(), "--resume"));
        assertThat(resumed.exit()).as(resumed.err()).isEqualTo(0);
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
                train(dir.resolve("c"), "--optimizer", "sgd"),
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
