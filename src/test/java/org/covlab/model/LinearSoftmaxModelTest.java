package org.covlab.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.covlab.decode.Sampler;
import org.covlab.util.Seeded;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(Seeded.class)
class LinearSoftmaxModelTest {

    static final int H = 5, V = 3, D = 4;

    static LongStream seeds() { return Seeded.seeds(300); }

    @ParameterizedTest @MethodSource("seeds")
    void nextTokenLawIsNormalised(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double radius = Seeded.doubleIn(rng, 0, 50);
        LinearSoftmaxModel m = new LinearSoftmaxModel(TestFeatureMaps.randomMarkov(rng.nextLong(), 2, H, V, D, 1.0),
                TestFeatureMaps.randomTheta(rng.nextLong(), D, radius));
        int[] y = {2, 0, 1, 1};
        int x = rng.nextInt(2);
        for (int h = 0; h <= y.length; h++) {
            double[] logp = m.nextTokenLogProbs(new int[] {x}, Arrays.copyOf(y, h));
            double total = 0;
            for (double v : logp) { assertThat(v).isLessThanOrEqualTo(0.0); total += Math.exp(v); }
            assertThat(total).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @ParameterizedTest @MethodSource("seeds")
    void unitBallProjection(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] theta = TestFeatureMaps.randomTheta(rng.nextLong(), D, Seeded.doubleIn(rng, 0, 5));
        double[] p = theta.clone();
        ParameterSet.UNIT_BALL.project(p);
        assertThat(ParameterSet.norm(p)).isLessThanOrEqualTo(1 + 1e-12);
        double scale = 1 / Math.max(1, ParameterSet.norm(theta)); // theta / max(1, ||theta||)
        for (int k = 0; k < D; k++) assertThat(p[k]).isCloseTo(theta[k] * scale, org.assertj.core.data.Offset.offset(1e-12));
        double[] again = p.clone();
        ParameterSet.UNIT_BALL.project(again);
        assertThat(again).containsExactly(p);
        // nearest point: no point of the ball is closer to theta
        double[] z = TestFeatureMaps.randomTheta(rng.nextLong(), D, 1);
        assertThat(distance(p, theta)).isLessThanOrEqualTo(distance(z, theta) + 1e-12);
    }

    @ParameterizedTest @MethodSource("seeds")
    void boxProjection(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        ParameterSet box = new ParameterSet.Box(0.5);
        double[] theta = TestFeatureMaps.randomTheta(rng.nextLong(), D, Seeded.doubleIn(rng, 0, 5));
        double[] p = theta.clone();
        box.project(p);
        assertThat(box.contains(p, 0)).isTrue();
        double[] z = TestFeatureMaps.randomTheta(rng.nextLong(), D, 0.5); // inside the box (||z||_inf <= ||z|| <= 0.5)
        assertThat(distance(p, theta)).isLessThanOrEqualTo(distance(z, theta) + 1e-12);
        if (box.contains(theta, 0)) assertThat(p).containsExactly(theta);
    }

    @Test
    void sequenceAndTokenGradientsMatchFiniteDifferences() {
        double worst = 0;
        for (FeatureMap phi : new FeatureMap[] {TestFeatureMaps.randomMarkov(3, 2, H, V, D, 1.5), TestFeatureMaps.randomGeneral(V, D, 1.5)}) {
            double[] theta = TestFeatureMaps.randomTheta(11, D, 1);
            int[] x = {1}, y = {0, 2, 2, 1, 0};
            LinearSoftmaxModel m = new LinearSoftmaxModel(phi, theta);
            double[] g = new double[D];
            double lp = m.addSequenceGradient(x, y, 1.0, g);
            assertThat(lp).isCloseTo(m.sequenceLogProb(x, y), org.assertj.core.data.Offset.offset(1e-12));
            double[] fd = finiteDifference(theta, t -> new LinearSoftmaxModel(phi, t).sequenceLogProb(x, y));
            worst = Math.max(worst, maxDiff(g, fd));
            for (int h = 0; h < y.length; h++) {
                final int hh = h;
                double[] gt = new double[D];
                m.addTokenGradient(x, y, h, y[h], 1.0, gt);
                double[] fdt = finiteDifference(theta, t -> new LinearSoftmaxModel(phi, t).tokenLogProbs(x, y)[hh]);
                worst = Math.max(worst, maxDiff(gt, fdt));
            }
        }
        System.out.printf("LinearSoftmaxModel gradients vs central differences: max |diff| = %.2e%n", worst);
        assertThat(worst).isLessThan(1e-7);
    }

    @Test
    void tabulatedFeaturesEqualTheKernelAndFallThroughOutsideTheTable() {
        MarkovFeatureMap kernel = TestFeatureMaps.randomMarkov(4, 3, H, V, D, 1);
        MarkovFeatureMap table = kernel.tabulated(2, H - 1); // prompt 2 and position H-1 are outside the table
        for (int x = 0; x < 3; x++)
            for (int h = 0; h < H; h++)
                for (int prev = (h == 0 ? MarkovFeatureMap.START : 0); prev < (h == 0 ? 0 : V); prev++)
                    for (int c = 0; c < V; c++) {
                        double[] a = new double[D], b = new double[D];
                        kernel.markovFeatures(new int[] {x}, h, prev, c, a);
                        table.markovFeatures(new int[] {x}, h, prev, c, b);
                        assertThat(b).containsExactly(a);
                    }
    }

    @Test
    void fastTeacherForcingMatchesTheDefaultPath() {
        FeatureMap phi = TestFeatureMaps.randomGeneral(V, D, 1);
        LinearSoftmaxModel m = new LinearSoftmaxModel(phi, TestFeatureMaps.randomTheta(5, D, 1));
        int[] x = {0}, y = {1, 1, 0, 2, 0};
        double[] fast = m.tokenLogProbs(x, y);
        for (int h = 0; h < y.length; h++) assertThat(fast[h]).isEqualTo(m.nextTokenLogProbs(x, Arrays.copyOf(y, h))[y[h]]);
    }

    @Test
    void samplingFollowsTheSequenceLaw() {
        LinearSoftmaxModel m = new LinearSoftmaxModel(TestFeatureMaps.randomMarkov(9, 1, 2, 2, 2, 1), new double[] {0.7, -0.4});
        int draws = 40_000;
        int[] counts = new int[4];
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < draws; i++) {
            int[] y = m.sample(new int[] {0}, 2, -1, Sampler.ANCESTRAL, rng);
            counts[2 * y[0] + y[1]]++;
        }
        double worstZ = 0;
        for (int c = 0; c < 4; c++) {
            double p = Math.exp(m.sequenceLogProb(new int[] {0}, new int[] {c / 2, c % 2}));
            worstZ = Math.max(worstZ, Math.abs(counts[c] - draws * p) / Math.sqrt(draws * p * (1 - p)));
        }
        System.out.printf("LinearSoftmaxModel.sample vs exact law: max |z| = %.2f%n", worstZ);
        assertThat(worstZ).isLessThan(4.5);
    }

    interface F { double at(double[] theta); }

    static double[] finiteDifference(double[] theta, F f) {
        double[] g = new double[theta.length];
        double eps = 1e-5;
        for (int k = 0; k < theta.length; k++) {
            double[] a = theta.clone(), b = theta.clone();
            a[k] += eps;
            b[k] -= eps;
            g[k] = (f.at(a) - f.at(b)) / (2 * eps);
        }
        return g;
    }

    static double maxDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.sqrt(s);
    }
}
