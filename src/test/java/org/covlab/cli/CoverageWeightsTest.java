package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** coverage with weights and log-probs near the end of the double range: finite, exact answers (probe D3, D4). */
class CoverageWeightsTest {
    @TempDir Path dir;

    private JsonNode coverage(List<String> lines) throws IOException {
        Path f = Files.write(dir.resolve("records-" + lines.hashCode() + ".jsonl"), lines);
        CliRun r = CliRun.of("coverage", "--records", f.toString(), "--n", "2,16", "--json");
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        assertThat(r.err()).isEmpty();
        return new ObjectMapper().readTree(r.out());
    }

    private static String record(String id, double logpModel, double logpData, double weight, String group) {
        return String.format(Locale.ROOT, "{\"id\":\"%s\",\"logp_model\":%s,\"logp_data\":%s,\"weight\":%s,\"group\":\"%s\"}",
                id, logpModel, logpData, weight, group);
    }

    @Test void hugeWeightsGiveTheWeightedMean() throws IOException {
        JsonNode one = coverage(List.of("{\"id\":\"a\",\"logp_model\":-1e10,\"weight\":1e300}"));
        assertThat(one.get("kl").doubleValue()).isEqualTo(1e10);
        assertThat(one.get("cross_entropy").doubleValue()).isEqualTo(1e10);
        JsonNode three = coverage(List.of("{\"id\":\"a\",\"logp_model\":-1.5e308}", "{\"id\":\"b\",\"logp_model\":-1.5e308}",
                "{\"id\":\"c\",\"logp_model\":-1.5e308}"));
        assertThat(three.get("kl").doubleValue()).isEqualTo(1.5e308);
        JsonNode max = coverage(List.of("{\"id\":\"a\",\"logp_model\":-1.7976931348623157e308,\"weight\":1}",
                "{\"id\":\"b\",\"logp_model\":-1.7976931348623157e308,\"weight\":3}"));
        assertThat(max.get("kl").doubleValue()).isEqualTo(Double.MAX_VALUE);
    }

    @Test void groupWeightsThatSumPastTheDoubleRangeAreFine() throws IOException {
        JsonNode j = coverage(List.of(record("a", -1, 0, 1.5e308, "A"), record("b", -2, 0, 1.5e308, "B")));
        assertThat(j.get("kl").doubleValue()).isEqualTo(1.5);
        assertThat(j.get("groups").get("A").get("kl").doubleValue()).isEqualTo(1.0);
        assertThat(j.get("coverage").get("2").get("value").doubleValue()).isEqualTo(1.0);     // both log ratios >= log 2
        assertThat(j.get("coverage").get("16").get("value").doubleValue()).isEqualTo(0.0);
    }

    static LongStream seeds() {
        return LongStream.range(0, 30);
    }

    /** Random records, one weight pushed to 1e308: KL and cross-entropy against BigDecimal weighted means. */
    @ParameterizedTest @MethodSource("seeds") void oneHugeWeightAgainstExactArithmetic(long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = 2 + rng.nextInt(20);
        List<String> lines = new ArrayList<>();
        double[] w = new double[n], ratio = new double[n], ce = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = i == 0 ? 1e308 * ((1 + rng.nextDouble()) / 2) : rng.nextDouble() * Math.pow(10, 300 + rng.nextInt(8));
            double logpData = -rng.nextDouble() * 5, logpModel = -rng.nextDouble() * 20;
            ratio[i] = logpData - logpModel;
            ce[i] = -logpModel;
            lines.add(record("r" + i, logpModel, logpData, w[i], "g" + rng.nextInt(3)));
        }
        JsonNode j = coverage(lines);
        double klDiff = Math.abs(j.get("kl").doubleValue() - exactMean(w, ratio));
        double ceDiff = Math.abs(j.get("cross_entropy").doubleValue() - exactMean(w, ce));
        assertThat(Math.max(klDiff, ceDiff)).as("seed %d: |kl - exact| = %g, |ce - exact| = %g", seed, klDiff, ceDiff)
                .isLessThan(1e-12);
    }

    private static double exactMean(double[] w, double[] x) {
        BigDecimal num = BigDecimal.ZERO, den = BigDecimal.ZERO;
        for (int i = 0; i < w.length; i++) {
            num = num.add(new BigDecimal(w[i]).multiply(new BigDecimal(x[i])));
            den = den.add(new BigDecimal(w[i]));
        }
        return num.divide(den, MathContext.DECIMAL64).doubleValue();
    }
}
