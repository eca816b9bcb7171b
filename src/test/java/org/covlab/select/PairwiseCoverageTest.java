package org.covlab.select;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.covlab.util.Seeded;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The fast kernel against the naive triple loop, and the semantics at ties and -infinity. */
@ExtendWith(Seeded.class)
class PairwiseCoverageTest {

    private static double maxDiff;   // over every comparison in this class

    /**
     * Cells mix exact multiples of log N (so differences hit log N exactly), -infinity, and continuous values,
     * which makes ties, 0/0 and inf - finite frequent.
     */
    static double[][] table(int K, int m, double logN, SplittableRandom rng) {
        double[][] t = new double[K][m];
        for (double[] row : t)
            for (int j = 0; j < m; j++) {
                int kind = rng.nextInt(6);
                row[j] = kind < 3 ? -kind * logN
                        : kind == 3 ? Double.NEGATIVE_INFINITY
                        : kind == 4 ? -rng.nextDouble(0, 3 * logN)
                        : -rng.nextInt(4) * 0.5;
            }
        return t;
    }

    private static void assertSame(double[][] fast, double[][] naive) {
        for (int a = 0; a < naive.length; a++)
            for (int b = 0; b < naive.length; b++) maxDiff = Math.max(maxDiff, Math.abs(fast[a][b] - naive[a][b]));
        assertThat(fast).isDeepEqualTo(naive);
    }

    static LongStream seeds() { return Seeded.seeds(300); }

    @ParameterizedTest @MethodSource("seeds")
    void fastEqualsNaiveOnData(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int K = Seeded.intIn(rng, 1, 13), n = Seeded.intIn(rng, 1, 300);
        double logN = Math.log(Seeded.doubleIn(rng, 1.01, 1000));
        double[][] ll = table(K, n, logN, rng);
        assertSame(PairwiseCoverage.onData(ll, logN), PairwiseCoverage.naive(k -> ll, K, logN));
    }

    @ParameterizedTest @MethodSource("seeds")
    void fastEqualsNaiveOnPolicy(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int K = Seeded.intIn(rng, 1, 9), n = Seeded.intIn(rng, 1, 60), M = Seeded.intIn(rng, 1, 5);
        double logN = Math.log(4);
        double[][][] s = new double[K][][];
        for (int k = 0; k < K; k++) s[k] = table(K, n * M, logN, rng);
        assertSame(PairwiseCoverage.onPolicy(s, logN), PairwiseCoverage.naive(k -> s[k], K, logN));
    }

    /** Several chunks, a ragged last chunk and a ragged last group of rows. */
    @Test
    void fastEqualsNaiveAcrossChunks() {
        double logN = Math.log(2.5);
        double[][] ll = table(11, 3 * 1024 + 13, logN, new SplittableRandom(7));
        assertSame(PairwiseCoverage.onData(ll, logN), PairwiseCoverage.naive(k -> ll, 11, logN));
    }

    @Test
    void tiesAtLogNCountAndInfinitiesFollowTheRatio() {
        double logN = Math.log(4), inf = Double.NEGATIVE_INFINITY;
        double[][] ll = {
            {0, 0, inf, inf},           // c0
            {-logN, 0, -1, inf},        // c1
        };
        double[][] c = PairwiseCoverage.onData(ll, logN);
        // c0 vs c1: ex0 0-(-logN) = logN counts; ex1 0 no; ex2 -inf-(-1) no; ex3 -inf-(-inf) = NaN no.
        assertThat(c[0][1]).isEqualTo(0.25);
        // c1 vs c0: ex0 no; ex1 no; ex2 -1-(-inf) = +inf counts; ex3 NaN no.
        assertThat(c[1][0]).isEqualTo(0.25);
        assertThat(c[0][0]).isZero();
        assertThat(c[1][1]).isZero();
    }

    @AfterAll
    static void report() {
        System.out.println("PairwiseCoverageTest: max |fast - naive| = " + maxDiff);
    }
}
