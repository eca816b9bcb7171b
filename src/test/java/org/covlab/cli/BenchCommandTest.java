package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
    @TempDir Path dir;

    /** A tiny model so that the GPT part takes well under a second; the GEMM part takes a few. */
    private static final String[] TINY = {"bench", "--vocab", "11", "--ctx", "16", "--layers", "1", "--heads", "2",
            "--dmodel", "16", "--batch", "3", "--steps", "1", "--threads", "2", "--json"};

    private static String[] with(String... more) {
        String[] out = java.util.Arrays.copyOf(TINY, TINY.length + more.length);
        System.arraycopy(more, 0, out, TINY.length, more.length);
        return out;
    }

    @Test void jsonHasTheSpecKeysAndRatiosAgainstThePeerItRan() throws Exception {
        // A stand-in peer: prints fixed figures, and the arguments it was given, as torch_gpt.py prints its settings.
        Path peer = dir.resolve("peer.sh");
        Files.writeString(peer, "echo \"{\\\"train_tokens_per_s\\\": 1000, \\\"score_tokens_per_s\\\": 4000, \\\"args\\\": \\\"$*\\\"}\"\n");
        // the task round's stand-in: checks that it got the batches file, then prints a fixed figure
        Path taskPeer = dir.resolve("task-peer.sh");
        Files.writeString(taskPeer, "test -s \"$2\" && grep -q lengths \"$2\" && echo \"{\\\"task_train_tokens_per_s\\\": 500}\"\n");
        CliRun r = CliRun.of(with("--peer", "--python", "/bin/sh", "--peer-script", peer.toString(), "--task-peer-script", taskPeer.toString()));
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.fieldNames()).toIterable().startsWith("train_tokens_per_s", "score_tokens_per_s", "task_train_tokens_per_s",
                "sample_tokens_per_s", "gemm_gflops_256", "gemm_gflops_1024", "vector_bits", "cpu_model");
        assertThat(json.get("vector_bits").intValue()).isIn(128, 256, 512);
        assertThat(json.get("cpu_model").asText()).isNotBlank();
        for (String key : new String[] {"train_tokens_per_s", "score_tokens_per_s", "task_train_tokens_per_s", "sample_tokens_per_s",
                "gemm_gflops_256", "gemm_gflops_1024"}) {
            assertThat(json.get(key).doubleValue()).as(key).isPositive().isFinite();
        }
        assertThat(json.get("train_ratio").doubleValue()).isCloseTo(json.get("train_tokens_per_s").doubleValue() / 1000, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(json.get("score_ratio").doubleValue()).isCloseTo(json.get("score_tokens_per_s").doubleValue() / 4000, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(json.get("task_train_ratio").doubleValue()).isCloseTo(json.get("task_train_tokens_per_s").doubleValue() / 500, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(json.get("peer_task_train_tokens_per_s").doubleValue()).isEqualTo(500);
        assertThat(json.get("peer").get("args").asText())
                .contains("--vocab 11", "--ctx 16", "--layers 1", "--heads 2", "--dmodel 16", "--batch 3", "--steps 1", "--threads 2");
        assertThat(json.get("settings").get("dmodel").intValue()).isEqualTo(16);
        JsonNode rounds = json.get("rounds");
        assertThat(rounds).hasSize(3);                          // the default: three (covlab, peer) pairs
        double[] scores = new double[3];
        for (int i = 0; i < 3; i++) {
            scores[i] = rounds.get(i).get("score_tokens_per_s").doubleValue();
            assertThat(rounds.get(i).get("score_ratio").doubleValue()).isCloseTo(scores[i] / 4000, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(rounds.get(i).get("peer_train_tokens_per_s").doubleValue()).isEqualTo(1000);
        }
        java.util.Arrays.sort(scores);
        assertThat(json.get("score_tokens_per_s").doubleValue()).as("the median round").isEqualTo(scores[1]);
        assertThat(json.get("heap_peak_gib").doubleValue()).isPositive().isLessThanOrEqualTo(json.get("heap_max_gib").doubleValue() * 1.01);
    }

    @Test void missingPythonIsOneLineAndTheOwnFiguresStillPrint() throws Exception {
        Path peer = dir.resolve("torch_gpt.py");
        Files.writeString(peer, "");
        CliRun r = CliRun.of(with("--peer", "--python", dir.resolve("no-such-python").toString(), "--peer-script", peer.toString()));
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        assertThat(r.errLines()).filteredOn(l -> l.startsWith("covlab")).singleElement().asString().contains("peer not run");
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("peer").isNull()).isTrue();
        assertThat(json.get("train_tokens_per_s").doubleValue()).isPositive();
    }

    @Test void badShapesExitTwoWithOneLine() {
        for (String[] bad : new String[][] {{"bench", "--heads", "3"}, {"bench", "--steps", "0"}, {"bench", "--rounds", "0"},
                {"bench", "--peer", "--peer-script", "/no/such/torch_gpt.py"}}) {
            CliRun r = CliRun.of(bad);
            assertThat(r.exit()).as(String.join(" ", bad)).isEqualTo(2);
            assertThat(r.errLines()).hasSize(1);
        }
    }

    @Test void helpEndsInExamples() {
        CliRun r = CliRun.of("bench", "--help");
        assertThat(r.exit()).isEqualTo(0);
        assertThat(r.out()).contains("Examples:", "./covlab bench --peer", "train_tokens_per_s");
    }
}
