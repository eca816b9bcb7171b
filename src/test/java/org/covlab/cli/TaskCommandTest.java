package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.covlab.task.Prompt;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;
import org.junit.jupiter.api.Test;

class TaskCommandTest {

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void sampleJsonLinesAreConsistentWithTheTask() throws Exception {
        Run r = run("task", "sample", "--task", "fig2", "--H", "8", "--count", "40", "--seed", "1", "--json");
        assertThat(r.code()).isZero();
        String[] lines = r.out().strip().split("\n");
        assertThat(lines).hasSize(40);
        GraphTask task = GraphTasks.byName("fig2", 8);
        ObjectMapper mapper = new ObjectMapper();
        for (String line : lines) {
            JsonNode j = mapper.readTree(line);
            List<String> keys = new ArrayList<>();
            j.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).containsExactly("prompt_text", "response_text", "prompt", "response", "class", "logp_data");
            int[] prompt = ints(j.get("prompt")), response = ints(j.get("response"));
            assertThat(task.tokenizer().tokens(j.get("prompt_text").asText())).containsExactly(prompt);
            assertThat(task.tokenizer().responseTokens(j.get("response_text").asText())).containsExactly(response);
            assertThat(j.get("prompt_text").asText()).matches("(\\d+ \\d+ \\| )*\\d+ \\d+ / \\d+ \\d+ =");
            Prompt x = new Prompt(prompt, j.get("class").asText());
            assertThat(j.get("logp_data").asDouble()).isEqualTo(task.logProbData(x, response));
            assertThat(task.verifier().accepts(x, response)).isTrue();
        }
        Run again = run("task", "sample", "--task", "fig2", "--H", "8", "--count", "40", "--seed", "1", "--json");
        assertThat(again.out()).isEqualTo(r.out());
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    @Test
    void textOutputAndInfo() {
        Run r = run("task", "sample", "--task", "fig1-finetune", "--class", "G2", "--count", "2");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("class G2").contains("prompt:").contains("response:");
        Run info = run("task", "info", "--task", "fig2", "--H", "24");
        assertThat(info.out()).contains("vocabulary 104").contains("longest prompt 438 tokens, response 27 tokens");
    }

    @Test
    void badInputIsOneLineAndExitCode2() {
        for (String[] args : List.of(new String[] {"task", "sample", "--task", "fig9"},
                new String[] {"task", "sample", "--task", "fig2", "--H", "7"},
                new String[] {"task", "sample", "--task", "fig2", "--count", "0"},
                new String[] {"task", "sample", "--task", "fig2", "--class", "G7"})) {
            Run r = run(args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().strip()).startsWith("covlab: --").doesNotContain("\n").doesNotContain("Exception");
        }
    }

    @Test
    void helpEndsWithRunnableExamples() {
        Run r = run("task", "sample", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).contains("Examples:").endsWith("./covlab task sample --task fig1-pretrain --count 4 --json");
    }
}
