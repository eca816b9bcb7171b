package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.covlab.select.LogProbJsonl;
import org.covlab.select.LogProbTable;
import org.covlab.select.OffsetTournament;
import org.covlab.select.OnPolicyLogProbs;
import org.covlab.select.Selection;
import org.covlab.select.SimpleTournament;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 'covlab select' end to end through Main.run: output, JSON keys and values, exit codes. */
class SelectCommandTest {

    @TempDir Path dir;

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

    /** The broad/sharp/bad table of SimpleTournamentTest: tournament picks broad, min-CE picks sharp. */
    private Path broadSharpBad() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            boolean minority = i >= 8;
            lines.add("{\"candidate\": \"broad\", \"id\": \"x" + i + "\", \"logp\": -1}");
            lines.add("{\"candidate\": \"sharp\", \"id\": \"x" + i + "\", \"logp\": " + (minority ? -4 : -0.1) + "}");
            lines.add("{\"candidate\": \"bad\", \"id\": \"x" + i + "\", \"logp\": -3}");
        }
        Path f = dir.resolve("lp.jsonl");
        Files.write(f, lines);
        return f;
    }

    private static List<String> keys(JsonNode j) {
        List<String> keys = new ArrayList<>();
        j.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    @Test
    void tournamentJsonHasTheSpecKeysAndTheMatrix() throws Exception {
        Run r = run("select", "--method", "tournament", "--logprobs", broadSharpBad().toString(), "--n", "4", "--json");
        assertThat(r.code()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(keys(j)).containsExactly("method", "chosen", "scores", "win_matrix");
        assertThat(j.get("method").asText()).isEqualTo("tournament");
        assertThat(j.get("chosen").asText()).isEqualTo("broad");
        assertThat(keys(j.get("scores"))).containsExactly("broad", "sharp", "bad");
        assertThat(j.get("scores").get("sharp").asDouble()).isEqualTo(0.2);
        assertThat(j.get("scores").get("bad").asDouble()).isEqualTo(1.0);
        assertThat(j.get("win_matrix").get("sharp").get("bad").asDouble()).isEqualTo(0.8);   // row challenger, column candidate
    }

    @Test
    void minCeJsonAndText() throws Exception {
        Path f = broadSharpBad();
        Run r = run("select", "--method", "min-ce", "--logprobs", f.toString(), "--json");
        assertThat(r.code()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(keys(j)).containsExactly("method", "chosen", "scores");
        assertThat(j.get("chosen").asText()).isEqualTo("sharp");
        assertThat(j.get("scores").get("bad").asDouble()).isEqualTo(3.0);
        Run text = run("select", "--method", "min-ce", "--logprobs", f.toString());
        assertThat(text.out()).contains("chosen: sharp (score 0.8800)").contains("1     sharp");
    }

    @Test
    void textShowsTheWholeMatrixForFewCandidates() throws Exception {
        Run r = run("select", "--method", "tournament", "--logprobs", broadSharpBad().toString(), "--n", "4");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("chosen: broad (score 0.0000)")
                .containsPattern("sharp\\s+0\\.0000\\s+0\\.0000\\s+0\\.8000")
                .containsPattern("score\\s+0\\.0000\\s+0\\.2000\\s+1\\.0000");
    }

    @Test
    void offsetFromAFileWithOnPolicyLinesMatchesTheLibrary() throws Exception {
        SplittableRandom rng = new SplittableRandom(5);
        int K = 15, n = 40, M = 2;   // more than 12 candidates: the ranked list, not the matrix
        double[][] ll = new double[K][n];
        double[][][] s = new double[K][K][n * M];
        for (double[] row : ll) for (int i = 0; i < n; i++) row[i] = -rng.nextDouble(0, 6);
        for (double[][] t : s) for (double[] row : t) for (int j = 0; j < n * M; j++) row[j] = -rng.nextDouble(0, 6);
        LogProbTable table = LogProbTable.of(ll, new OnPolicyLogProbs(M, s));
        Path f = dir.resolve("offset.jsonl");
        LogProbJsonl.write(f, table);
        Selection expected = new OffsetTournament(4, 0.2).select(table);

        Run r = run("select", "--method", "offset", "--logprobs", f.toString(), "--n", "4", "--a", "0.2", "--json");
        assertThat(r.code()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("method").asText()).isEqualTo("offset");
        assertThat(j.get("chosen").asText()).isEqualTo(expected.chosenName());
        for (int k = 0; k < K; k++) assertThat(j.get("scores").get("c" + k).asDouble()).isEqualTo(expected.scores()[k]);

        Run text = run("select", "--method", "offset", "--logprobs", f.toString(), "--n", "4", "--a", "0.2", "--top", "3");
        assertThat(text.out()).contains("chosen: " + expected.chosenName()).contains("best 3 of 15")
                .contains("worst challenger").contains("(12 more;");
        // The plain tournament on the same file ignores the on-policy lines.
        Run simple = run("select", "--method", "tournament", "--logprobs", f.toString(), "--n", "4", "--json");
        assertThat(new ObjectMapper().readTree(simple.out()).get("chosen").asText())
                .isEqualTo(new SimpleTournament(4).select(table).chosenName());
    }

    @Test
    void badInputIsOneLineAndExitCode2() throws Exception {
        Path good = broadSharpBad();
        Path positive = dir.resolve("pos.jsonl");
        Files.writeString(positive, "{\"candidate\": \"a\", \"id\": \"0\", \"logp\": -1}\n{\"candidate\": \"b\", \"id\": \"0\", \"logp\": 2}\n");
        Object[][] cases = {
            {new String[] {"select", "--method", "best", "--logprobs", good.toString(), "--n", "4"}, "--method: unknown method 'best'"},
            {new String[] {"select", "--method", "tournament", "--logprobs", good.toString()}, "--n: required"},
            {new String[] {"select", "--method", "tournament", "--logprobs", good.toString(), "--n", "1"}, "--n: must be finite and > 1"},
            {new String[] {"select", "--method", "offset", "--logprobs", good.toString(), "--n", "4"}, "--a: required"},
            {new String[] {"select", "--method", "offset", "--logprobs", good.toString(), "--n", "4", "--a", "0.1"},
                "lp.jsonl: field 'sample_of': --method offset needs on-policy lines"},
            {new String[] {"select", "--method", "tournament", "--logprobs", dir.resolve("nope.jsonl").toString(), "--n", "4"}, "no such file"},
            {new String[] {"select", "--method", "tournament", "--logprobs", positive.toString(), "--n", "4"}, "pos.jsonl:2: field 'logp': a log-probability must be <= 0"},
        };
        for (Object[] c : cases) {
            Run r = run((String[]) c[0]);
            assertThat(r.code()).as(String.join(" ", (String[]) c[0])).isEqualTo(2);
            assertThat(r.err().strip()).doesNotContain("\n").contains((String) c[1]).doesNotContain("Exception");
            assertThat(r.out()).isEmpty();
        }
        Run missing = run("select", "--logprobs", good.toString());
        assertThat(missing.code()).isEqualTo(2);   // picocli usage error: --method is required
    }

    /** The help's examples run on the shipped file and tell the Fig. 1 story: coverage and CE disagree. */
    @Test
    void theHelpExamplesRun() throws Exception {
        String f = "examples/select-logprobs.jsonl";
        ObjectMapper mapper = new ObjectMapper();
        for (String[] c : new String[][] {{"tournament", "ckpt-2000"}, {"offset", "ckpt-2000"}, {"min-ce", "ckpt-3000"}}) {
            Run r = run("select", "--method", c[0], "--logprobs", f, "--n", "4", "--a", "0.1", "--json");
            assertThat(r.code()).isZero();
            assertThat(mapper.readTree(r.out()).get("chosen").asText()).as(c[0]).isEqualTo(c[1]);
        }
    }

    @Test
    void helpDescribesTheFormatAndEndsInExamples() {
        Run r = run("select", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("\"sample_of\"").contains("-Infinity").contains("Eq. 32");
        assertThat(r.out()).contains("./covlab select --method min-ce --logprobs examples/select-logprobs.jsonl --json");
        assertThat(r.out().strip()).endsWith("./covlab select --method tournament --checkpoints runs/tiny --n 4 --samples 64");
        assertThat(run("--help").out()).contains("select");
    }
}
