package org.covlab.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EmpiricalCoverageTest {
    private static final double NEG_INF = Double.NEGATIVE_INFINITY;

    @Test void handComputedCase() {
        double[] prime = {-1, -5, -2, NEG_INF, NEG_INF};
        double[] base = {-3, -1, -2, -1, NEG_INF};
        // log ratios 2, -4, 0, -inf and (both zero mass) none
        assertThat(EmpiricalCoverage.coverage(prime, base, Math.exp(2))).isEqualTo(0.2);
        assertThat(EmpiricalCoverage.coverage(prime, base, 1)).isEqualTo(0.4);
        assertThat(EmpiricalCoverage.coverage(prime, base, 100)).isEqualTo(0.0);
        assertThat(EmpiricalCoverage.coverage(base, prime, 1)).isEqualTo(0.6);  // 0, 4 and +inf
        assertThat(EmpiricalCoverage.estimate(prime, base, 1)).isEqualTo(ConfidenceIntervals.wilson(2, 5));
    }

    @Test void agreesWithTheCoverageProfileOnUnweightedRecords() {
        SplittableRandom rng = new SplittableRandom(11);
        double[] data = new double[500], model = new double[500];
        List<LogRatioRecord> records = new ArrayList<>();
        for (int i = 0; i < data.length; i++) {
            data[i] = -rng.nextDouble(0, 10);
            model[i] = -rng.nextDouble(0, 15);
            records.add(new LogRatioRecord("r" + i, "all", 1, data[i], model[i]));
        }
        for (double n : new double[] {1, 2, 4.6, 16, 1000}) {
            assertThat(EmpiricalCoverage.coverage(data, model, n)).isEqualTo(CoverageProfile.coverage(records, n));
        }
    }

    @Test void rejectsMismatchedOrEmptySamples() {
        assertThatThrownBy(() -> EmpiricalCoverage.coverage(new double[2], new double[3], 2)).hasMessageContaining("length");
        assertThatThrownBy(() -> EmpiricalCoverage.coverage(new double[0], new double[0], 2)).hasMessageContaining("empty");
        assertThatThrownBy(() -> EmpiricalCoverage.coverage(new double[1], new double[1], 0.5)).hasMessageContaining(">= 1");
    }
}
