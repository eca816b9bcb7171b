package org.covlab.util;

import java.util.Arrays;

/** Wall-clock timing for the benchmarks' main methods (speed targets are shown by benchmarks, not by unit tests). */
public final class Timing {
    private Timing() {}

    /** Untimed runs first, so that the JIT has compiled the body. */
    public static final int WARMUPS = 2;
    /** Timed runs; the median is reported (the machine may be shared: also the minimum). */
    public static final int REPEATS = 5;

    /** {median, min} seconds over {@link #REPEATS} runs of {@code body} after {@link #WARMUPS} warm-up runs. */
    public static double[] medianAndMin(Runnable body) {
        for (int i = 0; i < WARMUPS; i++) body.run();
        double[] s = new double[REPEATS];
        for (int i = 0; i < REPEATS; i++) {
            long t0 = System.nanoTime();
            body.run();
            s[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(s);
        return new double[] {s[REPEATS / 2], s[0]};
    }
}
