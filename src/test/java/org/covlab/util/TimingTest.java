package org.covlab.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class TimingTest {

    /** Waits until System.nanoTime has advanced by {@code ms}: parkNanos alone may return early. */
    private static void waitAtLeast(long ms) {
        long end = System.nanoTime() + ms * 1_000_000L;
        for (long left; (left = end - System.nanoTime()) > 0; ) LockSupport.parkNanos(left);
    }

    @Test
    void timesTheRepeatsAfterTheWarmUpsAndReportsTheirMedianAndMinimum() {
        // Run k lasts at least (k + 1) ms by the same clock Timing reads, so the timed runs (k = 3..7) take at
        // least 3, 4, 5, 6, 7 ms (the warm-ups 1 and 2 ms): the minimum is at least 3 ms, the median at least 5.
        int[] calls = new int[1];
        double[] t = Timing.medianAndMin(() -> waitAtLeast(++calls[0]));
        System.out.printf("median %.4f s, min %.4f s%n", t[0], t[1]);
        assertThat(calls[0]).isEqualTo(Timing.WARMUPS + Timing.REPEATS);
        assertThat(t[1]).isGreaterThanOrEqualTo(0.003).isLessThanOrEqualTo(t[0]);
        assertThat(t[0]).isGreaterThanOrEqualTo(0.005);
    }
}
