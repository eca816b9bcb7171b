package org.covlab.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class CoverageBoundsTest {

    /** pi_D = Ber(p), pi_hat = Ber(q), enumerated. */
    private static List<LogRatioRecord> bernoulli(double p, double q) {
        return List.of(new LogRatioRecord("1", "all", p, Math.log(p), Math.log(q)),
                new LogRatioRecord("0", "all", 1 - p, Math.log1p(-p), Math.log1p(-q)));
    }

    @Test void propD2BernoulliCaseIsNearlyTight() {
        // pi_hat = Ber(p/N): the response 1 is under-covered by exactly N, so Cov_N = p (Prop. D.2) ...
        for (double p : new double[] {0.5, 0.3, 0.01}) {
            for (double n : new double[] {3, 8, 100}) {
                List<LogRatioRecord> r = bernoulli(p, p / n);
                double kl = CoverageProfile.kl(r);
                CoverageProfile profile = CoverageProfile.of(r);
                assertThat(profile.coverage(n * (1 - 1e-9))).isCloseTo(p, within(1e-15));
                assertThat(profile.coverage(n * (1 + 1e-9))).isEqualTo(0.0);
                // ... which sits between KL/(log N - 1/2 + 1/2N) and the Prop. 3.1 bound KL/(log N - 1 + 1/N).
                assertThat(p).isGreaterThanOrEqualTo(kl / (Math.log(n) - 0.5 + 0.5 / n));
                assertThat(p).isLessThanOrEqualTo(CoverageBounds.klBound(kl, n));
            }
        }
    }

    @Test void boundsThatDoNotApplyAreInfinite() {
        assertThat(CoverageBounds.klBound(0, 1)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(CoverageBounds.hellingerBound(0.1, 1)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(CoverageBounds.stoppedKlBound(0.1, Math.E)).isEqualTo(Double.POSITIVE_INFINITY);
        // Just above N = 1 the KL bound is huge but finite and positive: log N - 1 + 1/N ~ (N-1)²/2.
        assertThat(CoverageBounds.klBound(1e-6, 1 + 1e-4)).isCloseTo(1e-6 / 5e-9, within(2e-3 * 200));
    }

    @Test void boundFormulasKnownAnswers() {
        assertThat(CoverageBounds.klBound(0.5, Math.E)).isCloseTo(0.5 * Math.E, within(1e-12));  // 0.5 / (1/e)
        assertThat(CoverageBounds.hellingerBound(0.01, 4)).isCloseTo(0.08, within(1e-15));     // 8 / 1 * 0.01
        assertThat(CoverageBounds.stoppedKlBound(0.3, Math.exp(3))).isCloseTo(0.3, within(1e-15)); // 2/2 * 0.3
    }

    @Test void hellingerOfBernoullis() {
        double p = 0.3, q = 0.6;
        double expected = 1 - Math.sqrt(p * q) - Math.sqrt((1 - p) * (1 - q));
        assertThat(CoverageBounds.hellingerSquared(bernoulli(p, q))).isCloseTo(expected, within(1e-15));
        assertThat(CoverageBounds.hellingerSquared(bernoulli(p, p))).isCloseTo(0, within(1e-15));
        // pi_hat misses the response 1 entirely: affinity sqrt(0.7 * 1).
        List<LogRatioRecord> missing = List.of(new LogRatioRecord("1", "all", p, Math.log(p), Double.NEGATIVE_INFINITY),
                new LogRatioRecord("0", "all", 1 - p, Math.log1p(-p), 0));
        assertThat(CoverageBounds.hellingerSquared(missing)).isCloseTo(1 - Math.sqrt(0.7), within(1e-15));
    }

    @Test void regretUpperBoundPicksTheBestM() {
        // Perfect coverage: Cov_M = 0 for all M, so M = 1 and eps = e^{-N/2}.
        CoverageBounds.RegretBound perfect = CoverageBounds.regretUpperBound(20, m -> 0).orElseThrow();
        assertThat(perfect.m()).isEqualTo(1.0);
        assertThat(perfect.value()).isCloseTo(Math.exp(-10), within(1e-18));
        // Cov_M = 1/M: minimise 1/M + exp(-N/2M); compare with a fine brute-force search.
        DoubleUnaryOperator profile = m -> 1 / m;
        double n = 1000, best = Double.POSITIVE_INFINITY;
        for (double m = 2; m <= n; m *= 1.0001) best = Math.min(best, 1 / m + Math.exp(-n / (2 * m)));
        CoverageBounds.RegretBound b = CoverageBounds.regretUpperBound(n, profile).orElseThrow();
        System.out.printf("regret bound on the default grid %.6f vs fine search %.6f (M = %.2f)%n", b.value(), best, b.m());
        assertThat(b.value()).isBetween(best, best * 1.01);
        assertThat(b.epsilon()).isCloseTo(Math.exp(-n / (2 * b.m())), within(1e-15));
        // Cov_M > 1/2 everywhere: the proposition says nothing.
        assertThat(CoverageBounds.regretUpperBound(10, m -> 0.6)).isEmpty();
    }

    @Test void regretLowerBoundIsHalfOfCov2N() {
        assertThat(CoverageBounds.regretLowerBound(8, m -> m == 16 ? 0.3 : 1)).isEqualTo(0.15);
    }
}
