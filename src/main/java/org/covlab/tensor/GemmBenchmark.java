package org.covlab.tensor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;

/**
 * GEMM throughput in GFLOP/s (2 m n k flops per product) for square sizes, timed after a warm-up.
 * Run: {@code java --add-modules jdk.incubator.vector -cp target/covlab.jar org.covlab.tensor.GemmBenchmark 256 1024}
 */
public final class GemmBenchmark {
    private GemmBenchmark() {}

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    /**
     * Measures C = A · Bᵀ (the Linear forward form) of size n³ for at least {@code seconds}: the best of 5 timings,
     * in the calling thread's CPU time on a one-thread pool (the product runs on the caller; on a shared machine
     * wall time also counts the other jobs' turns), else in wall time.
     */
    public static double gflops(Parallel pool, int n, double seconds) {
        SplittableRandom rng = new SplittableRandom(1);
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < a.length; i++) { a[i] = (float) rng.nextGaussian(); b[i] = (float) rng.nextGaussian(); }
        long warm = System.nanoTime();
        while (System.nanoTime() - warm < (long) (seconds * 0.5e9)) Gemm.mulTransB(pool, c, a, b, n, n, n, false);
        double best = 0;
        for (int round = 0; round < 5; round++) {
            int reps = 0;
            long t0 = System.nanoTime(), c0 = CPU.getCurrentThreadCpuTime(), t1;
            do {
                Gemm.mulTransB(pool, c, a, b, n, n, n, false);
                reps++;
                t1 = System.nanoTime();
            } while (t1 - t0 < (long) (seconds * 0.2e9));
            long spent = pool.threads() == 1 ? CPU.getCurrentThreadCpuTime() - c0 : t1 - t0;
            best = Math.max(best, 2.0 * n * n * n * reps / spent);
        }
        return best;
    }

    public static void main(String[] args) {
        int[] sizes = args.length == 0 ? new int[] {256, 1024} : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        for (int threads : new int[] {1, 2}) {
            try (Parallel pool = new Parallel(threads)) {
                for (int n : sizes) System.out.printf("gemm %d^3 threads=%d: %.1f GFLOP/s%n", n, threads, gflops(pool, n, 2.0));
            }
        }
    }
}
