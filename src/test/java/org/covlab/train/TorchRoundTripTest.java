package org.covlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.covlab.model.Gpt;
import org.covlab.report.Json;
import org.covlab.task.Prompt;
import org.covlab.tensor.Parallel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model trained in PyTorch, read by covlab: scripts/torch_roundtrip.py trains scripts/covlab_gpt.py's GPT on a few
 * fig2 samples drawn here, writes config.json and model.safetensors with Python's standard library, and its own
 * log-probs; covlab reads the folder as eval does and must give the same log-probs. Skipped where
 * {@code /usr/bin/python3 -c 'import torch'} fails (Debian: apt-get install -y python3-torch libopenblas0-pthread).
 */
class TorchRoundTripTest {

    static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    @TempDir Path dir;

    /** Runs a command in the repository root; its exit code, with its output in {@code log}. */
    static int run(Path log, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    @Test void pyTorchTrainedWeightsGiveCovlabTheSameLogProbs() throws Exception {
        Path log = dir.resolve("python.log");
        Assumptions.assumeTrue(run(log, PYTHON, "-c", "import torch") == 0,
                "PyTorch not found (" + PYTHON + " -c 'import torch' failed): apt-get install -y python3-torch libopenblas0-pthread to run this test");
        SplittableRandom rng = new SplittableRandom(12);
        List<int[][]> samples = new ArrayList<>();
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            Prompt x = TinyRuns.FIG2.samplePrompt(rng);
            int[] y = TinyRuns.FIG2.sampleResponse(x, rng);
            samples.add(new int[][] {x.tokens(), y});
            jsonl.append(Json.toJsonLine(Map.of("prompt", x.tokens(), "response", y))).append('\n');
        }
        Files.writeString(dir.resolve("samples.jsonl"), jsonl);
        Path out = dir.resolve("from-torch");
        int exit = run(log, PYTHON, "scripts/torch_roundtrip.py", "--samples", dir.resolve("samples.jsonl").toString(), "--task", "fig2",
                "--H", "8", "--ctx", "" + TinyRuns.CTX, "--steps", "8", "--out", out.toString());
        assertThat(exit).as(Files.readString(log)).isZero();

        Checkpoint ck = Checkpoint.read(out);
        assertThat(ck.state()).as("no state.json: a folder made elsewhere").isNull();
        assertThat(ck.config().model()).isEqualTo(TinyRuns.GPT);
        Gpt model = ck.loadModel(Parallel.SERIAL);
        JsonNode torch = Json.readTree(out.resolve("torch_logprobs.json"));
        double worst = 0;
        for (int i = 0; i < samples.size(); i++) {
            double covlab = model.sequenceLogProbs(new int[][] {samples.get(i)[0]}, new int[][] {samples.get(i)[1]})[0];
            worst = Math.max(worst, Math.abs(covlab - torch.get("logp").get(i).asDouble()));
        }
        System.out.printf("PyTorch-trained GPT (%s, loss %.4f): covlab's log pi(y|x) vs PyTorch's on %d fig2 samples, max abs diff %.2g%n",
                torch.get("torch").asText(), torch.get("final_loss").asDouble(), samples.size(), worst);
        assertThat(torch.get("logp").size()).isEqualTo(samples.size());
        assertThat(worst).isLessThan(1e-4);
    }
}
