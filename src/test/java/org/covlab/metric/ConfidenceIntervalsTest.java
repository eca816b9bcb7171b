package org.covlab.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.covlab.util.Seeds;
import org.junit.jupiter.api.Test;

class ConfidenceIntervalsTest {

    @Test void wilsonKnownAnswers() {
        // 5/10: centre 0.5, half-width 1.96/1.38416 * sqrt(0.025 + 0.009604) = 0.263411
        Estimate half = ConfidenceIntervals.wilson(5, 10);
        assertThat(half.value()).isEqualTo(0.5);
        assertThat(half.lower()).isCloseTo(0.236589, within(1e-6));
        assertThat(half.upper()).isCloseTo(0.763411, within(1e-6));
        // 0/10: [0, 0.38416/1.38416] = [0, 0.277540]; 10/10 mirrors it.
        Estimate none = ConfidenceIntervals.wilson(0, 10);
        assertThat(none.lower()).isEqualTo(0.0);
        assertThat(none.upper()).isCloseTo(0.277540, within(1e-6));
        Estimate all = ConfidenceIntervals.wilson(10, 10);
        assertThat(all.lower()).isCloseTo(1 - 0.277540, within(1e-6));
        assertThat(all.upper()).isEqualTo(1.0);
        // z = 1 on 3/4: (0.75 + 0.125)/1.25 ± (1/1.25) sqrt(0.1875/4 + 1/64) = 0.7 ± 0.2
        Estimate z1 = ConfidenceIntervals.wilson(0.75, 4, 1);
        assertThat(z1.lower()).isCloseTo(0.5, within(1e-12));
        assertThat(z1.upper()).isCloseTo(0.9, within(1e-12));
    }

    @Test void wilsonRejectsBadInput() {
        assertThatThrownBy(() -> ConfidenceIntervals.wilson(3, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConfidenceIntervals.wilson(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConfidenceIntervals.wilson(1.2, 5, 1.96)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Estimate(0.5, 0.6, 0.4)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test void quantileInterpolatesBetweenOrderStatistics() {
        double[] s = {1, 2, 3, 4};
        assertThat(ConfidenceIntervals.quantile(s, 0)).isEqualTo(1.0);
        assertThat(ConfidenceIntervals.quantile(s, 0.5)).isEqualTo(2.5);
        assertThat(ConfidenceIntervals.quantile(s, 1)).isEqualTo(4.0);
        assertThat(ConfidenceIntervals.quantile(s, 0.25)).isEqualTo(1.75);
    }

    @Test void bootstrapOfAMeanMatchesTheNormalInterval() {
        SplittableRandom data = new Seeds(1).stream("data");
        List<Double> xs = new ArrayList<>();
        for (int i = 0; i < 2000; i++) xs.add(data.nextDouble() * data.nextDouble() * 10);
        double mean = xs.stream().mapToDouble(d -> d).average().orElseThrow();
        double var = xs.stream().mapToDouble(d -> (d - mean) * (d - mean)).sum() / (xs.size() - 1);
        double half = ConfidenceIntervals.Z_95 * Math.sqrt(var / xs.size());
        Estimate b = ConfidenceIntervals.bootstrap(xs, l -> l.stream().mapToDouble(d -> d).average().orElseThrow(),
                1000, ConfidenceIntervals.LEVEL_95, new Seeds(1).stream("bootstrap"));
        System.out.printf("bootstrap mean CI [%.4f, %.4f] vs normal [%.4f, %.4f]%n",
                b.lower(), b.upper(), mean - half, mean + half);
        assertThat(b.value()).isEqualTo(mean);
        assertThat(b.lower()).isCloseTo(mean - half, within(0.1 * half));
        assertThat(b.upper()).isCloseTo(mean + half, within(0.1 * half));
    }

    @Test void bootstrapIsReproducibleFromTheSeed() {
        List<LogRatioRecord> records = CoverageProfilePropertyTest.randomRecords(new SplittableRandom(3), 200);
        Estimate a = ConfidenceIntervals.bootstrap(records, r -> CoverageProfile.coverage(r, 20), 300, 0.9, new Seeds(7).stream("bootstrap"));
        Estimate b = ConfidenceIntervals.bootstrap(records, r -> CoverageProfile.coverage(r, 20), 300, 0.9, new Seeds(7).stream("bootstrap"));
        Estimate c = ConfidenceIntervals.bootstrap(records, r -> CoverageProfile.coverage(r, 20), 300, 0.9, new Seeds(8).stream("bootstrap"));
        assertThat(a).isEqualTo(b);
        assertThat(c).isNotEqualTo(a);
    }

    @Test void kishWilsonAgreesWithTheBootstrapOnWeightedRecords() {
        // Weighted coverage: the Wilson interval with the Kish effective n should be about as wide as the
        // bootstrap interval (both approximate the same sampling variance of a weighted proportion).
        SplittableRandom rng = new Seeds(5).stream("data");
        List<LogRatioRecord> records = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            double w = Math.exp(rng.nextGaussian());  // log-normal weights: ESS well below n
            boolean under = rng.nextDouble() < 0.3;
            records.add(new LogRatioRecord("r" + i, "all", w, 0, under ? -3 : -0.1));
        }
        double n = 4;
        CoverageSummary s = CoverageProfile.summarize(records, new double[] {n});
        Estimate wilson = s.coverageAt(n);
        Estimate boot = ConfidenceIntervals.bootstrap(records, r -> CoverageProfile.coverage(r, n), 2000,
                ConfidenceIntervals.LEVEL_95, new Seeds(5).stream("bootstrap"));
        System.out.printf("Cov_4 = %.4f, ESS %.1f of %d; Wilson width %.4f, bootstrap width %.4f%n",
                wilson.value(), s.effectiveSampleSize(), records.size(), wilson.width(), boot.width());
        assertThat(s.effectiveSampleSize()).isLessThan(0.5 * records.size());
        assertThat(wilson.width() / boot.width()).isBetween(0.8, 1.25);  // 0.86..1.14 over 12 seeds
        assertThat(boot.value()).isEqualTo(wilson.value());
    }
}
