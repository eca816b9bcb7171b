package org.covlab.select;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.covlab.util.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogProbJsonlTest {

    @TempDir Path dir;

    private Path file(String... lines) throws IOException {
        Path f = dir.resolve("lp.jsonl");
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    @Test
    void writeThenReadGivesTheSameTableBitForBit() {
        SplittableRandom rng = new SplittableRandom(3);
        double[][] ll = PairwiseCoverageTest.table(4, 7, Math.log(3), rng);
        double[][][] s = new double[4][][];
        for (int k = 0; k < 4; k++) s[k] = PairwiseCoverageTest.table(4, 7 * 3, Math.log(3), rng);
        LogProbTable t = new LogProbTable(List.of("ckpt \"a\"", "b", "c/d", "e"), List.of("x0", "x1", "x2", "x3", "x4", "x5", "x6"),
                ll, new OnPolicyLogProbs(3, s));
        Path f = dir.resolve("t.jsonl");
        LogProbJsonl.write(f, t);
        LogProbTable back = LogProbJsonl.read(f);
        assertThat(back.candidates()).isEqualTo(t.candidates());
        assertThat(back.ids()).isEqualTo(t.ids());
        assertThat(back.logp()).isDeepEqualTo(ll);
        assertThat(back.onPolicy().samplesPerPrompt()).isEqualTo(3);
        assertThat(back.onPolicy().logp()).isDeepEqualTo(s);
    }

    @Test
    void readsInFirstAppearanceOrderWithInfinityAndIntegerIds() throws IOException {
        Path f = file("{\"candidate\": \"b\", \"id\": 7, \"logp\": -1.5}",
                "",
                "{\"id\": \"q\", \"candidate\": \"a\", \"logp\": -Infinity}",
                "{\"candidate\": \"a\", \"id\": 7, \"logp\": 0}",
                "{\"candidate\": \"b\", \"id\": \"q\", \"logp\": -2e3}");
        LogProbTable t = LogProbJsonl.read(f);
        assertThat(t.candidates()).containsExactly("b", "a");
        assertThat(t.ids()).containsExactly("7", "q");
        assertThat(t.logp()).isDeepEqualTo(new double[][] {{-1.5, -2000}, {0, Double.NEGATIVE_INFINITY}});
        assertThat(t.onPolicy()).isNull();
    }

    private void fails(String expected, String... lines) throws IOException {
        Path f = file(lines);
        assertThatThrownBy(() -> LogProbJsonl.read(f)).isInstanceOf(InputException.class)
                .hasMessageStartingWith(f.toString()).hasMessageContaining(expected);
    }

    static final String A0 = "{\"candidate\": \"a\", \"id\": \"0\", \"logp\": -1}";
    static final String B0 = "{\"candidate\": \"b\", \"id\": \"0\", \"logp\": -2}";

    @Test
    void badCellsNameFileLineAndField() throws IOException {
        fails(":2: field 'logp': a log-probability must be <= 0", A0, "{\"candidate\": \"b\", \"id\": \"0\", \"logp\": 0.5}");
        fails(":2: field 'logp': must be a finite number", A0, "{\"candidate\": \"b\", \"id\": \"0\", \"logp\": NaN}");
        fails(":1: field 'logp': must be a number", "{\"candidate\": \"a\", \"id\": \"0\", \"logp\": \"-1\"}");
        fails(":1: field 'logp': is missing", "{\"candidate\": \"a\", \"id\": \"0\"}");
        fails(":1: field 'candidate': is missing", "{\"id\": \"0\", \"logp\": -1}");
        fails(":1: field 'candidate': must be a string", "{\"candidate\": [1], \"id\": \"0\", \"logp\": -1}");
        fails(":2: malformed JSON", A0, "{\"candidate\": \"b\", ");
        fails(":1: expected a JSON object", "[1, 2]");
        fails(":1: field 'lgp': unknown field", "{\"candidate\": \"a\", \"id\": \"0\", \"lgp\": -1}");
        fails(":3: field 'id': duplicate of line 1", A0, B0, A0);
        fails(".jsonl: field 'logp': no line for candidate 'b', id '1'", A0, B0, "{\"candidate\": \"a\", \"id\": \"1\", \"logp\": -1}");
        fails(".jsonl: field 'logp': no validation lines", "");
    }

    @Test
    void badOnPolicyLinesNameFileLineAndField() throws IOException {
        String s0 = "{\"candidate\": \"a\", \"id\": \"0\", \"sample_of\": \"a\", \"sample\": 0, \"logp\": -1}";
        fails(":3: field 'sample': is missing", A0, B0, "{\"candidate\": \"a\", \"id\": \"0\", \"sample_of\": \"a\", \"logp\": -1}");
        fails(":3: field 'sample_of': is missing", A0, B0, "{\"candidate\": \"a\", \"id\": \"0\", \"sample\": 0, \"logp\": -1}");
        fails(":3: field 'sample': must be an integer", A0, B0, "{\"candidate\": \"a\", \"id\": \"0\", \"sample_of\": \"a\", \"sample\": 1.5, \"logp\": -1}");
        fails(":3: field 'sample_of': 'z' has no validation lines", A0, B0, "{\"candidate\": \"a\", \"id\": \"0\", \"sample_of\": \"z\", \"sample\": 0, \"logp\": -1}");
        fails(":3: field 'id': 'x9' has no validation lines", A0, B0, "{\"candidate\": \"a\", \"id\": \"x9\", \"sample_of\": \"a\", \"sample\": 0, \"logp\": -1}");
        fails(":4: field 'sample': duplicate of line 3", A0, B0, s0, s0);
        fails(".jsonl: field 'logp': no on-policy line for candidate 'b', id '0', sample_of 'a', sample 0", A0, B0, s0);
    }
}
