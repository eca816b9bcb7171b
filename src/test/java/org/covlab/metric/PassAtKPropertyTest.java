package org.covlab.metric;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.covlab.util.Seeded;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The product form against 1 - C(n-c,k)/C(n,k) in exact integer arithmetic. */
@ExtendWith(Seeded.class)
class PassAtKPropertyTest {
    private static double maxDiff;

    private static BigInteger choose(int n, int k) {
        if (k < 0 || k > n) return BigInteger.ZERO;
        BigInteger r = BigInteger.ONE;
        for (int i = 0; i < k; i++) r = r.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1));
        return r;
    }

    static LongStream seeds() { return Seeded.seeds(500); }

    @ParameterizedTest @MethodSource("seeds")
    void productFormMatchesBinomialCoefficients(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = Seeded.intIn(rng, 1, 300), c = Seeded.intIn(rng, 0, n), k = Seeded.intIn(rng, 1, n);
        BigDecimal ratio = new BigDecimal(choose(n - c, k)).divide(new BigDecimal(choose(n, k)), MathContext.DECIMAL128);
        double exact = BigDecimal.ONE.subtract(ratio).doubleValue();
        double diff = Math.abs(PassAtK.estimate(n, c, k).getAsDouble() - exact);
        maxDiff = Math.max(maxDiff, diff);
        assertThat(diff).isLessThan(1e-12);
    }

    @AfterAll
    static void report() {
        System.out.printf("pass@k product form vs exact binomials: max |diff| = %.3g%n", maxDiff);
    }
}
