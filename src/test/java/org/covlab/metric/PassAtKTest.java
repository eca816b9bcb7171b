package org.covlab.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class PassAtKTest {

    @Test void knownAnswers() {
        assertThat(PassAtK.estimate(10, 3, 1).getAsDouble()).isCloseTo(0.3, within(1e-15)); // c/n at k = 1
        assertThat(PassAtK.estimate(5, 2, 2).getAsDouble()).isCloseTo(0.7, within(1e-15)); // 1 - C(3,2)/C(5,2)
        // 1 - C(17,10)/C(20,10) = 1 - 19448/184756
        assertThat(PassAtK.estimate(20, 3, 10).getAsDouble()).isCloseTo(1 - 19448.0 / 184756, within(1e-15));
    }

    @Test void edgeCases() {
        assertThat(PassAtK.estimate(10, 0, 5)).hasValue(0.0);   // c = 0
        assertThat(PassAtK.estimate(10, 10, 5)).hasValue(1.0);  // c = n
        assertThat(PassAtK.estimate(10, 8, 3)).hasValue(1.0);   // n - c < k: every 3-subset has a correct one
        assertThat(PassAtK.estimate(10, 1, 10)).hasValue(1.0);  // k = n: the one correct sample is always picked
        assertThat(PassAtK.estimate(10, 3, 11)).isEmpty();      // k > n: undefined
        assertThat(PassAtK.estimate(0, 0, 1)).isEmpty();
        assertThatThrownBy(() -> PassAtK.estimate(10, 3, 0)).hasMessageContaining("k must be >= 1");
        assertThatThrownBy(() -> PassAtK.estimate(3, 4, 1)).hasMessageContaining("c <= n");
        assertThatThrownBy(() -> new PassAtK.Counts("t", 3, 4)).hasMessageContaining("c <= n");
    }

    @Test void meanOverTasksWithDifferentN() {
        List<PassAtK.Counts> tasks = List.of(new PassAtK.Counts("a", 10, 3), new PassAtK.Counts("b", 4, 0),
                new PassAtK.Counts("c", 5, 2));
        assertThat(PassAtK.mean(tasks, 1).getAsDouble()).isCloseTo((0.3 + 0 + 0.4) / 3, within(1e-15));
        assertThat(PassAtK.mean(tasks, 2).getAsDouble())
                .isCloseTo((1 - 21.0 / 45 + 0 + 0.7) / 3, within(1e-15));
        assertThat(PassAtK.mean(tasks, 5)).isEmpty();  // task b has only 4 samples
        assertThat(PassAtK.mean(List.of(), 1)).isEmpty();
    }
}
