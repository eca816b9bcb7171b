package org.covlab.tensor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The roofline of one core at the JVM's preferred vector width (docs/performance.md): the FMA peak (12 independent
 * chains of fused multiply-adds), a STREAM-like triad a = b + s c over 3 x 128 MB, and the GEMM C = A·Bᵀ at 256³
 * ({@link GemmBenchmark}), each timed in the thread's CPU time, so that other jobs on a shared machine slow the figures less than wall time.
 * Run it once per width: {@code java --add-modules jdk.incubator.vector [-XX:UseAVX=2] -cp target/covlab.jar
 * org.covlab.tensor.Roofline}.
 */
public final class Roofline {
    private Roofline() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    /** 12 chains of iters FMAs each, on vectors of S: enough chains to cover the FMA latency on 2 pipes. */
    static float fmaChains(long iters) {
        FloatVector a = FloatVector.broadcast(S, 1.0000001f), b = FloatVector.broadcast(S, 1e-7f);
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < iters; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b); c4 = c4.fma(a, b); c5 = c5.fma(a, b);
            c6 = c6.fma(a, b); c7 = c7.fma(a, b); c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).reduceLanes(VectorOperators.ADD);
    }

    /** a = b + s c. */
    static void triad(float[] a, float[] b, float[] c, float s) {
        int i = 0;
        for (; i < S.loopBound(a.length); i += S.length()) {
            FloatVector.fromArray(S, c, i).fma(FloatVector.broadcast(S, s), FloatVector.fromArray(S, b, i)).intoArray(a, i);
        }
        for (; i < a.length; i++) a[i] = b[i] + s * c[i];
    }

    /** The best of reps timings of work, in (its count) per second of this thread's CPU time. */
    private static double bestRate(int reps, double count, Runnable work) {
        double best = 0;
        for (int r = 0; r < reps; r++) {
            long t0 = CPU.getCurrentThreadCpuTime();
            work.run();
            best = Math.max(best, count / ((CPU.getCurrentThreadCpuTime() - t0) / 1e9));
        }
        return best;
    }

    public static void main(String[] args) {
        long iters = 100_000_000L;
        float[] sink = new float[1];
        double fma = bestRate(8, 24.0 * S.length() * iters, () -> sink[0] += fmaChains(iters)) / 1e9;
        int n = 1 << 25;
        float[] a = new float[n], b = new float[n], c = new float[n];
        Arrays.fill(b, 1f);
        Arrays.fill(c, 2f);
        double triad = bestRate(8, 12.0 * n, () -> triad(a, b, c, 3f)) / 1e9;
        double gemm = GemmBenchmark.gflops(Parallel.SERIAL, 256, 2.0);
        System.out.printf("%d-bit vectors, one core, CPU time: FMA peak %.1f GFLOP/s, triad %.1f GB/s, GEMM 256^3 %.1f GFLOP/s (%.0f%% of peak)%n",
                S.vectorBitSize(), fma, triad, gemm, 100 * gemm / fma);
        if (sink[0] == 42 && a[0] == 42) System.out.println();     // keep the results live
    }
}
