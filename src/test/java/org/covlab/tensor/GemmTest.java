package org.covlab.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The packed, register-blocked GEMM against the triple loop, on awkward shapes, strides and both pools. */
class GemmTest {

    private static final Parallel TWO = new Parallel(2);
    private static final int[] SIZES = {1, 2, 5, 7, 16, 33, 64, 129, 300};

    @AfterAll static void close() {
        TWO.close();
    }

    @Test void allFormsMatchTheTripleLoopOnAwkwardShapes() {
        SplittableRandom rng = new SplittableRandom(7);
        double worst = 0;
        int cases = 0;
        for (int round = 0; round < 60; round++) {
            int m = SIZES[rng.nextInt(SIZES.length)], n = SIZES[rng.nextInt(SIZES.length)];
            int k = SIZES[rng.nextInt(SIZES.length)];
            boolean ta = rng.nextBoolean(), tb = rng.nextBoolean(), acc = rng.nextBoolean();
            worst = Math.max(worst, compare(rng, round % 2 == 0 ? Parallel.SERIAL : TWO, ta, tb, m, n, k, acc));
            cases++;
        }
        // Deep products cross several KC panels, wide ones several NC blocks.
        worst = Math.max(worst, compare(rng, TWO, false, true, 37, 1030, 600, true));
        worst = Math.max(worst, compare(rng, TWO, true, false, 129, 40, 1031, false));
        System.out.printf("GEMM fast vs naive: %d cases, max abs diff %.3g%n", cases + 2, worst);
        assertThat(worst).isLessThan(2e-4);
    }

    @Test void fewRowsOfATimesBTransposedUseDotProductsAndMatch() {
        SplittableRandom rng = new SplittableRandom(5);
        double worst = 0;
        for (int m : new int[] {1, 2, 3, 31, Gemm.DOT_MAX_ROWS}) {
            for (int n : new int[] {1, 5, 33, 700}) {
                for (int k : new int[] {1, 15, 17, 130}) {
                    worst = Math.max(worst, compare(rng, n == 700 ? TWO : Parallel.SERIAL, false, true, m, n, k, m % 2 == 0));
                }
            }
        }
        System.out.printf("GEMM dot-product path (A·Bᵀ, m <= %d) vs naive: max abs diff %.3g%n", Gemm.DOT_MAX_ROWS, worst);
        assertThat(worst).isLessThan(1e-4);
    }

    @Test void inPlaceBMatchesTheTripleLoopWithAndWithoutRoomPastTheLastPanel() {
        SplittableRandom rng = new SplittableRandom(9);
        double worst = 0;
        int cases = 0;
        for (int m : new int[] {1, 6, 7, 30, 97}) {
            for (int n : new int[] {1, Gemm.NR - 1, Gemm.NR, Gemm.NR + 3, 3 * Gemm.NR}) {
                for (int k : new int[] {1, 32, 130, Gemm.KC + 5}) {
                    for (int room : new int[] {0, Gemm.NR}) {      // floats of b after the last row's n columns
                        boolean ta = (m + n + k) % 2 == 0, acc = room == 0;
                        int lda = ta ? m + 2 : k + 1, ldb = n + 5, ldc = n + 1;
                        float[] a = random(rng, 3 + (ta ? k * lda : m * lda)), b = random(rng, 4 + (k - 1) * ldb + n + room);
                        float[] c = random(rng, m * ldc), expected = c.clone();
                        Reference.gemm(ta, false, m, n, k, a, 3, lda, b, 4, ldb, expected, 0, ldc, acc);
                        Gemm.gemmInPlaceB(ta, m, n, k, a, 3, lda, b, 4, ldb, c, 0, ldc, acc);
                        worst = Math.max(worst, maxAbsDiff(c, expected));
                        cases++;
                    }
                }
            }
        }
        System.out.printf("GEMM with B in place vs naive: %d cases, max abs diff %.3g%n", cases, worst);
        assertThat(worst).isLessThan(1e-4);
    }

    @Test void aBiasIsAddedOnceToEveryRow() {
        SplittableRandom rng = new SplittableRandom(10);
        double worst = 0;
        int[][] shapes = {{3, 40, 17}, {7, 104, 128}, {97, 33, 300}, {200, 130, 64}, {5, 9, 0}};     // m, n, k
        for (int[] shape : shapes) {
            for (boolean acc : new boolean[] {false, true}) {
                for (Parallel pool : new Parallel[] {Parallel.SERIAL, TWO}) {
                    int m = shape[0], n = shape[1], k = shape[2];
                    float[] a = random(rng, m * k), b = random(rng, n * k), bias = random(rng, n + 3);
                    float[] c = random(rng, m * n), expected = c.clone();
                    Reference.gemm(false, true, m, n, k, a, 0, k, b, 0, k, expected, 0, n, acc);
                    Reference.addBias(expected, bias, 3, m, n);
                    Gemm.gemm(pool, false, true, m, n, k, a, 0, k, b, 0, k, c, 0, n, acc, bias, 3);
                    worst = Math.max(worst, maxAbsDiff(c, expected));
                }
            }
        }
        System.out.printf("GEMM with bias vs naive product then bias: max abs diff %.3g%n", worst);
        assertThat(worst).isLessThan(1e-4);
    }

    @Test void prePackedBGivesTheSameBitsAsPackingOnTheFlyAndMatchesTheTripleLoop() {
        SplittableRandom rng = new SplittableRandom(11);
        double worst = 0;
        int cases = 0;
        // m > DOT_MAX_ROWS (fewer rows take dot products); n across NR and NC edges, k across KC edges
        for (int[] shape : new int[][] {{5, 1, 1}, {6, 33, 17}, {97, 104, 128}, {40, 1030, 300}, {300, 64, Gemm.KC + 1}}) {
            for (boolean transB : new boolean[] {true, false}) {
                for (Parallel pool : new Parallel[] {Parallel.SERIAL, TWO}) {
                    int m = shape[0], n = shape[1], k = shape[2], ldb = transB ? k + 2 : n + 2;
                    float[] a = random(rng, m * k), b = random(rng, 1 + (transB ? n : k) * ldb), bias = random(rng, n);
                    float[] onTheFly = random(rng, m * n), packed = onTheFly.clone(), expected = onTheFly.clone();
                    boolean acc = cases % 3 == 0;
                    Gemm.gemm(pool, false, transB, m, n, k, a, 0, k, b, 1, ldb, onTheFly, 0, n, acc, bias, 0);
                    Gemm.Packed p = new Gemm.Packed(k, n);
                    Gemm.pack(transB, b, 1, ldb, p);
                    Gemm.gemm(pool, false, m, a, 0, k, p, packed, 0, n, acc, bias, 0);
                    assertThat(packed).as("m %d n %d k %d transB %s", m, n, k, transB).containsExactly(onTheFly);
                    Reference.gemm(false, transB, m, n, k, a, 0, k, b, 1, ldb, expected, 0, n, acc);
                    Reference.addBias(expected, bias, 0, m, n);
                    worst = Math.max(worst, maxAbsDiff(packed, expected));
                    cases++;
                }
            }
        }
        System.out.printf("GEMM with B packed beforehand: %d cases equal to packing on the fly; vs naive max abs diff %.3g%n",
                cases, worst);
        assertThat(worst).isLessThan(2e-4);
    }

    @Test void stridedSubMatricesLeaveTheRestOfCUntouched() {
        SplittableRandom rng = new SplittableRandom(3);
        int m = 13, n = 35, k = 19, lda = 50, ldb = 60, ldc = 70;
        float[] a = random(rng, 40 * lda), b = random(rng, 60 * ldb), c = random(rng, 20 * ldc);
        float[] expected = c.clone();
        Reference.gemm(true, true, m, n, k, a, 3, lda, b, 5, ldb, expected, 7, ldc, true);
        Gemm.gemm(TWO, true, true, m, n, k, a, 3, lda, b, 5, ldb, c, 7, ldc, true);
        double diff = maxAbsDiff(c, expected);
        System.out.printf("GEMM strided vs naive: max abs diff %.3g%n", diff);
        assertThat(diff).isLessThan(1e-5);
    }

    @Test void zeroDepthOverwritesWithZerosOrLeavesC() {
        float[] c = {1, 2, 3, 4};
        Gemm.mul(TWO, c, new float[0], new float[0], 2, 2, 0, true);
        assertThat(c).containsExactly(1, 2, 3, 4);
        Gemm.mul(TWO, c, new float[0], new float[0], 2, 2, 0, false);
        assertThat(c).containsExactly(0, 0, 0, 0);
    }

    private static double compare(SplittableRandom rng, Parallel pool, boolean ta, boolean tb,
                                  int m, int n, int k, boolean acc) {
        float[] a = random(rng, m * k), b = random(rng, k * n), c = random(rng, m * n);
        float[] expected = c.clone();
        int lda = ta ? m : k, ldb = tb ? k : n;
        Reference.gemm(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, expected, 0, n, acc);
        Gemm.gemm(pool, ta, tb, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, acc);
        return maxAbsDiff(c, expected);
    }

    static float[] random(SplittableRandom rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rng.nextDouble() * 2 - 1);
        return x;
    }

    static double maxAbsDiff(float[] x, float[] y) {
        double d = 0;
        for (int i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
        return d;
    }
}
