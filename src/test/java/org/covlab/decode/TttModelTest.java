package org.covlab.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.covlab.model.FeatureMap;
import org.covlab.model.LinearSoftmaxModel;
import org.covlab.model.ParameterSet;
import org.covlab.model.SequenceEnumeration;
import org.covlab.model.TestFeatureMaps;
import org.junit.jupiter.api.Test;

class TttModelTest {

    @Test
    void sequenceLawSumsToOneOverTheEnumeratedSupport() {
        double worst = 0;
        for (FeatureMap phi : new FeatureMap[] {TestFeatureMaps.randomMarkov(1, 2, 5, 3, 3, 1.5), TestFeatureMaps.randomGeneral(3, 3, 1.5)}) {
            for (double eta : new double[] {0.1, 1.0, 5.0}) {
                TttModel ttt = new TttModel(new LinearSoftmaxModel(phi, new double[] {0.4, -0.3, 0.2}), eta, ParameterSet.UNIT_BALL);
                for (int x = 0; x < 2; x++) worst = Math.max(worst, Math.abs(1 - SequenceEnumeration.totalMass(ttt, new int[] {x}, 5)));
            }
        }
        System.out.printf("pi^TTT normalisation over V^H (H=5, |V|=3): max |1 - Σ_y| = %.2e%n", worst);
        assertThat(worst).isLessThan(1e-12);
    }

    @Test
    void onePassLogProbEqualsReplayingEachPrefixAndDiffersFromTheBase() {
        LinearSoftmaxModel base = new LinearSoftmaxModel(TestFeatureMaps.randomMarkov(2, 1, 6, 3, 2, 2), new double[] {0.5, 0.1});
        TttModel ttt = new TttModel(base, 0.5, ParameterSet.UNIT_BALL);
        int[] x = {0}, y = {2, 0, 1, 1, 2, 0};
        double[] fast = ttt.tokenLogProbs(x, y);
        for (int h = 0; h < y.length; h++) assertThat(fast[h]).isEqualTo(ttt.nextTokenLogProbs(x, Arrays.copyOf(y, h))[y[h]]);
        assertThat(fast[0]).isEqualTo(base.tokenLogProbs(x, y)[0]);              // nothing adapted yet
        assertThat(ttt.sequenceLogProb(x, y)).isNotEqualTo(base.sequenceLogProb(x, y));
        assertThat(new TttModel(base, 0, ParameterSet.UNIT_BALL).tokenLogProbs(x, y)).containsExactly(base.tokenLogProbs(x, y));
    }

    @Test
    void sampleTttFollowsLogprobTtt() {
        LinearSoftmaxModel base = new LinearSoftmaxModel(TestFeatureMaps.randomMarkov(3, 1, 3, 2, 2, 1.5), new double[] {0.2, -0.6});
        TttModel ttt = new TttModel(base, 2.0, ParameterSet.UNIT_BALL);
        int draws = 40_000;
        int[] counts = new int[8];
        SplittableRandom rng = new SplittableRandom(5);
        for (int i = 0; i < draws; i++) {
            int[] y = ttt.sample(new int[] {0}, 3, -1, Sampler.ANCESTRAL, rng);
            counts[4 * y[0] + 2 * y[1] + y[2]]++;
        }
        double worstZ = 0;
        for (int c = 0; c < 8; c++) {
            double p = Math.exp(ttt.sequenceLogProb(new int[] {0}, new int[] {c / 4, c / 2 % 2, c % 2}));
            worstZ = Math.max(worstZ, Math.abs(counts[c] - draws * p) / Math.sqrt(draws * p * (1 - p)));
        }
        System.out.printf("sample_TTT vs logprob_TTT: max |z| over 8 sequences = %.2f%n", worstZ);
        assertThat(worstZ).isLessThan(4.5);
    }
}
