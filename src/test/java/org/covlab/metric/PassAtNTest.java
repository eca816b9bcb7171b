package org.covlab.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import org.junit.jupiter.api.Test;

class PassAtNTest {

    /** 1 - (1-p)^N in 50-digit decimal arithmetic, for integer N. */
    private static double reference(double p, int n) {
        MathContext mc = new MathContext(50);
        BigDecimal q = BigDecimal.ONE.subtract(new BigDecimal(p), mc);
        return BigDecimal.ONE.subtract(q.pow(n, mc), mc).doubleValue();
    }

    @Test void matchesHighPrecisionReference() {
        double maxRel = 0;
        for (double p : new double[] {0.5, 0.1, 1e-3, 1e-9, 1e-15, 0.999, 1 - 1e-9}) {
            for (int n : new int[] {1, 2, 7, 100, 10_000, 1_000_000}) {
                double ref = reference(p, n);
                double got = PassAtN.exact(Math.log(p), n);
                maxRel = Math.max(maxRel, Math.abs(got - ref) / ref);
                assertThat(got).as("p=%s N=%d", p, n).isCloseTo(ref, within(1e-12 * ref));
            }
        }
        System.out.printf("Pass@N exact vs 50-digit reference: max relative diff = %.3g%n", maxRel);
    }

    @Test void extremeArgumentsStayAccurate() {
        // p = e^-800 underflows as a double, yet N p = e^-800 * 1e300 is representable: Pass@N ~ N p.
        double np = Math.exp(-800 + Math.log(1e300));
        assertThat(PassAtN.exact(-800, 1e300)).isCloseTo(np, within(1e-12 * np));
        // p = 1 - 1e-20 (log p = -1e-20): 1 - p is lost in 1 - p, but Pass@1 = p and Pass@2 = 1 - 1e-40.
        assertThat(PassAtN.exact(-1e-20, 1)).isEqualTo(1.0);
        assertThat(PassAtN.exact(-1e-20, 2)).isEqualTo(1.0);
        // Pass@1 is p itself; real N interpolates: 1 - 0.75^2.5.
        assertThat(PassAtN.exact(Math.log(0.25), 1)).isCloseTo(0.25, within(1e-15));
        assertThat(PassAtN.exact(Math.log(0.25), 2.5)).isCloseTo(1 - Math.pow(0.75, 2.5), within(1e-15));
        assertThat(PassAtN.exact(0, 3)).isEqualTo(1.0);
        assertThat(PassAtN.exact(Double.NEGATIVE_INFINITY, 1e9)).isEqualTo(0.0);
        // Long sequence: log p = -5000, N = e^4990 is not a double, but N = 1e300 gives ~e^-4309 = 0.
        assertThat(PassAtN.exact(-5000, 1e300)).isEqualTo(0.0);
    }

    @Test void weightedMeanOverPrompts() {
        List<LogRatioRecord> correct = List.of(new LogRatioRecord("x0", "all", 3, 0, Math.log(0.5)),
                new LogRatioRecord("x1", "all", 1, 0, Math.log(0.1)));
        assertThat(PassAtN.exact(correct, 2)).isCloseTo((3 * 0.75 + 1 * 0.19) / 4, within(1e-15));
    }

    @Test void overSupportSumsEachPromptsResponses() {
        // x: two responses of the support, pi_hat 0.25 each (mass 0.5), weight 0.3 + 0.2; z: one response, pi_hat 0.1, weight 0.5
        List<LogRatioRecord> records = List.of(new LogRatioRecord("G1/x/y0", "G1", 0.3, Math.log(0.6), Math.log(0.25)),
                new LogRatioRecord("G1/z/y0", "G1", 0.5, 0, Math.log(0.1)),
                new LogRatioRecord("G1/x/y1", "G1", 0.2, Math.log(0.4), Math.log(0.25)));
        double[] pass = PassAtN.overSupport(records, LogRatioRecord::promptId, new int[] {1, 2});
        assertThat(pass[0]).isCloseTo(0.5 * 0.5 + 0.5 * 0.1, within(1e-15));
        assertThat(pass[1]).isCloseTo(0.5 * 0.75 + 0.5 * 0.19, within(1e-15));
        // each record its own prompt: pi_hat(accepted|x) = 0.25, 0.1, 0.25
        assertThat(PassAtN.overSupport(records, LogRatioRecord::id, new int[] {1})[0]).isCloseTo(0.3 * 0.25 + 0.5 * 0.1 + 0.2 * 0.25, within(1e-15));
    }

    @Test void promptIdIsTheIdUpToItsLastSlash() {
        assertThat(new LogRatioRecord("G1/x17/y5", "G1", 1, 0, 0).promptId()).isEqualTo("G1/x17");
        assertThat(new LogRatioRecord("q3", "all", 1, 0, 0).promptId()).isEqualTo("q3");
    }
}
