package org.covlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import org.covlab.tensor.Parallel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The divergence rule, and that a state with non-finite numbers never becomes a checkpoint. */
class DivergenceTest {
    @TempDir Path tmp;

    /** A Divergence for vocabulary 104 (ln V = 4.644) that has seen {@code losses}, one per step. */
    private static Divergence after(double... losses) {
        Divergence d = new Divergence(104);
        for (int i = 0; i < losses.length; i++) d.check(i + 1, losses[i], 1, 1e-3);
        return d;
    }

    private static double[] steps(int n, double loss) {
        double[] a = new double[n];
        Arrays.fill(a, loss);
        return a;
    }

    @Test void aNonFiniteLossOrNormStopsAtOnce() {
        assertThatThrownBy(() -> new Divergence(104).check(1, Double.NaN, 1, 1e6)).isInstanceOf(DivergedException.class)
                .hasMessage("training diverged at step 1: the loss is NaN (|g| 1.00, lr 1.00e+06); lower --lr");
        assertThatThrownBy(() -> after(4, 3).check(3, 2, Double.POSITIVE_INFINITY, 1e-3))
                .hasMessageStartingWith("training diverged at step 3: the gradient norm is Infinity");
    }

    @Test void aLossFarAboveItsLowestStopsOnlyAfterTheWarmUpAndAboveAUniformGuess() {
        Divergence warm = after(steps(Divergence.WARMUP, 2.0));
        assertThatThrownBy(() -> warm.check(Divergence.WARMUP + 1, 201, 1, 1e-3))
                .hasMessageStartingWith("training diverged at step 11: the loss 201.0 is over 100 times its lowest, 2.000, and above ln V = 4.644");
        assertThatCode(() -> after(steps(Divergence.WARMUP, 2.0)).check(Divergence.WARMUP + 1, 199, 1, 1e-3)).doesNotThrowAnyException();
        assertThatCode(() -> after(steps(Divergence.WARMUP - 1, 2.0)).check(Divergence.WARMUP, 1e9, 1, 1e-3)).doesNotThrowAnyException();
        // near zero loss, a hard batch may be 1000x the lowest: below ln V it is not divergence
        assertThatCode(() -> after(steps(Divergence.WARMUP, 1e-4)).check(Divergence.WARMUP + 1, 1.5, 1, 1e-3)).doesNotThrowAnyException();
        assertThatThrownBy(() -> after(steps(Divergence.WARMUP, 1e-4)).check(Divergence.WARMUP + 1, 4.7, 1, 1e-3))
                .isInstanceOf(DivergedException.class);
    }

    @Test void aStateWithNonFiniteNumbersIsNeverWritten() {
        Checkpoints ckpts = new Checkpoints(tmp, CheckpointPolicy.every(1));
        try (Parallel pool = new Parallel(1)) {
            Trainer t = new Trainer(Trainer.initialModel(TinyRuns.GPT, 1, pool), TinyRuns.FIG2, TinyRuns.config(1, 5));
            ckpts.save(t, TinyRuns.FIG2_SPEC);
            t.update();
            t.optimizer().secondMoment()[7] = Float.NaN;
            assertThatThrownBy(() -> ckpts.save(t, TinyRuns.FIG2_SPEC)).isInstanceOf(DivergedException.class)
                    .hasMessageStartingWith("training diverged by step 1: the second moments of tok.weight are no longer finite (element 7 is NaN)");
            t.optimizer().secondMoment()[7] = 0;
            t.model().parameters()[3] = Float.POSITIVE_INFINITY;
            assertThatThrownBy(() -> ckpts.save(t, TinyRuns.FIG2_SPEC)).hasMessageContaining("the weights of tok.weight are no longer finite");
        }
        assertThat(Checkpoints.list(tmp)).extracting(Checkpoints.Entry::step).containsExactly(0);
    }
}
