package org.covlab.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.covlab.metric.LogRatioRecord;
import org.covlab.model.LinearSoftmaxModel;
import org.covlab.model.LogSpace;
import org.covlab.model.MarkovFeatureMap;
import org.covlab.model.SequenceEnumeration;
import org.junit.jupiter.api.Test;

class LinearInstancesTest {

    /** A small horizon per instance so V^H stays enumerable. */
    static int smallH(String name) { return name.equals("prop4.1a") ? 3 : 5; }

    @Test
    void everyInstanceIsRealizableBoundedAndNormalised() {
        for (String name : LinearInstances.NAMES) {
            int H = smallH(name);
            LinearInstance in = LinearInstances.byName(name, H);
            assertThat(in.theta().contains(in.thetaStar(), 1e-9)).as(name).isTrue();
            // Assumption 2.2: ||phi|| <= B at every state
            MarkovFeatureMap phi = (MarkovFeatureMap) in.features();
            double maxNorm = 0;
            for (int[] x : in.promptTokens())
                for (int h = 0; h < H; h++)
                    for (int prev = (h == 0 ? MarkovFeatureMap.START : 0); prev < (h == 0 ? 0 : phi.vocabSize()); prev++)
                        for (int c = 0; c < phi.vocabSize(); c++) {
                            double[] f = new double[in.d()];
                            phi.markovFeatures(x, h, prev, c, f);
                            double n = 0;
                            for (double v : f) n += v * v;
                            maxNorm = Math.max(maxNorm, Math.sqrt(n));
                        }
            assertThat(maxNorm).as(name + " ||phi|| <= B").isLessThanOrEqualTo(in.B() + 1e-12);
            double mu = 0;
            for (double w : in.task().groupWeights().values()) mu += w;
            assertThat(mu).as(name).isCloseTo(1, offset(1e-12));
            for (Prompt x : in.task().prompts()) {
                List<WeightedResponse> support = in.task().support(x).orElseThrow();
                double[] logs = support.stream().mapToDouble(WeightedResponse::logProb).toArray();
                assertThat(LogSpace.logSumExp(logs)).as(name + " support mass").isCloseTo(0, offset(1e-12));
                WeightedResponse w = support.get(support.size() / 2);
                assertThat(in.task().logProbData(x, w.tokens())).isEqualTo(w.logProb());
            }
        }
    }

    @Test
    void exactQuantitiesByDpMatchEnumerationOnEveryInstance() {
        double worst = 0;
        for (String name : LinearInstances.NAMES) {
            int H = smallH(name);
            LinearInstance in = LinearInstances.byName(name, H);
            double[] theta = new double[in.d()];
            SplittableRandom r = new SplittableRandom(name.hashCode());
            for (int k = 0; k < theta.length; k++) theta[k] = (r.nextDouble() - 0.5) / Math.sqrt(in.d());
            LinearSoftmaxModel q = in.model(theta);
            double klEnum = 0, ceEnum = 0, sigmaEnum = 0;
            List<int[]> xs = in.promptTokens();
            for (int i = 0; i < xs.size(); i++) {
                double mu = in.task().mass(i);
                klEnum += mu * SequenceEnumeration.sequenceKl(in.dataModel(), q, xs.get(i), H);
                ceEnum += mu * SequenceEnumeration.crossEntropy(in.dataModel(), q, xs.get(i), H);
                sigmaEnum += mu * SequenceEnumeration.sigmaStarSq(in.dataModel(), xs.get(i), H);
            }
            double profile = 0;
            for (double v : in.tokenKlProfile(q)) profile += v;
            worst = Math.max(worst, Math.abs(in.sequenceKl(q) - klEnum) / Math.max(1, klEnum));
            worst = Math.max(worst, Math.abs(profile - klEnum) / Math.max(1, klEnum));
            worst = Math.max(worst, Math.abs(in.crossEntropy(q) - ceEnum) / Math.max(1, ceEnum));
            worst = Math.max(worst, Math.abs(in.sigmaStarSq() - sigmaEnum) / Math.max(1, sigmaEnum));
        }
        System.out.printf("LinearInstance DP vs enumeration on all instances: max relative diff = %.2e%n", worst);
        assertThat(worst).isLessThan(1e-10);
    }

    @Test
    void closedFormsOfSigmaStarAndPiD() {
        // Bernoulli: H i.i.d. tokens, phi = B 1[y=1]: sigma*^2 = H B^2 p (1 - p)
        LinearInstance ber = LinearInstances.byName("bernoulli", 7, Map.of("p", 0.1, "B", 3.0));
        assertThat(ber.sigmaStarSq()).isCloseTo(7 * 9 * 0.1 * 0.9, offset(1e-12));
        // Prop. 3.2: only x = 1 (mass 1/(2n)) has features B y_h: sigma*^2 = H B^2 (1 - tanh^2(B theta*)) / (2n)
        LinearInstance p32 = LinearInstances.byName("prop3.2", 16, Map.of("n", 50.0, "B", 2.0, "thetaStar", 0.5));
        assertThat(p32.sigmaStarSq()).isCloseTo(16 * 4 * (1 - Math.pow(Math.tanh(1.0), 2)) / 100, offset(1e-12));
        // Prop. I.1: sigma*^2 = B^2 Σ_h (1 - tanh^2(B / sqrt H)) ≍ H B^2
        LinearInstance pi1 = LinearInstances.byName("propI.1", 64, Map.of("B", 2.0));
        assertThat(pi1.sigmaStarSq()).isCloseTo(64 * 4 * (1 - Math.pow(Math.tanh(2 / 8.0), 2)), offset(1e-9));
        // Prop. 4.1(a): pi_D(class 1) = 4n / (d - 1 + 4n)
        LinearInstance a = LinearInstances.byName("prop4.1a", 1, Map.of("n", 40.0, "d", 10.0));
        double p0 = Math.exp(a.dataModel().nextTokenLogProbs(new int[] {0}, new int[0])[0]);
        assertThat(p0).isCloseTo(160.0 / 169, offset(1e-12));
        assertThat(a.B()).isCloseTo(Math.log(200), offset(1e-12));
    }

    @Test
    void prop41bIsTheReconstructedFiniteClass() {
        int n = 200, d = 6;
        double N = 16;
        LinearInstance b = LinearInstances.byName("prop4.1b", 1, Map.of("n", (double) n, "d", (double) d, "N", N));
        List<double[]> members = b.theta().members().orElseThrow();
        assertThat(members).hasSize((1 << d) + 1);
        double q = d / (8.0 * n * Math.log(2 * N)), delta = Math.sqrt((double) d / n) / 4;
        double[] pD = probs(b.dataModel(), 2);
        assertThat(pD[2]).isCloseTo(q, offset(1e-12));
        assertThat(pD[0]).isCloseTo(pD[1], offset(1e-12));
        for (double[] m : List.of(members.get(1), members.get(members.size() - 1))) {
            double[] p = probs(b.model(m), 2);
            assertThat(pD[2] / p[2]).isCloseTo(2 * N, offset(1e-9));            // the coverage gap on the rare token
            assertThat(Math.abs(p[0] / (p[0] + p[1]) - 0.5)).isCloseTo(delta, offset(1e-12));
            assertThat(org.covlab.model.ParameterSet.norm(m)).isLessThanOrEqualTo(1 + 1e-12);
        }
    }

    @Test
    void pivotalHasSmallSigmaAndARuleVerifier() {
        LinearInstance p = LinearInstances.byName("pivotal", 128);
        assertThat(p.sigmaStarSq()).isLessThan(0.05 * p.B() * p.B() * p.H());
        Prompt x = p.task().prompts().get(0);
        int[] mode = p.task().sampleResponse(x, new SplittableRandom(3));
        int[] y = new int[128];
        for (int h = 1; h < 128; h++) y[h] = (y[h - 1] + 1) % 4;   // the rule everywhere
        assertThat(p.task().verifier().accepts(x, y)).isTrue();
        y[5] = (y[5] + 2) % 4;                                      // position 5 is not a pivot (pivots 0, 32, 64, 96)
        assertThat(p.task().verifier().accepts(x, y)).isFalse();
        assertThat(mode).hasSize(128);
    }

    @Test
    void prop51KeepsSigmaStarBelowOneWithoutScalePrompts() {
        for (int H : new int[] {8, 32, 128}) {
            LinearInstance in = LinearInstances.byName("prop5.1", H, Map.of("scaleMass", 0.0));
            assertThat(in.sigmaStarSq()).as("H=" + H).isLessThan(1.0);
            assertThat(in.task().prompts()).hasSize(2);
        }
        assertThat(LinearInstances.byName("prop5.1", 32).task().prompts().size()).isGreaterThan(4);
    }

    @Test
    void exactRecordsGiveTheKlAndMonteCarloRecordsAgree() {
        LinearInstance small = LinearInstances.byName("prop3.2", 6, Map.of("n", 2.0));
        LinearSoftmaxModel q = small.model(new double[] {-0.3});
        List<LogRatioRecord> exact = small.records(q, 1, new SplittableRandom(1));
        double w = 0, kl = 0;
        for (LogRatioRecord r : exact) { w += r.weight(); kl += r.weight() * r.logRatio(); }
        assertThat(w).isCloseTo(1, offset(1e-12));
        assertThat(kl).isCloseTo(small.sequenceKl(q), offset(1e-12));

        LinearInstance big = LinearInstances.byName("pivotal", 64);   // 4^64 responses: Monte Carlo
        double[] theta = big.thetaStar();
        theta[0] *= 0.7;
        LinearSoftmaxModel m = big.model(theta);
        int samples = 4000;
        List<LogRatioRecord> mc = big.records(m, samples, new SplittableRandom(2));
        assertThat(mc).hasSize(samples);
        double mean = 0, sq = 0;
        for (LogRatioRecord r : mc) { mean += r.logRatio() / samples; sq += r.logRatio() * r.logRatio() / samples; }
        double se = Math.sqrt((sq - mean * mean) / samples), exactKl = big.sequenceKl(m);
        System.out.printf("pivotal H=64: Monte Carlo KL %.4f ± %.4f vs exact %.4f%n", mean, se, exactKl);
        assertThat(Math.abs(mean - exactKl)).isLessThan(4 * se);
    }

    @Test
    void registryRejectsUnknownNamesAndParameters() {
        assertThatThrownBy(() -> LinearInstances.byName("nope", 4)).hasMessageContaining("known");
        assertThatThrownBy(() -> LinearInstances.byName("prop3.2", 4, Map.of("m", 1.0))).hasMessageContaining("'m'");
        assertThat(LinearInstances.byName("PROP3.2", 4).params()).containsEntry("n", 100.0);
        assertThatThrownBy(() -> LinearInstances.byName("bernoulli", 4, Map.of("p", 0.001, "B", 2.0)))
                .hasMessageContaining("logit");
    }

    static double[] probs(LinearSoftmaxModel m, int prompt) {
        double[] lp = m.nextTokenLogProbs(new int[] {prompt}, new int[0]);
        double[] p = new double[lp.length];
        for (int i = 0; i < p.length; i++) p[i] = Math.exp(lp[i]);
        return p;
    }
}
