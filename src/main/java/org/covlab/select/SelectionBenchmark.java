package org.covlab.select;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.covlab.util.Timing;

/**
 * Times the win matrix (Eq. 29) and the offset tournament's on-policy term (Eq. 32), fast kernel against
 * the naive triple loop, on random log-prob tables shaped like checkpoints along training. The figures go
 * in docs/performance.md ("Selection").
 *
 * <pre>
 * mvn -B -q -DskipTests package
 * java --add-modules jdk.incubator.vector -cp target/covlab.jar org.covlab.select.SelectionBenchmark
 * </pre>
 */
public final class SelectionBenchmark {
    private SelectionBenchmark() {}

    public static void main(String[] args) throws IOException {
        System.out.printf(Locale.ROOT, "cores %d, vector species %s%n",
                Runtime.getRuntime().availableProcessors(), jdk.incubator.vector.DoubleVector.SPECIES_PREFERRED);
        double logN = Math.log(4);
        for (int[] shape : new int[][] {{200, 10_000}, {50, 100_000}}) {
            double[][] ll = table(shape[0], shape[1], 1);
            String fast = time(() -> PairwiseCoverage.onData(ll, logN));
            String naive = time(() -> PairwiseCoverage.naive(k -> ll, ll.length, logN));
            System.out.printf(Locale.ROOT, "win matrix   K=%d n=%d: fast %s, naive %s%n", shape[0], shape[1], fast, naive);
        }
        // On-policy term: K tables of (K, n*M).
        int K = 50, n = 2_000, M = 4;
        double[][][] samples = new double[K][][];
        for (int k = 0; k < K; k++) samples[k] = table(K, n * M, 100 + k);
        String fast = time(() -> PairwiseCoverage.onPolicy(samples, logN));
        String naive = time(() -> PairwiseCoverage.naive(k -> samples[k], K, logN));
        System.out.printf(Locale.ROOT, "on-policy    K=%d n=%d M=%d: fast %s, naive %s%n", K, n, M, fast, naive);
        double[][] ll = table(200, 10_000, 1);
        LogProbTable t = LogProbTable.of(ll);
        System.out.printf(Locale.ROOT, "SimpleTournament.select K=200 n=10000: %s%n", time(() -> new SimpleTournament(4).select(t)));
        // What 'covlab select --logprobs' adds: parsing 2,000,000 JSONL lines.
        Path file = Files.createTempFile("covlab-bench", ".jsonl");
        try {
            LogProbJsonl.write(file, t);
            long t0 = System.nanoTime();
            LogProbJsonl.read(file);
            System.out.printf(Locale.ROOT, "LogProbJsonl.read K=200 n=10000 (%d MB): %.2f s (one run)%n",
                    Files.size(file) >> 20, (System.nanoTime() - t0) / 1e9);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * K checkpoints along training: a shared per-example difficulty, each checkpoint's drift and noise, 1%
     * of cells at -infinity. Sequence log-probs between about -60 and 0.
     */
    static double[][] table(int K, int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] base = new double[n];
        for (int i = 0; i < n; i++) base[i] = -rng.nextDouble(1, 40);
        double[][] ll = new double[K][n];
        for (int k = 0; k < K; k++) {
            double drift = rng.nextDouble(-2, 2);
            for (int i = 0; i < n; i++) {
                double v = base[i] + drift + 3 * rng.nextDouble(-1, 1);
                ll[k][i] = rng.nextDouble() < 0.01 ? Double.NEGATIVE_INFINITY : Math.min(0, v);
            }
        }
        return ll;
    }

    /** "median s (min s)" of {@link Timing#medianAndMin}. */
    private static String time(Runnable r) {
        double[] s = Timing.medianAndMin(r);
        return String.format(Locale.ROOT, "%.3f s (min %.3f s)", s[0], s[1]);
    }
}
