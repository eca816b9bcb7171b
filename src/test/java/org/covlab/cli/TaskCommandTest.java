package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.covlab.task.Prompt;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;
import org.junit.jupiter.api.Test;

class TaskCommandTest {

    @Test
    void sampleJsonLinesAreConsistentWithTheTask() throws Exception {
        CliRun r = CliRun.of("task", "sample", "--task", "fig2", "--H", "8", "--count", "40", "--seed", "1", "--json");
        assertThat(r.exit()).isZero();
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
        CliRun again = CliRun.of("task", "sample", "--task", "fig2", "--H", "8", "--count", "40", "--seed", "1", "--json");
        assertThat(again.out()).isEqualTo(r.out());
    }

    /** The default lists each prompt's edges by layer; --edge-order shuffled gives the same graphs and responses. */
    @Test
    void edgeOrdersListTheSameGraphs() throws Exception {
        CliRun layer = CliRun.of("task", "sample", "--task", "fig2", "--H", "8", "--count", "20", "--json");
        CliRun shuffled = CliRun.of("task", "sample", "--task", "fig2", "--H", "8", "--count", "20", "--json", "--edge-order", "shuffled");
        assertThat(shuffled.exit()).isZero();
        String[] a = layer.out().strip().split("\n"), b = shuffled.out().strip().split("\n");
        GraphTask task = GraphTasks.byName("fig2", 8);
        ObjectMapper mapper = new ObjectMapper();
        int reordered = 0;
        for (int i = 0; i < a.length; i++) {
            JsonNode x = mapper.readTree(a[i]), y = mapper.readTree(b[i]);
            assertThat(y.get("response")).isEqualTo(x.get("response"));
            assertThat(task.graph(ints(y.get("prompt")))).isEqualTo(task.graph(ints(x.get("prompt"))));
            int[] edges = ints(x.get("prompt"));
            var g = task.graph(edges);
            int previous = 0;
            for (int[] e : task.tokenizer().decodePrompt(edges).edges()) {
                int l = 0;
                while (java.util.Arrays.binarySearch(g.layer(l), e[0]) < 0) l++;
                assertThat(l).as("line %d: sources' layers never decrease", i).isGreaterThanOrEqualTo(previous);
                previous = l;
            }
            if (!x.get("prompt").equals(y.get("prompt"))) reordered++;
        }
        assertThat(reordered).as("shuffled prompts differ from the layer-order ones").isEqualTo(a.length);
        assertThat(CliRun.of("task", "info", "--task", "fig2", "--edge-order", "shuffled").out()).contains("edges listed in shuffled order");
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    @Test
    void textOutputAndInfo() {
        CliRun r = CliRun.of("task", "sample", "--task", "fig1-finetune", "--class", "G2", "--count", "2");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("class G2").contains("prompt:").contains("response:");
        CliRun info = CliRun.of("task", "info", "--task", "fig2", "--H", "24");
        assertThat(info.out()).contains("vocabulary 104").contains("longest prompt 438 tokens, response 27 tokens");
    }

    @Test
    void badInputIsOneLineAndExitCode2() {
        for (String[] args : List.of(new String[] {"task", "sample", "--task", "fig9"},
                new String[] {"task", "sample", "--task", "fig2", "--H", "7"},
                new String[] {"task", "sample", "--task", "fig2", "--count", "0"},
                new String[] {"task", "sample", "--task", "fig2", "--class", "G7"},
                new String[] {"task", "sample", "--task", "fig2", "--edge-order", "random"},
                new String[] {"train", "--task", "fig2", "--steps", "1", "--edge-order", "LAYER"})) {
            CliRun r = CliRun.of(args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().strip()).startsWith("covlab: --").doesNotContain("\n").doesNotContain("Exception");
        }
    }

    @Test
    void helpEndsWithRunnableExamples() {
        CliRun r = CliRun.of("task", "sample", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out().strip()).contains("Examples:").endsWith("./covlab task sample --task fig1-pretrain --count 4 --json");
    }
}
