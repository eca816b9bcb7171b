package org.covlab.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.covlab.decode.Sampler;
import org.junit.jupiter.api.Test;

/** The batch sampler (Best-of-N's path) against row-by-row sampling: same tokens for the same generator state. */
class BatchSampleTest {

    private static int[][] rowByRow(AutoregressiveModel m, int[][] prompts, int H, int end, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[][] out = new int[prompts.length][];
        for (int i = 0; i < prompts.length; i++) out[i] = m.sample(prompts[i], H, end, Sampler.ANCESTRAL, rng);
        return out;
    }

    /** Runs of equal prompts (the state cache is per run) and a change of prompt in the middle. */
    private static final int[][] PROMPTS = {{0}, {0}, {0}, {1}, {1}, {0}, {2}, {2}, {2}, {2}};

    @Test void markovBatchCacheGivesTheRowByRowTokens() {
        int H = 6, V = 4;
        LinearSoftmaxModel m = new LinearSoftmaxModel(TestFeatureMaps.randomMarkov(3, 3, H, V, 5, 1.0).tabulated(3, H),
                TestFeatureMaps.randomTheta(4, 5, 3));
        for (int end : new int[] {-1, 2}) {  // fixed length, and an end token that stops some rows early
            for (long seed = 0; seed < 20; seed++) {
                int[][] batch = m.sample(PROMPTS, H, end, Sampler.ANCESTRAL, new SplittableRandom(seed));
                assertThat(batch).as("end %d seed %d", end, seed).isDeepEqualTo(rowByRow(m, PROMPTS, H, end, seed));
            }
        }
    }

    @Test void generalMapsFallBackToTheDefault() {
        LinearSoftmaxModel m = new LinearSoftmaxModel(TestFeatureMaps.randomGeneral(3, 4, 1.0), TestFeatureMaps.randomTheta(5, 4, 2));
        int[][] batch = m.sample(PROMPTS, 5, -1, Sampler.ANCESTRAL, new SplittableRandom(9));
        assertThat(batch).isDeepEqualTo(rowByRow(m, PROMPTS, 5, -1, 9));
    }
}
