package org.covlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.covlab.model.LinearSoftmaxModel;
import org.covlab.task.LinearInstance;
import org.covlab.task.LinearInstances;
import org.covlab.util.Seeded;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(Seeded.class)
class DistillTruncatedTest {

    static LongStream seeds() { return Seeded.seeds(500); }

    /** 1-40 token KLs in [0, 3] (an eighth exactly 0, an eighth exactly 3) and a budget A in [0.01, 20]. */
    @ParameterizedTest @MethodSource("seeds")
    void weightsSpendExactlyTheBudget(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] eps = new double[Seeded.intIn(rng, 1, 40)];
        for (int h = 0; h < eps.length; h++) eps[h] = Seeded.doubleIn(rng, 0, 3);
        double A = Seeded.doubleIn(rng, 0.01, 20);
        double[] alpha = DistillTruncated.alphas(eps, A);
        double spent = 0, total = 0;
        for (int h = 0; h < eps.length; h++) {
            assertThat(alpha[h]).isBetween(0.0, 1.0);
            if (h > 0) assertThat(alpha[h]).isLessThanOrEqualTo(alpha[h - 1] + (eps[h - 1] == 0 ? 1 : 0));
            spent += alpha[h] * eps[h];
            total += eps[h];
        }
        assertThat(spent).isCloseTo(Math.min(A, total), org.assertj.core.data.Offset.offset(1e-9 * (1 + total)));
    }

    @Test
    void truncatedGradientMatchesFiniteDifferencesWithAlphaHeldFixed() {
        LinearInstance in = LinearInstances.byName("pivotal", 12, java.util.Map.of("V", 3.0, "k", 4.0));
        LinearSoftmaxModel teacher = in.dataModel();
        double[] theta = {0.3, 0.2, -0.1, 0.05};
        LinearSoftmaxModel student = in.model(theta);
        int[] x = {0};
        int[] y = teacher.sample(x, 12, -1, org.covlab.decode.Sampler.ANCESTRAL, new SplittableRandom(8));
        double[] eps = DistillTruncated.tokenKls(teacher, student, x, y);
        double total = 0;
        for (double e : eps) total += e;
        double A = total / 2;
        double[] alpha = DistillTruncated.alphas(eps, A);
        long fractional = java.util.Arrays.stream(alpha).filter(a -> a > 0 && a < 1).count();
        assertThat(fractional).as("one token crosses the budget").isEqualTo(1);
        assertThat(alpha[alpha.length - 1]).isZero();
        double[] g = DistillTruncated.truncatedGradient(teacher, student, x, y, A);
        double[] fd = new double[theta.length];
        for (int k = 0; k < theta.length; k++) {
            double[] a = theta.clone(), b = theta.clone();
            a[k] += 1e-5;
            b[k] -= 1e-5;
            fd[k] = (weighted(in.model(a), x, y, alpha) - weighted(in.model(b), x, y, alpha)) / 2e-5;
        }
        double worst = 0;
        for (int k = 0; k < g.length; k++) worst = Math.max(worst, Math.abs(g[k] - fd[k]));
        System.out.printf("truncated distillation gradient vs finite differences (alpha fixed): max |diff| = %.2e%n", worst);
        assertThat(worst).isLessThan(1e-7);

        double[] full = new double[theta.length];
        student.addSequenceGradient(x, y, 1.0, full);
        assertThat(DistillTruncated.truncatedGradient(teacher, student, x, y, 10 * total)).containsExactly(full);
    }

    /** Σ_h alpha_h log pi_theta(y_h | x, y_{<h}) with alpha frozen. */
    static double weighted(LinearSoftmaxModel m, int[] x, int[] y, double[] alpha) {
        double[] lp = m.tokenLogProbs(x, y);
        double s = 0;
        for (int h = 0; h < y.length; h++) s += alpha[h] * lp[h];
        return s;
    }
}
