package org.covlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.covlab.decode.Sampler;
import org.covlab.model.FeatureMap;
import org.covlab.model.LinearSoftmaxModel;
import org.covlab.model.ParameterSet;
import org.covlab.model.TestFeatureMaps;
import org.covlab.task.LinearInstance;
import org.covlab.task.LinearInstances;
import org.covlab.util.Seeds;
import org.junit.jupiter.api.Test;

class MleTest {

    final Mle mle = new Mle(Map.of());

    @Test
    void bernoulliMleIsTheEmpiricalFrequency() {
        int H = 3, n = 500;
        double B = 4;
        LinearInstance in = LinearInstances.byName("bernoulli", H, Map.of("p", 0.2, "B", B));
        DataStream data = new DataStream(in.task(), new Seeds(7));
        int ones = 0;
        for (int i = 0; i < n; i++) for (int t : data.next().response()) ones += t;
        double pHat = ones / (double) (H * n);
        double expected = Math.log(pHat / (1 - pHat)) / B;   // sigmoid(B theta) = p_hat, inside Theta
        double theta = ((LinearSoftmaxModel) mle.train(in, TrainingPlan.of(n), new Seeds(7), EvalCallback.NONE)).theta()[0];
        System.out.printf("Bernoulli MLE vs closed form logit(p_hat)/B: |diff| = %.2e (p_hat = %.4f)%n", Math.abs(theta - expected), pHat);
        assertThat(Math.abs(theta - expected)).isLessThan(1e-8);
    }

    @Test
    void bernoulliMleSitsOnTheBoundaryWhenTheRareTokenIsUnseen() {
        LinearInstance in = LinearInstances.byName("bernoulli", 1, Map.of("p", 0.002, "B", 6.5));
        int n = 30;
        DataStream data = new DataStream(in.task(), new Seeds(1));
        int ones = 0;
        for (int i = 0; i < n; i++) ones += data.next().response()[0];
        assertThat(ones).as("this seed draws no 1 in 30 samples").isZero();
        double theta = ((LinearSoftmaxModel) mle.train(in, TrainingPlan.of(n), new Seeds(1), EvalCallback.NONE)).theta()[0];
        assertThat(theta).isEqualTo(-1.0);
        double q = 1 / (1 + Math.exp(6.5)), p = 0.002; // pi_hat = Ber(sigmoid(-B))
        double kl = p * Math.log(p / q) + (1 - p) * Math.log((1 - p) / (1 - q));
        assertThat(in.sequenceKl(in.model(new double[] {theta}))).isCloseTo(kl, org.assertj.core.data.Offset.offset(1e-15));
    }

    @Test
    void finiteClassMleIsTheBruteForceArgmax() {
        LinearInstance in = LinearInstances.byName("prop4.1b", 1, Map.of("n", 40.0, "d", 4.0));
        int n = 40;
        DataStream data = new DataStream(in.task(), new Seeds(3));
        List<DataStream.Sample> samples = new ArrayList<>();
        for (int i = 0; i < n; i++) samples.add(data.next());
        double[] best = null;
        double bestLl = Double.NEGATIVE_INFINITY;
        for (double[] m : in.theta().members().orElseThrow()) {
            double ll = 0;
            for (DataStream.Sample z : samples) ll += in.model(m).sequenceLogProb(z.prompt(), z.response());
            if (ll > bestLl + 1e-12) { bestLl = ll; best = m; }
        }
        double[] fit = ((LinearSoftmaxModel) mle.train(in, TrainingPlan.of(n), new Seeds(3), EvalCallback.NONE)).theta();
        assertThat(fit).containsExactly(best);
    }

    @Test
    void sufficientStatisticsEqualTheRawLogLikelihoodSums() {
        double worst = 0;
        for (FeatureMap phi : new FeatureMap[] {TestFeatureMaps.randomMarkov(2, 2, 4, 3, 3, 1), TestFeatureMaps.randomGeneral(3, 3, 1)}) {
            LinearSoftmaxModel data = new LinearSoftmaxModel(phi, new double[] {0.5, -0.3, 0.2});
            TokenCounts counts = new TokenCounts(data);
            List<int[][]> raw = new ArrayList<>();
            SplittableRandom rng = new SplittableRandom(4);
            for (int i = 0; i < 300; i++) {
                int[] x = {i % 2}, y = data.sample(x, 4, -1, Sampler.ANCESTRAL, rng);
                counts.add(x, y);
                raw.add(new int[][] {x, y});
            }
            double[] theta = {-0.2, 0.4, 0.1}, grad = new double[3], rawGrad = new double[3];
            double value = counts.averageLogLik(theta, grad), rawValue = 0;
            LinearSoftmaxModel m = data.withTheta(theta);
            for (int[][] z : raw) rawValue += m.addSequenceGradient(z[0], z[1], 1.0 / raw.size(), rawGrad) / raw.size();
            worst = Math.max(worst, Math.abs(value - rawValue));
            for (int k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(grad[k] - rawGrad[k]));
        }
        System.out.printf("TokenCounts vs raw sums (value and gradient): max |diff| = %.2e%n", worst);
        assertThat(worst).isLessThan(1e-12);
    }

    @Test
    void fitSatisfiesTheOptimalityConditionAndWarmStartsMatchFreshFits() {
        LinearInstance in = LinearInstances.byName("pivotal", 8, Map.of("k", 3.0));
        long[] evalAt = {50, 200, 800};
        List<double[]> warm = new ArrayList<>();
        mle.train(in, TrainingPlan.of(800, evalAt), new Seeds(5), (s, m) -> warm.add(((LinearSoftmaxModel) m).theta()));
        double worst = 0, kkt = 0;
        for (int i = 0; i < evalAt.length; i++) {
            double[] fresh = ((LinearSoftmaxModel) mle.train(in, TrainingPlan.of(evalAt[i]), new Seeds(5), EvalCallback.NONE)).theta();
            for (int k = 0; k < fresh.length; k++) worst = Math.max(worst, Math.abs(fresh[k] - warm.get(i)[k]));
            // fixed point of projected gradient ascent: Proj(theta + ∇L) = theta
            DataStream data = new DataStream(in.task(), new Seeds(5));
            TokenCounts counts = new TokenCounts(in.dataModel());
            for (long t = 0; t < evalAt[i]; t++) { DataStream.Sample z = data.next(); counts.add(z.prompt(), z.response()); }
            double[] grad = new double[in.d()], step = fresh.clone();
            counts.averageLogLik(fresh, grad);
            for (int k = 0; k < step.length; k++) step[k] += grad[k];
            in.theta().project(step);
            for (int k = 0; k < step.length; k++) kkt = Math.max(kkt, Math.abs(step[k] - fresh[k]));
        }
        System.out.printf("MLE: warm-started vs fresh fits max |diff| = %.2e, projected-gradient residual = %.2e%n", worst, kkt);
        assertThat(worst).isLessThan(1e-6);
        assertThat(kkt).isLessThan(1e-6);
        assertThat(ParameterSet.norm(warm.get(2))).isLessThanOrEqualTo(1 + 1e-12);
    }
}
