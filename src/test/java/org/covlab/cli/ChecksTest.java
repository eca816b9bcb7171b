package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.covlab.util.InputException;
import org.junit.jupiter.api.Test;

class ChecksTest {

    @Test
    void atLeastPassesTheBoundAndNamesTheOptionBelowIt() {
        assertThatCode(() -> Checks.atLeast("--threads", 1, 1)).doesNotThrowAnyException();
        assertThatCode(() -> Checks.atLeast("--warmup", 0, 0)).doesNotThrowAnyException();
        assertThatThrownBy(() -> Checks.atLeast("--threads", 1, 0))
                .isInstanceOf(InputException.class).hasMessage("--threads: must be >= 1, got 0");
        assertThatThrownBy(() -> Checks.atLeast("--keep-last", 0, -3))
                .isInstanceOf(InputException.class).hasMessage("--keep-last: must be >= 0, got -3");
    }

    @Test
    void positiveRejectsZeroNegativeNanAndInfinity() {
        assertThatCode(() -> Checks.positive("--lr", 1e-300)).doesNotThrowAnyException();
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY})
            assertThatThrownBy(() -> Checks.positive("--lr", bad))
                    .isInstanceOf(InputException.class).hasMessage("--lr: must be > 0, got " + bad);
    }

    @Test
    void hasClassAcceptsNoClassOrAKnownOne() {
        Map<String, Double> weights = Map.of("G1", 0.9, "G2", 0.1);
        assertThatCode(() -> Checks.hasClass("fig1", weights, null)).doesNotThrowAnyException();
        assertThatCode(() -> Checks.hasClass("fig1", weights, "G2")).doesNotThrowAnyException();
        assertThatThrownBy(() -> Checks.hasClass("fig1", weights, "G3"))
                .isInstanceOf(InputException.class).hasMessageStartingWith("--class: fig1 has no class 'G3'; classes: ");
    }
}
