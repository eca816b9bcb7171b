package org.covlab.select;

import java.util.function.IntFunction;
import java.util.stream.IntStream;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Empirical coverage between every ordered pair of candidates (Eq. 28):
 * {@code C[k'][k] = Ĉov_N(pi_k' || pi_k) = (1/m) |{j : X[k'][j] - X[k][j] >= log N}|}.
 *
 * <p>Column k compares every row of a table against that table's own row k. On the validation data
 * (Eq. 29) every column uses the same table LL (K, n). In the offset tournament's on-policy term (Eq. 32)
 * column k uses the table of candidate k's own samples (K, n*M), so the samples always come from the
 * minimizing player k. One kernel serves both: {@code tableOf.apply(k)} is the table of column k.
 *
 * <p>Semantics at the edges, identical in both kernels (they evaluate the same IEEE expression):
 * {@code -inf - finite} is -inf (not counted), {@code finite - (-inf)} is +inf (counted), and
 * {@code -inf - (-inf)} is NaN (not counted: 0/0 is not "N times more likely"). A difference exactly equal
 * to log N counts (Def. 1.1 uses >=).
 *
 * <p>Cost: K^2 m comparisons; nothing cheaper exists in general (per pair this is a dominance count over
 * m coordinates, see docs/performance.md). The fast kernel makes each comparison cheap: Vector API over
 * doubles, four rows against one reference row per load of the reference, the data walked in chunks that
 * stay in cache across all columns, and the columns split across the cores.
 */
public final class PairwiseCoverage {
    private PairwiseCoverage() {}

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    /**
     * Examples per chunk. The reference row's 4 KB stays in L1 while four rows stream past it, and K rows of
     * 4 KB stay in a 1 MB L2 for K up to ~250. Measured on one core (K=200, n=10^4 and K=50, n=10^5):
     * 512 beats 256 by a few percent and 1024-4096 by about 1.5x.
     */
    private static final int CHUNK = 512;

    /** {@code C[k'][k]} on the validation data: every column uses {@code ll} (K, n). */
    public static double[][] onData(double[][] ll, double logN) {
        return fast(k -> ll, ll.length, logN);
    }

    /**
     * {@code Con[k'][k]} on on-policy samples: column k uses {@code samples[k]} (K, n*M), the log-probs under
     * every candidate k' of the samples drawn from candidate k.
     */
    public static double[][] onPolicy(double[][][] samples, double logN) {
        return fast(k -> samples[k], samples.length, logN);
    }

    /** The obvious triple loop: the reference the fast kernel is tested against. */
    static double[][] naive(IntFunction<double[][]> tableOf, int K, double logN) {
        double[][] c = new double[K][K];
        for (int k = 0; k < K; k++) {
            double[][] x = tableOf.apply(k);
            double[] ref = x[k];
            for (int kp = 0; kp < K; kp++) {
                long count = 0;
                for (int j = 0; j < ref.length; j++) if (x[kp][j] - ref[j] >= logN) count++;
                c[kp][k] = (double) count / ref.length;
            }
        }
        return c;
    }

    /** The fast kernel; same result as {@link #naive}, bit for bit. */
    static double[][] fast(IntFunction<double[][]> tableOf, int K, double logN) {
        long[][] counts = new long[K][K];   // (k', k)
        if (K == 0) return new double[0][0];
        int threads = Math.min(K, Runtime.getRuntime().availableProcessors());
        // Contiguous column ranges: every column costs the same, so this balances.
        IntStream.range(0, threads).parallel().forEach(w -> {
            int k0 = (int) ((long) K * w / threads), k1 = (int) ((long) K * (w + 1) / threads);
            int m = tableOf.apply(k0)[k0].length;
            for (int j0 = 0; j0 < m; j0 += CHUNK) {
                int j1 = Math.min(m, j0 + CHUNK);
                for (int k = k0; k < k1; k++) countColumnChunk(tableOf.apply(k), k, j0, j1, logN, counts);
            }
        });
        double[][] c = new double[K][K];
        for (int kp = 0; kp < K; kp++) {
            for (int k = 0; k < K; k++) {
                int m = tableOf.apply(k)[k].length;
                c[kp][k] = (double) counts[kp][k] / m;
            }
        }
        return c;
    }

    /**
     * Adds to counts[k'][k], for every row k', the j in [j0, j1) with x[k'][j] - x[k][j] >= t. Rows go four at a
     * time against one load of the reference row; the last group repeats its final row and drops the copies.
     */
    private static void countColumnChunk(double[][] x, int k, int j0, int j1, double t, long[][] counts) {
        double[] ref = x[k];
        int K = x.length;
        long[] n = new long[4];
        for (int kp = 0; kp < K; kp += 4) {
            double[] a0 = x[kp], a1 = x[Math.min(kp + 1, K - 1)], a2 = x[Math.min(kp + 2, K - 1)], a3 = x[Math.min(kp + 3, K - 1)];
            count4(a0, a1, a2, a3, ref, j0, j1, t, n);
            for (int r = 0; r < 4 && kp + r < K; r++) counts[kp + r][k] += n[r];
        }
    }

    private static void count4(double[] a0, double[] a1, double[] a2, double[] a3, double[] ref,
                               int j0, int j1, double t, long[] n) {
        DoubleVector one = DoubleVector.broadcast(S, 1.0);
        DoubleVector c0 = DoubleVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        int j = j0, bound = j0 + S.loopBound(j1 - j0);
        for (; j < bound; j += S.length()) {
            DoubleVector b = DoubleVector.fromArray(S, ref, j);
            c0 = c0.add(one, DoubleVector.fromArray(S, a0, j).sub(b).compare(VectorOperators.GE, t));
            c1 = c1.add(one, DoubleVector.fromArray(S, a1, j).sub(b).compare(VectorOperators.GE, t));
            c2 = c2.add(one, DoubleVector.fromArray(S, a2, j).sub(b).compare(VectorOperators.GE, t));
            c3 = c3.add(one, DoubleVector.fromArray(S, a3, j).sub(b).compare(VectorOperators.GE, t));
        }
        // Per-lane counts are at most CHUNK, so the double sums are exact.
        long n0 = (long) c0.reduceLanes(VectorOperators.ADD), n1 = (long) c1.reduceLanes(VectorOperators.ADD);
        long n2 = (long) c2.reduceLanes(VectorOperators.ADD), n3 = (long) c3.reduceLanes(VectorOperators.ADD);
        for (; j < j1; j++) {
            double r = ref[j];
            if (a0[j] - r >= t) n0++;
            if (a1[j] - r >= t) n1++;
            if (a2[j] - r >= t) n2++;
            if (a3[j] - r >= t) n3++;
        }
        n[0] = n0; n[1] = n1; n[2] = n2; n[3] = n3;
    }
}
