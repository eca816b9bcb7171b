package org.covlab.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class TimingTest {

    @Test
    void timesTheRepeatsAfterTheWarmUpsAndReportsTheirMedianAndMinimum() {
        // Run k sleeps (k + 1) ms, so the timed runs take about 3, 4, 5, 6 and 7 ms (the warm-ups 1 and 2 ms):
        // the minimum is at least 3 ms, the median at least 5 ms; sleeps may overrun but never fall short.
        int[] calls = new int[1];
        double[] t = Timing.medianAndMin(() -> LockSupport.parkNanos((++calls[0]) * 1_000_000L));
        System.out.printf("median %.4f s, min %.4f s%n", t[0], t[1]);
        assertThat(calls[0]).isEqualTo(Timing.WARMUPS + Timing.REPEATS);
        assertThat(t[1]).isGreaterThanOrEqualTo(0.003 * 0.99).isLessThanOrEqualTo(t[0]);
        assertThat(t[0]).isGreaterThanOrEqualTo(0.005 * 0.99);
    }
}
