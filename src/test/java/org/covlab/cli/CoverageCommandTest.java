package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.covlab.metric.ConfidenceIntervals;
import org.covlab.metric.Estimate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CoverageCommandTest {
    @TempDir Path dir;

    private Path file(String... lines) throws IOException {
        Path f = dir.resolve("records.jsonl");
        Files.write(f, List.of(lines));
        return f;
    }

    private String badInput(String ns, String... lines) throws IOException {
        Path f = file(lines);
        CliRun r = CliRun.of("coverage", "--records", f.toString(), "--n", ns, "--json");
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).hasSize(1);
        return r.err().strip().replace(f.toString(), "F");
    }

    private static void assertEstimate(JsonNode node, Estimate expected) {
        assertThat(node.fieldNames()).toIterable().containsExactly("value", "lower", "upper");
        assertThat(node.get("value").doubleValue()).isCloseTo(expected.value(), within(1e-15));
        assertThat(node.get("lower").doubleValue()).isCloseTo(expected.lower(), within(1e-12));
        assertThat(node.get("upper").doubleValue()).isCloseTo(expected.upper(), within(1e-12));
    }

    @Test void jsonHasTheExactKeysAndHandComputedFigures() throws IOException {
        // Log ratios: q1 0.4 (w 1, group all), q2 3.1 (w 1, all), a 2.2 (w 1, G1), b -0.5 (w 3, G1); total 6.
        Path f = file("{\"id\": \"q1\", \"logp_model\": -0.4}",
                "{\"id\": \"q2\", \"logp_model\": -3.1, \"group\": \"all\"}",
                "{\"id\": \"a\", \"logp_model\": -12.3, \"logp_data\": -10.1, \"weight\": 1, \"group\": \"G1\"}",
                "{\"id\": \"b\", \"logp_model\": -9.5, \"logp_data\": -10.0, \"weight\": 3, \"group\": \"G1\"}");
        CliRun r = CliRun.of("coverage", "--records", f.toString(), "--n", "16,4.6,2", "--json");
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.fieldNames()).toIterable().containsExactly("n_records", "kl", "cross_entropy", "coverage", "groups");
        assertThat(json.get("n_records").intValue()).isEqualTo(4);
        assertThat(json.get("kl").doubleValue()).isCloseTo((0.4 + 3.1 + 2.2 - 1.5) / 6, within(1e-12));
        assertThat(json.get("cross_entropy").doubleValue()).isCloseTo((0.4 + 3.1 + 12.3 + 28.5) / 6, within(1e-12));
        JsonNode cov = json.get("coverage");
        assertThat(cov.fieldNames()).toIterable().containsExactly("16", "4.6", "2");
        double ess = 36.0 / 12;  // (1+1+1+3)² / (1+1+1+9)
        assertEstimate(cov.get("16"), ConfidenceIntervals.wilson(1.0 / 6, ess, 1.96));    // 3.1 >= log 16 = 2.77
        assertEstimate(cov.get("4.6"), ConfidenceIntervals.wilson(2.0 / 6, ess, 1.96));   // 3.1, 2.2 >= 1.526
        assertEstimate(cov.get("2"), ConfidenceIntervals.wilson(2.0 / 6, ess, 1.96));
        JsonNode groups = json.get("groups");
        assertThat(groups.fieldNames()).toIterable().containsExactly("all", "G1");
        JsonNode g1 = groups.get("G1");
        assertThat(g1.fieldNames()).toIterable().containsExactly("n_records", "kl", "cross_entropy", "coverage");
        assertThat(g1.get("kl").doubleValue()).isCloseTo((2.2 - 1.5) / 4, within(1e-12));
        assertEstimate(g1.get("coverage").get("2"), ConfidenceIntervals.wilson(0.25, 16.0 / 10, 1.96));
        assertEstimate(groups.get("all").get("coverage").get("4.6"), ConfidenceIntervals.wilson(1, 2));
    }

    @Test void tablePrintsEveryGroupAndN() throws IOException {
        Path f = file("{\"id\": \"x\", \"logp_model\": -1, \"group\": \"G1\"}", "{\"id\": \"y\", \"logp_model\": -0.1, \"group\": \"G2\"}");
        CliRun r = CliRun.of("coverage", "--records", f.toString(), "--n", "2,4.6");
        assertThat(r.exit()).isEqualTo(0);
        assertThat(r.out()).contains("(total)", "G1", "G2", "cross_entropy")
                .containsPattern("(?m)^2 +0\\.5000 \\[").containsPattern("(?m)^4\\.6 +0\\.0000 \\[");
    }

    @Test void badInputIsOneLineNamingFileLineAndField() throws IOException {
        String ok = "{\"id\": \"q\", \"logp_model\": -1}";
        assertThat(badInput("2", ok, "{\"id\": \"r\", \"logp_model\": -1")).startsWith("covlab: F:2: malformed JSON");
        assertThat(badInput("2", ok, "{\"id\": \"r\", \"logp_model\": NaN}"))
                .isEqualTo("covlab: F:2: field 'logp_model': must be a finite number, got NaN");
        assertThat(badInput("2", "{\"id\": \"r\", \"logp_model\": 0.5}"))
                .isEqualTo("covlab: F:1: field 'logp_model': a log-probability must be <= 0, got 0.5");
        assertThat(badInput("2", ok, ok, "{\"id\": \"r\", \"logp_model\": -2, \"logp_data\": 1e-3}"))
                .isEqualTo("covlab: F:3: field 'logp_data': a log-probability must be <= 0, got 0.001");
        assertThat(badInput("2", "{\"id\": \"r\", \"logp_model\": -2, \"weight\": -0.5}"))
                .isEqualTo("covlab: F:1: field 'weight': must be >= 0, got -0.5");
        assertThat(badInput("2", "{\"logp_model\": -2}")).isEqualTo("covlab: F:1: field 'id': is missing");
        assertThat(badInput("2", "{\"id\": \"r\"}")).isEqualTo("covlab: F:1: field 'logp_model': is missing");
        assertThat(badInput("2", "{\"id\": \"r\", \"logp_model\": -2, \"group\": 7}"))
                .isEqualTo("covlab: F:1: field 'group': must be a string, got number 7");
        assertThat(badInput("2", ok, "{\"id\": \"r\", \"logp_model\": -2, \"weight\": 0, \"group\": \"G9\"}"))
                .startsWith("covlab: F: field 'weight': the weights of group 'G9' sum to 0.0");
        assertThat(badInput("2")).isEqualTo("covlab: F: no records");
        assertThat(badInput("2,0.5", ok)).isEqualTo("covlab: option '--n': N must be a finite real number >= 1, got '0.5'");
        assertThat(badInput("2,four", ok)).isEqualTo("covlab: option '--n': 'four' is not a number");
    }

    @Test void missingFileExitsWithTwo() {
        Path missing = dir.resolve("none.jsonl");
        CliRun r = CliRun.of("coverage", "--records", missing.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("covlab: " + missing + ": no such file");
    }

    @Test void helpEndsInExamples() {
        CliRun r = CliRun.of("coverage", "--help");
        assertThat(r.exit()).isEqualTo(0);
        assertThat(r.out().strip()).contains("./covlab coverage --records examples/records.jsonl --n 2,4.6,100 --json")
                .endsWith("./covlab coverage --records runs/tiny-eval/step-000100/records.jsonl --n 2,4,16 --k 1,4,16");
    }

    /** Section 7.1's counterexample to Cov^ans_N <= Cov_N: x/1 and x/2 share answer a, x/2 the model misses (-700). */
    private static final String[] ANSWERS = {
            "{\"id\": \"x/1\", \"logp_model\": " + Math.log(0.2) + ", \"logp_data\": " + Math.log(0.25) + ", \"weight\": 0.25, \"answer\": \"a\"}",
            "{\"id\": \"x/2\", \"logp_model\": -700, \"logp_data\": " + Math.log(0.25) + ", \"weight\": 0.25, \"answer\": \"a\"}",
            "{\"id\": \"x/3\", \"logp_model\": " + Math.log(0.75) + ", \"logp_data\": " + Math.log(0.5) + ", \"weight\": 0.5, \"answer\": \"b\"}"};

    @Test void byAnswerGivesKnownAnswerLevelCoverageAndItsBound() throws IOException {
        CliRun r = CliRun.of("coverage", "--records", file(ANSWERS).toString(), "--n", "2,4", "--by-answer", "--json");
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("coverage").get("2").get("value").doubleValue()).isEqualTo(0.25);   // only x/2 crosses 2 alone
        JsonNode ans = json.get("by_answer");
        assertThat(ans.fieldNames()).toIterable().containsExactly("n_answers", "kl", "cross_entropy", "coverage", "bound");
        assertThat(ans.get("n_answers").intValue()).isEqualTo(2);
        // answer a: pi_D 0.25 + 0.25, pi_hat 0.2 + e^-700: ratio 2.5 >= 2 (no response of it crosses 2 but x/2)
        assertThat(ans.get("coverage").get("2").get("value").doubleValue()).isEqualTo(0.5);
        assertThat(ans.get("coverage").get("4").get("value").doubleValue()).isEqualTo(0.0);
        // KL at answer level: 0.5 log(0.5 / 0.2) + 0.5 log(0.5 / 0.75)
        assertThat(ans.get("kl").doubleValue()).isCloseTo(0.5 * Math.log(2.5) + 0.5 * Math.log(0.5 / 0.75), within(1e-15));
        // bound at N = 2: M = 1, Cov_1 / (1 - 1/2) = 2 x 0.5, capped at 1; at N = 4: M = 2, 2 Cov_2 = 0.5
        assertThat(ans.get("bound").get("2").doubleValue()).isEqualTo(1.0);
        assertThat(ans.get("bound").get("4").doubleValue()).isEqualTo(0.5);
        assertThat(json.get("groups").get("all").get("by_answer").get("coverage").get("2").get("value").doubleValue()).isEqualTo(0.5);
    }

    @Test void anExplicitPromptIdGroupsLikeTheIdPrefix() throws IOException {
        String[] renamed = new String[ANSWERS.length];
        for (int i = 0; i < ANSWERS.length; i++) renamed[i] = ANSWERS[i].replace("\"id\": \"x/" + (i + 1) + "\"", "\"id\": \"r" + i + "\", \"prompt_id\": \"x\"");
        String byId = CliRun.of("coverage", "--records", file(ANSWERS).toString(), "--by-answer", "--k", "1,3", "--json").out();
        CliRun byField = CliRun.of("coverage", "--records", file(renamed).toString(), "--by-answer", "--k", "1,3", "--json");
        assertThat(byField.exit()).as(byField.err()).isEqualTo(0);
        assertThat(byField.out()).isEqualTo(byId).contains("\"n_answers\" : 2");
        // without the prompt field each id is its own prompt: three answers
        String alone = CliRun.of("coverage", "--records", file(renamed[0].replace(", \"prompt_id\": \"x\"", ""), renamed[1].replace(", \"prompt_id\": \"x\"", ""),
                renamed[2]).toString(), "--by-answer", "--json").out();
        assertThat(alone).contains("\"n_answers\" : 3");
    }

    @Test void passAtKSumsEachPromptsSupport() throws IOException {
        // prompt x: pi_hat(support) = 0.25 + 0.25, weight 0.5; prompt z: 0.1, weight 0.5
        CliRun r = CliRun.of("coverage", "--records", file(
                "{\"id\": \"G1/x/y0\", \"logp_model\": " + Math.log(0.25) + ", \"logp_data\": " + Math.log(0.6) + ", \"weight\": 0.3}",
                "{\"id\": \"G1/x/y1\", \"logp_model\": " + Math.log(0.25) + ", \"logp_data\": " + Math.log(0.4) + ", \"weight\": 0.2}",
                "{\"id\": \"G1/z/y0\", \"logp_model\": " + Math.log(0.1) + ", \"weight\": 0.5}").toString(), "--k", "1,2", "--json");
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        JsonNode pass = new ObjectMapper().readTree(r.out()).get("pass");
        assertThat(pass.fieldNames()).toIterable().containsExactly("1", "2");
        assertThat(pass.get("1").doubleValue()).isCloseTo(0.5 * 0.5 + 0.5 * 0.1, within(1e-15));
        assertThat(pass.get("2").doubleValue()).isCloseTo(0.5 * 0.75 + 0.5 * 0.19, within(1e-15));
        CliRun table = CliRun.of("coverage", "--records", dir.resolve("records.jsonl").toString(), "--k", "1,2");
        assertThat(table.out()).containsPattern("(?m)^1 +0\\.300000 ").containsPattern("(?m)^2 +0\\.470000 ");
    }

    @Test void byAnswerAndKRefuseBadInputInOneLine() throws IOException {
        Path f = file(ANSWERS[0], "{\"id\": \"x/9\", \"logp_model\": -1}");
        CliRun r = CliRun.of("coverage", "--records", f.toString(), "--by-answer");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("covlab: " + f + ":2: field 'answer': is missing (--by-answer needs each response's final answer)");
        r = CliRun.of("coverage", "--records", f.toString(), "--k", "1,0");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("covlab: option '--k': every k must be >= 1, got 0");
        r = CliRun.of("coverage", "--records", file(ANSWERS[0].replace("\"a\"", "[1]")).toString(), "--by-answer");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains(":1: field 'answer': must be a string (or an integer), got array");
    }
}
