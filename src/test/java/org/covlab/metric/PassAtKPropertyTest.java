package org.covlab.metric;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

/** The product form against 1 - C(n-c,k)/C(n,k) in exact integer arithmetic. */
class PassAtKPropertyTest {
    private static double maxDiff;

    private static BigInteger choose(int n, int k) {
        if (k < 0 || k > n) return BigInteger.ZERO;
        BigInteger r = BigInteger.ONE;
        for (int i = 0; i < k; i++) r = r.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1));
        return r;
    }

    @Property(tries = 500)
    void productFormMatchesBinomialCoefficients(@ForAll @IntRange(min = 1, max = 300) int n,
                                                @ForAll @IntRange(min = 0, max = 300) int cRaw,
                                                @ForAll @IntRange(min = 1, max = 300) int kRaw) {
        int c = cRaw % (n + 1), k = 1 + (kRaw - 1) % n;
        BigDecimal ratio = new BigDecimal(choose(n - c, k)).divide(new BigDecimal(choose(n, k)), MathContext.DECIMAL128);
        double exact = BigDecimal.ONE.subtract(ratio).doubleValue();
        double diff = Math.abs(PassAtK.estimate(n, c, k).getAsDouble() - exact);
        maxDiff = Math.max(maxDiff, diff);
        assertThat(diff).isLessThan(1e-12);
    }

    @AfterContainer
    static void report() {
        System.out.printf("pass@k product form vs exact binomials: max |diff| = %.3g%n", maxDiff);
    }
}
