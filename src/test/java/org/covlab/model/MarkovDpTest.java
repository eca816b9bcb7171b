package org.covlab.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The DP over (h, previous token) against plain enumeration of V^H, on random Markov maps. */
class MarkovDpTest {

    @Test
    void dynamicProgrammeMatchesEnumeration() {
        int H = 5, V = 3, d = 3;
        double worst = 0;
        for (long seed = 1; seed <= 4; seed++) {
            MarkovFeatureMap phi = TestFeatureMaps.randomMarkov(seed, 2, H, V, d, 1.5);
            LinearSoftmaxModel p = new LinearSoftmaxModel(phi, TestFeatureMaps.randomTheta(seed * 10, d, 1));
            LinearSoftmaxModel q = new LinearSoftmaxModel(phi, TestFeatureMaps.randomTheta(seed * 10 + 1, d, 1));
            for (int x = 0; x < 2; x++) {
                int[] prompt = {x};
                double[] klDp = MarkovDp.tokenKlProfile(p, q, prompt, H), klEnum = SequenceEnumeration.tokenKlProfile(p, q, prompt, H);
                for (int h = 0; h < H; h++) worst = Math.max(worst, Math.abs(klDp[h] - klEnum[h]));
                worst = Math.max(worst, Math.abs(MarkovDp.sum(klDp) - SequenceEnumeration.sequenceKl(p, q, prompt, H)));
                worst = Math.max(worst, Math.abs(MarkovDp.sum(MarkovDp.crossEntropyProfile(p, q, prompt, H))
                        - SequenceEnumeration.crossEntropy(p, q, prompt, H)));
                // sigma*^2: the DP sums conditional feature variances; the reference is E||∇ log p(y|x)||^2
                worst = Math.max(worst, Math.abs(MarkovDp.sum(MarkovDp.sigmaStarSqProfile(p, prompt, H))
                        - SequenceEnumeration.sigmaStarSq(p, prompt, H)));
                assertThat(SequenceEnumeration.totalMass(p, prompt, H)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
            }
        }
        System.out.printf("MarkovDp vs enumeration (KL profile, KL, CE, sigma*^2): max |diff| = %.2e%n", worst);
        assertThat(worst).isLessThan(1e-10);
    }

    @Test
    void klIsZeroForTheSameModelAndPositiveOtherwise() {
        MarkovFeatureMap phi = TestFeatureMaps.randomMarkov(5, 1, 4, 3, 2, 1);
        LinearSoftmaxModel p = new LinearSoftmaxModel(phi, new double[] {0.3, -0.2});
        assertThat(MarkovDp.sum(MarkovDp.tokenKlProfile(p, p, new int[] {0}, 4))).isEqualTo(0.0);
        LinearSoftmaxModel q = p.withTheta(new double[] {-0.3, 0.2});
        assertThat(MarkovDp.sum(MarkovDp.tokenKlProfile(p, q, new int[] {0}, 4))).isGreaterThan(1e-3);
    }
}
