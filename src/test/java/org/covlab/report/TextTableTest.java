package org.covlab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.covlab.util.Seeded;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(Seeded.class)
class TextTableTest {

    @Test
    void alignsTextLeftAndNumbersRight() {
        TextTable t = TextTable.withHeader("method", "H", "kl", "note")
                .row("mle", 8, 0.071234567, "ok")
                .row("normalized-sgd", 128, 12.5, null)
                .row("sgd", 16, Double.NaN, "diverged");
        assertThat(t.render()).isEqualTo("""
                method            H       kl  note
                --------------  ---  -------  --------
                mle               8  0.07123  ok
                normalized-sgd  128     12.5
                sgd              16      NaN  diverged
                """);
        assertThat(t.numeric(1)).isTrue();
        assertThat(t.numeric(3)).isFalse();
    }

    @Test
    void wrapsTheWidestTextColumnToFit() {
        TextTable t = TextTable.withHeader("verdict", "claim", "n")
                .row("partly", "coverage dips then worsens while KL keeps falling", 12)
                .wrapAt(40);
        assertThat(t.render()).isEqualTo(
                "verdict  claim                         n\n"
                + "-------  ---------------------------  --\n"
                + "partly   coverage dips then worsens   12\n"
                + "         while KL keeps falling\n");
    }

    static LongStream seeds() { return Seeded.seeds(300); }

    /** Up to 80 chars: a quarter whitespace (runs of it too), the rest letters or any UTF-16 unit. */
    static String words(SplittableRandom rng) {
        StringBuilder s = new StringBuilder();
        for (int n = Seeded.intIn(rng, 0, 80); s.length() < n; ) {
            int kind = rng.nextInt(8);
            s.append(kind < 2 ? " \t\n\r\u2003".charAt(rng.nextInt(5)) : kind < 5 ? (char) ('a' + rng.nextInt(26)) : (char) rng.nextInt(0x10000));
        }
        return s.toString();
    }

    /** Wrapping loses no text and keeps every line within the width whenever the columns can narrow that far. */
    @ParameterizedTest @MethodSource("seeds")
    void wrappingKeepsTheTextAndTheWidth(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int width = Seeded.intIn(rng, 1, 30);
        String text = words(rng).replaceAll("\\s+", " ").strip();
        List<String> lines = TextTable.wrap(text, width);
        assertThat(lines).allMatch(l -> l.length() <= width);
        assertThat(String.join("", lines).replace(" ", "")).isEqualTo(text.replace(" ", ""));
    }

    @Test
    void numbersReadNaturally() {
        assertThat(TextTable.number(128)).isEqualTo("128");
        assertThat(TextTable.number(-0.0)).isEqualTo("0");
        assertThat(TextTable.number(0.1 + 0.2)).isEqualTo("0.3");
        assertThat(TextTable.number(0.071234567)).isEqualTo("0.07123");
        assertThat(TextTable.number(1234.56)).isEqualTo("1235");
        assertThat(TextTable.number(12.5)).isEqualTo("12.5");
        assertThat(TextTable.number(3e-4)).isEqualTo("0.0003");
        assertThat(TextTable.number(1.23456e-5)).isEqualTo("1.235e-05");
        assertThat(TextTable.number(1e20)).isEqualTo("1e+20");
        assertThat(TextTable.number(Double.NEGATIVE_INFINITY)).isEqualTo("-inf");
        assertThat(TextTable.cell(null)).isEmpty();
        assertThat(TextTable.cell(7L)).isEqualTo("7");
    }

    @Test
    void rowsMustMatchTheHeader() {
        assertThatThrownBy(() -> TextTable.withHeader("a", "b").row(1)).isInstanceOf(IllegalArgumentException.class);
    }
}
