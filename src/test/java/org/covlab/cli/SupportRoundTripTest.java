package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.covlab.model.AutoregressiveModel;
import org.covlab.report.CsvTable;
import org.covlab.tensor.Parallel;
import org.covlab.train.Checkpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop of a user who scores covlab's evaluation set with their own model (issue 12): {@code task support} writes
 * the set, each line is scored by a model (here the covlab GPT through its public {@link AutoregressiveModel} API,
 * one sequence at a time, as a PyTorch user would), logp_model is added, and {@code coverage --records --k} gives
 * eval's metrics.csv.
 */
class SupportRoundTripTest {
    static final int PROMPTS = 3;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path dir;
    static Path run, eval, support;

    @BeforeAll static void trainEvaluateAndExport() {
        run = TinyTraining.run(dir.resolve("tiny"));
        eval = dir.resolve("eval");
        CliRun e = CliRun.of("eval", "--checkpoints", TinyTraining.checkpoint(run).toString(), "--prompts", Integer.toString(PROMPTS),
                "--n", "2,4,16", "--k", "1,4,16", "--records-with-tokens", "--out", eval.toString());
        assertThat(e.exit()).as(e.err()).isEqualTo(0);
        support = dir.resolve("support.jsonl");
        CliRun s = CliRun.of("task", "support", "--task", "fig2", "--H", "8", "--prompts", Integer.toString(PROMPTS), "--out", support.toString());
        assertThat(s.exit()).as(s.err()).isEqualTo(0);
        assertThat(s.out()).contains(PROMPTS * 18 + " (prompt, response) pairs");
    }

    static List<ObjectNode> lines(Path file) throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) out.add((ObjectNode) JSON.readTree(l));
        return out;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).intValue();
        return out;
    }

    @Test void scoredElsewhereTheSetGivesEvalsMetrics() throws IOException {
        AutoregressiveModel model = Checkpoint.read(TinyTraining.checkpoint(run)).loadModel(Parallel.SERIAL);
        List<ObjectNode> set = lines(support);
        assertThat(set).hasSize(PROMPTS * (1 + 1 + 16));
        StringBuilder scored = new StringBuilder();
        for (ObjectNode line : set) {
            assertThat(line.fieldNames()).toIterable()
                    .containsExactly("id", "logp_data", "weight", "group", "prompt", "response", "prompt_text", "response_text");
            line.put("logp_model", model.sequenceLogProb(ints(line.get("prompt")), ints(line.get("response"))));
            scored.append(JSON.writeValueAsString(line)).append('\n');
        }
        Path records = dir.resolve("scored.jsonl");
        Files.writeString(records, scored);
        CliRun r = CliRun.of("coverage", "--records", records.toString(), "--n", "2,4,16", "--k", "1,4,16", "--json");
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        JsonNode json = JSON.readTree(r.out());
        double worst = 0;
        int compared = 0;
        for (CsvTable.Row row : CsvTable.read(eval.resolve("metrics.csv")).rows()) {
            JsonNode n = row.get("group").equals("mixed") ? json : json.get("groups").get(row.get("group"));
            List<double[]> pairs = new ArrayList<>(List.of(new double[] {n.get("kl").asDouble(), row.number("kl")},
                    new double[] {n.get("cross_entropy").asDouble(), row.number("cross_entropy")}));
            for (String N : new String[] {"2", "4", "16"}) pairs.add(new double[] {n.at("/coverage/" + N + "/value").asDouble(), row.number("cov@" + N)});
            for (String k : new String[] {"1", "4", "16"}) pairs.add(new double[] {n.at("/pass/" + k).asDouble(), row.number("pass@" + k)});
            for (double[] p : pairs) worst = Math.max(worst, Math.abs(p[0] - p[1]) / Math.max(1, Math.abs(p[1])));
            compared += pairs.size();
        }
        System.out.printf("task support scored one by one vs eval's metrics.csv: %d figures, max relative difference %.3g%n", compared, worst);
        assertThat(compared).isEqualTo(4 * 8);
        assertThat(worst).isLessThan(1e-9);
    }

    /** eval --records-with-tokens: the support file's lines, in its order, plus logp_model. */
    @Test void evalsRecordsWithTokensAreTheSetPlusLogpModel() throws IOException {
        List<ObjectNode> set = lines(support), records = lines(eval.resolve("step-000100/records.jsonl"));
        assertThat(records).hasSameSizeAs(set);
        for (int i = 0; i < set.size(); i++) {
            assertThat(records.get(i).fieldNames()).toIterable().containsExactly("id", "logp_model", "logp_data", "weight", "group",
                    "prompt", "response", "prompt_text", "response_text");
            ObjectNode without = records.get(i).deepCopy();
            without.remove("logp_model");
            assertThat(without).as("line %d", i + 1).isEqualTo(set.get(i));
        }
        assertThat(set.get(0).get("id").asText()).isEqualTo("G1/x0/y0");
        assertThat(set.get(set.size() - 1).get("id").asText()).isEqualTo("G3/x" + (PROMPTS - 1) + "/y15");
        assertThat(set.get(0).get("response_text").asText()).endsWith(String.valueOf(set.get(0).get("response").get(9).intValue()));
    }

    @Test void refusalsAreOneLineWithExitTwo() {
        CliRun r = CliRun.of("task", "support", "--task", "fig2", "--prompts", "2", "--out", support.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("covlab: " + support + ": exists; choose another --out (covlab does not overwrite it)");
        r = CliRun.of("task", "support", "--task", "fig2", "--prompts", "0", "--out", dir.resolve("x.jsonl").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("covlab: --prompts: must be >= 1, got 0");
        r = CliRun.of("task", "support", "--task", "fig3", "--prompts", "2", "--out", dir.resolve("x.jsonl").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(dir.resolve("x.jsonl")).doesNotExist();
    }
}
