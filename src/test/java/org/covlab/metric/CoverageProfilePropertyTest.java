package org.covlab.metric;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.covlab.util.Seeded;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The sorted profile against the definition evaluated naively, one N at a time. */
@ExtendWith(Seeded.class)
class CoverageProfilePropertyTest {
    private static double maxDiff;

    static List<LogRatioRecord> randomRecords(SplittableRandom rng, int n) {
        List<LogRatioRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double w = rng.nextInt(4) == 0 ? 0 : rng.nextDouble(0, 3);
            double data = -rng.nextDouble(0, 20);
            double model = rng.nextInt(10) == 0 ? Double.NEGATIVE_INFINITY : -rng.nextDouble(0, 25);
            // Some ties: records with equal log ratios.
            if (rng.nextInt(5) == 0) model = data;
            out.add(new LogRatioRecord("r" + i, "g" + rng.nextInt(3), w, data, model));
        }
        out.add(new LogRatioRecord("pos", "g0", 1, -1, -2));  // some mass
        return out;
    }

    static LongStream seeds() { return Seeded.seeds(300); }

    @ParameterizedTest @MethodSource("seeds")
    void sortedProfileMatchesTheDefinition(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<LogRatioRecord> records = randomRecords(rng, 1 + rng.nextInt(60));
        double[] ns = new double[8];
        for (int j = 0; j < ns.length; j++) ns[j] = Math.exp(rng.nextDouble(0, 12));
        ns[0] = 1;
        double[] fast = CoverageProfile.of(records).coverage(ns);
        for (int j = 0; j < ns.length; j++) {
            double total = 0, tail = 0;
            for (LogRatioRecord r : records) {
                total += r.weight();
                if (r.logpData() - r.logpModel() >= Math.log(ns[j])) tail += r.weight();
            }
            double diff = Math.abs(fast[j] - tail / total);
            maxDiff = Math.max(maxDiff, diff);
            assertThat(diff).isLessThan(1e-12);
        }
    }

    @AfterAll
    static void report() {
        System.out.printf("CoverageProfile sorted vs naive Cov_N: max |diff| = %.3g%n", maxDiff);
    }
}
