package org.covlab.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** pass@k at counts up to 2^31 - 1: bounded time, and the three evaluation paths agree with exact arithmetic. */
class PassAtKLargeCountsTest {

    static LongStream seeds() {
        return LongStream.range(0, 40);
    }

    @Test void nAtIntegerMaxValueEndsAtOnce() {
        // The old loop "for (int i = n - c + 1; i <= n; i++)" never ended when n = Integer.MAX_VALUE.
        double p = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> PassAtK.estimate(Integer.MAX_VALUE, 1, 1).getAsDouble());
        assertThat(p).isCloseTo(1.0 / Integer.MAX_VALUE, within(1e-18));   // 1 - (1 - 1/n): the product form's rounding
        double q = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> PassAtK.estimate(Integer.MAX_VALUE, 1_000_000_000, 100_000).getAsDouble());
        assertThat(q).isEqualTo(1.0);
    }

    @Test void hugeCountsAreBoundedInTime() {
        long t0 = System.nanoTime();
        for (int i = 0; i < 1000; i++) PassAtK.estimate(2_000_000_000, 1_000_000_000 - i, 1_000_000 + i);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(seconds).as("1000 estimates at c = 1e9, k = 1e6 took %.2f s", seconds).isLessThan(2);
    }

    /** Small counts against the exact rational 1 - C(n-c,k)/C(n,k). */
    @ParameterizedTest @MethodSource("seeds") void smallCountsAreExact(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double maxDiff = 0;
        for (int i = 0; i < 20; i++) {
            int n = 1 + rng.nextInt(200), c = rng.nextInt(n + 1), k = 1 + rng.nextInt(n);
            double exact = 1 - ratio(n, c, k).doubleValue();
            maxDiff = Math.max(maxDiff, Math.abs(PassAtK.estimate(n, c, k).getAsDouble() - exact));
        }
        assertThat(maxDiff).as("seed %d: max |estimate - exact| = %g", seed, maxDiff).isLessThan(1e-13);
    }

    /**
     * Beyond PRODUCT_TERMS (the k-product and the log-gamma paths), against log C(n-c,k)/C(n,k) summed term by term
     * (sum_{j<k} log1p(-c/(n-j)), compensated): every term has the same sign, so the sum is good to a few ulps.
     * The log-gamma path is good to about 1e-8 of C(n-c,k)/C(n,k) at n near 2^31; the test allows 1e-7.
     */
    @ParameterizedTest @MethodSource("seeds") void largeCountsMatchTheTermByTermSum(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int big = PassAtK.PRODUCT_TERMS + 1;
        int n = seed < 20 ? 3 * big + rng.nextInt(100 * big) : Integer.MAX_VALUE - rng.nextInt(1000);
        int c = big + rng.nextInt(seed < 20 ? n / 3 : 1_000_000);
        int k = seed % 2 == 0 ? 1 + rng.nextInt(PassAtK.PRODUCT_TERMS) : big + rng.nextInt(seed < 20 ? n / 3 : 1_000_000);
        double sum = 0, carry = 0;           // Kahan
        for (int j = 0; j < k; j++) {
            double y = Math.log1p(-(double) c / (n - j)) - carry, t = sum + y;
            carry = (t - sum) - y;
            sum = t;
        }
        double expected = Math.exp(sum), p = PassAtK.estimate(n, c, k).getAsDouble();
        // log-gamma works with terms of about k log n, so it keeps about 16 - log10(k log n) digits of the ratio
        double diff = Math.abs(p - (1 - expected)), tolerance = 1e-7 * expected + 2e-16;
        assertThat(diff).as("seed %d: n=%d c=%d k=%d: pass@k = %s, expected %s (difference %g, tolerance %g)", seed, n, c, k,
                p, 1 - expected, diff, tolerance).isLessThanOrEqualTo(tolerance);
    }

    @Test void logFallingMatchesTheSumOfLogs() {
        double maxRel = 0;
        for (long a : new long[] {16, 17, 100, 12_345, 2_000_000}) {
            for (long k : new long[] {0, 1, 2, 15, 16, a / 2, a - 1, a}) {
                double sum = 0;
                for (long i = 0; i < k; i++) sum += Math.log(a - i);
                double got = PassAtK.logFalling(a, k);
                maxRel = Math.max(maxRel, Math.abs(got - sum) / Math.max(1, Math.abs(sum)));
            }
        }
        assertThat(maxRel).as("max relative difference %g", maxRel).isLessThan(1e-12);
    }

    /** C(n-c, k) / C(n, k) = prod_{j<k} (n-c-j)/(n-j), exactly. */
    private static BigDecimal ratio(int n, int c, int k) {
        if (n - c < k) return BigDecimal.ZERO;
        BigInteger num = BigInteger.ONE, den = BigInteger.ONE;
        for (int j = 0; j < k; j++) {
            num = num.multiply(BigInteger.valueOf(n - c - j));
            den = den.multiply(BigInteger.valueOf(n - j));
        }
        return new BigDecimal(num).divide(new BigDecimal(den), MathContext.DECIMAL128);
    }
}
