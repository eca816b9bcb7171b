package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.covlab.bon.BestOfN;
import org.covlab.bon.BestOfNResult;
import org.covlab.decode.TttGpt;
import org.covlab.decode.TttSettings;
import org.covlab.model.Gpt;
import org.covlab.task.graph.GraphTasks;
import org.covlab.tensor.Parallel;
import org.covlab.train.Checkpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eval} and {@code bon} with {@code --ttt-lr/--ttt-steps}: the GPT's test-time-training decoder from the command line. */
class TttCommandTest {

    @TempDir static Path dir;
    static Path checkpoint;

    @BeforeAll static void train() {
        checkpoint = TinyTraining.checkpoint(TinyTraining.run(dir.resolve("tiny")));
    }

    /** Every record's logp_model is logprob_TTT of its tokens, the settings are in config.json, and they moved the log-probs. */
    @Test void evalScoresWithTheTttDecoder() throws Exception {
        Path out = dir.resolve("eval-ttt");
        CliRun r = CliRun.of("eval", "--checkpoints", checkpoint.toString(), "--prompts", "2", "--ttt-lr", "0.05", "--ttt-steps", "2",
                "--records-with-tokens", "--threads", "2", "--out", out.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("test-time training K=2 eta=0.05");
        ObjectMapper json = new ObjectMapper();
        JsonNode ttt = json.readTree(out.resolve("config.json").toFile()).get("ttt");
        assertThat(ttt.get("steps").asInt()).isEqualTo(2);
        assertThat(ttt.get("lr").asDouble()).isEqualTo(0.05);
        Gpt model = Checkpoint.read(checkpoint).loadModel(Parallel.SERIAL);
        TttGpt decoder = new TttGpt(model, new TttSettings(2, 0.05));
        double worst = 0, moved = 0;
        List<String> lines = Files.readAllLines(out.resolve("step-000100/records.jsonl"));
        for (String line : lines) {
            JsonNode rec = json.readTree(line);
            int[] x = json.treeToValue(rec.get("prompt"), int[].class), y = json.treeToValue(rec.get("response"), int[].class);
            double logp = rec.get("logp_model").asDouble();
            worst = Math.max(worst, Math.abs(logp - decoder.sequenceLogProb(x, y)));
            moved = Math.max(moved, Math.abs(logp - model.sequenceLogProb(x, y)));
        }
        System.out.printf("eval --ttt-lr: %d records vs logprob_TTT, max |diff| %.2e; max |TTT - plain| %.3f%n", lines.size(), worst, moved);
        assertThat(worst).isLessThan(1e-9);
        assertThat(moved).isGreaterThan(1e-3);
    }

    @Test void bonDecodesWithTttAndRecordsIt() throws Exception {
        Path out = dir.resolve("bon-ttt");
        CliRun r = CliRun.of("bon", "--checkpoint", checkpoint.toString(), "--N", "1,4", "--prompts", "6", "--ttt-lr", "0.05",
                "--threads", "1", "--out", out.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("with test-time training K=1 eta=0.05");
        JsonNode ttt = new ObjectMapper().readTree(out.resolve("config.json").toFile()).get("ttt");
        assertThat(ttt.get("steps").asInt()).isEqualTo(1);
        CliRun js = CliRun.of("bon", "--checkpoint", checkpoint.toString(), "--N", "1,4", "--prompts", "6", "--ttt-lr", "0.05",
                "--threads", "1", "--json");
        assertThat(js.exit()).as(js.err()).isEqualTo(0);
        Gpt model = Checkpoint.read(checkpoint).loadModel(Parallel.SERIAL);
        BestOfNResult direct = BestOfN.measure(GraphTasks.byName("fig2", 8), new TttGpt(model, new TttSettings(1, 0.05)),
                new BestOfN.Settings(new int[] {1, 4}, 6, 1, 1));
        JsonNode exact = new ObjectMapper().readTree(js.out()).get("exact");
        for (int i = 0; i < 2; i++) assertThat(exact.get(i).asDouble()).as("exact Pass@N of pi^TTT").isEqualTo(direct.exact()[i]);
        assertThat(Files.readString(out.resolve("report.html"))).contains("test-time training, K = 1, eta = 0.05");
    }

    @Test void badSettingsAreOneLineErrors() {
        String ck = checkpoint.toString();
        String[][] cases = {
                {"eval", "--checkpoints", ck, "--ttt-steps", "2", "--out", dir.resolve("x1").toString()},
                {"eval", "--checkpoints", ck, "--ttt-lr", "-1", "--out", dir.resolve("x2").toString()},
                {"eval", "--checkpoints", ck, "--ttt-lr", "NaN", "--out", dir.resolve("x3").toString()},
                {"bon", "--checkpoint", ck, "--ttt-lr", "0.1", "--ttt-steps", "-1"},
                {"bon", "--model", "linear:bernoulli", "--ttt-lr", "0.1"}};
        String[] expected = {"--ttt-steps: give the step size with --ttt-lr too", "--ttt-lr: must be a finite number >= 0",
                "--ttt-lr: must be a finite number >= 0", "--ttt-steps: must be >= 0", "--ttt-lr: test-time training decodes a GPT --checkpoint"};
        for (int i = 0; i < cases.length; i++) {
            CliRun r = CliRun.of(cases[i]);
            assertThat(r.exit()).as(String.join(" ", cases[i]) + "\n" + r.err()).isEqualTo(2);
            assertThat(r.errLines()).as(String.join(" ", cases[i])).hasSize(1);
            assertThat(r.err()).contains(expected[i]);
        }
        assertThat(dir.resolve("x1")).doesNotExist();
        CliRun diverged = CliRun.of("eval", "--checkpoints", ck, "--prompts", "1", "--ttt-lr", "1e30", "--out", dir.resolve("x4").toString());
        assertThat(diverged.exit()).as(diverged.err()).isEqualTo(3);
        assertThat(diverged.errLines()).hasSize(1);
        assertThat(diverged.err()).contains("test-time training diverged (K = 1, eta = 1.00e+30)");
    }
}
