package org.covlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LrScheduleTest {

    @Test void constantIsTheSameAtEveryStep() {
        LrSchedule s = LrSchedule.constant(1e-4);
        for (int t : new int[] {0, 1, 999, 5000}) assertThat(s.at(t, 1000)).isEqualTo(1e-4);
    }

    @Test void warmupIsLinearThenCosineEndsAtMinLr() {
        LrSchedule s = new LrSchedule(1.0, 4, true, 0.1);
        assertThat(s.at(0, 14)).isEqualTo(0.25);
        assertThat(s.at(1, 14)).isEqualTo(0.5);
        assertThat(s.at(3, 14)).isEqualTo(1.0);
        assertThat(s.at(4, 14)).isEqualTo(1.0);                       // cosine starts at the peak
        assertThat(s.at(9, 14)).isCloseTo(0.1 + 0.9 * 0.5, within(1e-15));  // half way: cos(pi/2) = 0
        // the last update, step 13, is one step short of the end: p = 9/10 (docs/training.md)
        assertThat(s.at(13, 14)).isCloseTo(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.9)), within(1e-15)).isGreaterThan(0.1);
        assertThat(s.at(14, 14)).isCloseTo(0.1, within(1e-15));      // step = steps: min lr, reached after the last update
        assertThat(s.at(20, 14)).isCloseTo(0.1, within(1e-15));       // past the end it stays at min
        LrSchedule warmOnly = new LrSchedule(2.0, 2, false, 0);
        assertThat(warmOnly.at(0, 10)).isEqualTo(1.0);
        assertThat(warmOnly.at(5, 10)).isEqualTo(2.0);
    }
}
