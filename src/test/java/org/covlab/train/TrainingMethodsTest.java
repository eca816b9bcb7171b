package org.covlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.covlab.decode.TttModel;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.LinearSoftmaxModel;
import org.covlab.model.ParameterSet;
import org.covlab.task.LinearInstance;
import org.covlab.task.LinearInstances;
import org.covlab.util.Seeds;
import org.junit.jupiter.api.Test;

class TrainingMethodsTest {

    final LinearInstance pivotal = LinearInstances.byName("pivotal", 8, Map.of("k", 3.0));

    static double[] thetaOf(AutoregressiveModel m) {
        return m instanceof TttModel t ? t.base().theta() : ((LinearSoftmaxModel) m).theta();
    }

    @Test
    void registryHasTheSixNamesAndRejectsUnknownOnes() {
        assertThat(TrainingMethods.NAMES).containsExactly("mle", "sgd", "normalized-sgd", "sign-sgd", "token-sgd-ttt", "distill-truncated");
        for (String n : TrainingMethods.NAMES) assertThat(TrainingMethods.byName(n).name()).isEqualTo(n);
        assertThatThrownBy(() -> TrainingMethods.byName("adam")).hasMessageContaining("known");
        assertThatThrownBy(() -> TrainingMethods.byName("sgd", Map.of("lambda", 1.0))).hasMessageContaining("'lambda'");
        assertThatThrownBy(() -> TrainingMethods.byName("sgd", Map.of("eta", -1.0))).hasMessageContaining("> 0");
    }

    @Test
    void callbacksFireInOrderAndRunsAreDeterministic() {
        long[] evalAt = {0, 5, 37, 100};
        for (String n : TrainingMethods.NAMES) {
            TrainingMethod m = TrainingMethods.byName(n);
            TrainingPlan plan = TrainingPlan.of(100, evalAt);
            int K = (int) Math.round(m.settings(pivotal, plan).getOrDefault("batch", 1.0));
            List<Long> seen = new ArrayList<>();
            AutoregressiveModel a = m.train(pivotal, plan, new Seeds(3), (s, model) -> seen.add(s));
            assertThat(seen).as(n).hasSize(evalAt.length);
            for (int i = 0; i < evalAt.length; i++) {
                if (evalAt[i] + K <= 100) assertThat(seen.get(i)).as(n).isBetween(evalAt[i], evalAt[i] + K - 1);
                else assertThat(seen.get(i)).as(n).isEqualTo(100 / K * K);
            }
            AutoregressiveModel b = m.train(pivotal, plan, new Seeds(3), EvalCallback.NONE);
            AutoregressiveModel c = m.train(pivotal, plan, new Seeds(4), EvalCallback.NONE);
            assertThat(thetaOf(b)).as(n).containsExactly(thetaOf(a));
            assertThat(thetaOf(c)).as(n).isNotEqualTo(thetaOf(a));
            assertThat(klOf(a)).as(n + " learns").isLessThan(klOf(pivotal.model(new double[pivotal.d()])));
        }
    }

    /** Exact KL; the TTT model is not Markov, so its KL is the mean log-ratio over 4000 pi_D samples. */
    double klOf(AutoregressiveModel m) {
        if (!(m instanceof TttModel)) return pivotal.sequenceKl(m);
        double s = 0;
        var recs = pivotal.records(m, 4000, new Seeds(0).stream("eval"));
        for (var r : recs) s += r.weight() * r.logRatio();
        return s;
    }

    @Test
    void oneStepOfEachMethodIsItsEquation() {
        int K = 3;
        Seeds seeds = new Seeds(11);
        DataStream data = new DataStream(pivotal.task(), seeds);
        List<DataStream.Sample> batch = new ArrayList<>();
        for (int i = 0; i < K; i++) batch.add(data.next());
        LinearSoftmaxModel zero = pivotal.model(new double[pivotal.d()]);
        double[] g = new double[pivotal.d()];            // ĝ at theta = 0
        for (DataStream.Sample z : batch) zero.addSequenceGradient(z.prompt(), z.response(), 1.0 / K, g);
        double eta = 0.3, lambda = 2;

        double[] g1 = new double[pivotal.d()];
        zero.addSequenceGradient(batch.get(0).prompt(), batch.get(0).response(), 1.0, g1);
        double[] sgd = step(g1, eta);                     // Eq. 14: K = 1, the first sample only
        expect("sgd", Map.of("eta", eta), 1, sgd, seeds);
        expect("normalized-sgd", Map.of("eta", eta, "lambda", lambda, "batch", (double) K), K,
                step(g, eta / (lambda + ParameterSet.norm(g))), seeds);     // Eq. 18
        double[] sign = new double[g.length];
        for (int k = 0; k < g.length; k++) sign[k] = eta * Math.signum(g[k]);
        pivotal.theta().project(sign);
        expect("sign-sgd", Map.of("eta", eta, "batch", (double) K), K, sign, seeds);   // Eq. 20 (+ projection)

        double[] token = new double[pivotal.d()];         // Eq. 21: a step per token, carried over
        DataStream.Sample z = batch.get(0);
        for (int h = 0; h < z.response().length; h++) {
            pivotal.model(token).addTokenGradient(z.prompt(), z.response(), h, z.response()[h], eta, token);
            pivotal.theta().project(token);
        }
        expect("token-sgd-ttt", Map.of("eta", eta), 1, token, seeds);
        // training is TTT decoding on training data without the reset: theta_{t,H} = vartheta_TTT(x, y; theta_t)
        assertThat(new TttModel(zero, eta, pivotal.theta()).adaptedTheta(z.prompt(), z.response())).containsExactly(token);

        double A = Math.log(16);                          // Eq. 26 with alpha from Eq. 25
        expect("distill-truncated", Map.of("eta", eta, "N", 16.0), 1,
                step(DistillTruncated.truncatedGradient(pivotal.dataModel(), zero, z.prompt(), z.response(), A), eta), seeds);
    }

    void expect(String method, Map<String, Double> settings, int samples, double[] expected, Seeds seeds) {
        AutoregressiveModel m = TrainingMethods.byName(method, settings).train(pivotal, TrainingPlan.of(samples), seeds, EvalCallback.NONE);
        double[] got = thetaOf(m);
        double worst = 0;
        for (int k = 0; k < got.length; k++) worst = Math.max(worst, Math.abs(got[k] - expected[k]));
        assertThat(worst).as(method).isLessThan(1e-14);
    }

    double[] step(double[] g, double eta) {
        double[] t = new double[g.length];
        for (int k = 0; k < g.length; k++) t[k] = eta * g[k];
        pivotal.theta().project(t);
        return t;
    }

    @Test
    void averageIterateIsTheMeanOfTheIterates() {
        TrainingMethod sgd = TrainingMethods.byName("sgd", Map.of("eta", 0.05));
        int n = 40;
        long[] every = new long[n + 1];
        for (int i = 0; i <= n; i++) every[i] = i;
        double[] mean = new double[pivotal.d()];
        sgd.train(pivotal, TrainingPlan.of(n, every), new Seeds(2), (s, m) -> {
            double[] t = thetaOf(m);
            for (int k = 0; k < t.length; k++) mean[k] += t[k] / (n + 1);
        });
        double[] avg = thetaOf(sgd.train(pivotal, new TrainingPlan(n, new long[0], TrainingPlan.Iterate.AVERAGE), new Seeds(2), EvalCallback.NONE));
        for (int k = 0; k < mean.length; k++) assertThat(avg[k]).isCloseTo(mean[k], org.assertj.core.data.Offset.offset(1e-14));
    }

    @Test
    void gradientMethodsRefuseAFiniteClass() {
        LinearInstance finite = LinearInstances.byName("prop4.1b", 1);
        assertThatThrownBy(() -> TrainingMethods.byName("sgd").train(finite, TrainingPlan.of(10), new Seeds(1), EvalCallback.NONE))
                .hasMessageContaining("finite class");
    }

    @Test
    void prop51LargeConstantStepsLockIntoTheTwoCycleAndSmallOnesConverge() {
        LinearInstance in = LinearInstances.byName("prop5.1", 8, Map.of("scaleMass", 0.0));
        double locked = in.sequenceKl(TrainingMethods.byName("sgd", Map.of("eta", 0.3))
                .train(in, TrainingPlan.of(500), new Seeds(1), EvalCallback.NONE));
        double converged = in.sequenceKl(TrainingMethods.byName("sgd", Map.of("eta", 0.03))
                .train(in, TrainingPlan.of(500), new Seeds(1), EvalCallback.NONE));
        System.out.printf("prop5.1 H=8 after 500 samples: KL = %.3g at eta 0.3, %.3g at eta 0.03%n", locked, converged);
        assertThat(locked).isGreaterThan(1);
        assertThat(converged).isLessThan(0.01);
    }
}
