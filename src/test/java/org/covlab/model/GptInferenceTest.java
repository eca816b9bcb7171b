package org.covlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.covlab.decode.Sampler;
import org.covlab.tensor.Parallel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Scoring and sampling: KV-cache logits vs the full forward, batch vs one-by-one scoring, reproducible samples. */
class GptInferenceTest {

    private static final Parallel TWO = new Parallel(2);
    private static final GptConfig CFG = new GptConfig(13, 40, 2, 2, 16);

    @AfterAll static void close() {
        TWO.close();
    }

    private static int[] randomTokens(SplittableRandom rng, int n) {
        int[] x = new int[n];
        for (int i = 0; i < n; i++) x[i] = rng.nextInt(CFG.vocab());
        return x;
    }

    @Test void kvCacheLogitsEqualFullForwardLogits() {
        Gpt m = GptGradientTest.randomModel(CFG, TWO, 21, 0.3);
        SplittableRandom rng = new SplittableRandom(1);
        int rows = 3, seq = 37, v = CFG.vocab();
        int[] tokens = randomTokens(rng, rows * seq);
        m.forward(tokens, rows, seq);
        float[] full = m.logits().clone();
        KvCache cache = new KvCache(m, KvCache.Weights.of(m), TWO, 4);
        cache.reset(rows);
        double worst = 0;
        int[] feed = new int[rows];
        for (int t = 0; t < seq; t++) {
            for (int b = 0; b < rows; b++) feed[b] = tokens[b * seq + t];
            float[] step = cache.step(feed);
            for (int b = 0; b < rows; b++) {
                for (int i = 0; i < v; i++) worst = Math.max(worst, Math.abs(step[b * v + i] - full[(b * seq + t) * v + i]));
            }
        }
        System.out.printf("KV-cache vs full forward logits over %d positions: max abs diff %.3g%n", rows * seq, worst);
        assertThat(worst).isLessThan(1e-5);
    }

    @Test void batchScoringEqualsOneByOneAndTheDefinition() {
        Gpt m = GptGradientTest.randomModel(CFG, TWO, 22, 0.3);
        SplittableRandom rng = new SplittableRandom(2);
        int n = 45;                                         // more than one scoring batch, ragged lengths
        int[][] prompts = new int[n][], responses = new int[n][];
        for (int i = 0; i < n; i++) {
            prompts[i] = randomTokens(rng, 1 + rng.nextInt(20));
            responses[i] = randomTokens(rng, rng.nextInt(15));
        }
        double[][] batch = m.tokenLogProbs(prompts, responses);
        double[] seqBatch = m.sequenceLogProbs(prompts, responses);
        double worstSingle = 0, worstDefinition = 0;
        for (int i = 0; i < n; i++) {
            double[] single = m.tokenLogProbs(prompts[i], responses[i]);
            assertThat(batch[i]).hasSameSizeAs(responses[i]);
            double sum = 0;
            for (int h = 0; h < single.length; h++) {
                worstSingle = Math.max(worstSingle, Math.abs(single[h] - batch[i][h]));
                sum += batch[i][h];
            }
            worstSingle = Math.max(worstSingle, Math.abs(sum - seqBatch[i]));
            if (i < 4) {                                     // the interface's own definition, token by token
                double[] byDefinition = AutoregressiveModelDefaults.tokenLogProbs(m, prompts[i], responses[i]);
                for (int h = 0; h < single.length; h++) worstDefinition = Math.max(worstDefinition, Math.abs(byDefinition[h] - single[h]));
            }
        }
        System.out.printf("batch vs one-by-one scoring: max abs diff %.3g; vs nextTokenLogProbs definition %.3g%n",
                worstSingle, worstDefinition);
        assertThat(worstSingle).isLessThan(1e-4);
        assertThat(worstDefinition).isLessThan(1e-4);
    }

    @Test void samplingIsReproducibleForAnyThreadCountStopsAtEndTokenAndFollowsGreedy() {
        Gpt m = GptGradientTest.randomModel(CFG, TWO, 23, 0.5);
        SplittableRandom rng = new SplittableRandom(3);
        int n = 70, maxLength = 9, end = 4;                 // more prompts than one decoding group
        int[][] prompts = new int[n][];
        for (int i = 0; i < n; i++) prompts[i] = randomTokens(rng, 1 + rng.nextInt(12));
        int[][] a = m.sample(prompts, maxLength, end, Sampler.ANCESTRAL, new SplittableRandom(99));
        int[][] b = m.sample(prompts, maxLength, end, Sampler.ANCESTRAL, new SplittableRandom(99));
        assertThat(a).isDeepEqualTo(b);
        Gpt serial = GptGradientTest.randomModel(CFG, Parallel.SERIAL, 23, 0.5);   // same weights, one thread
        assertThat(serial.sample(prompts, maxLength, end, Sampler.ANCESTRAL, new SplittableRandom(99))).isDeepEqualTo(a);
        for (int[] y : a) {
            assertThat(y.length).isBetween(1, maxLength);
            for (int i = 0; i < y.length - 1; i++) assertThat(y[i]).isNotEqualTo(end);
            if (y.length < maxLength) assertThat(y[y.length - 1]).isEqualTo(end);
        }
        // Greedy decoding with the cache picks the argmax of the full-forward next-token distribution.
        for (int i = 0; i < 5; i++) {
            int[] greedy = m.sample(prompts[i], maxLength, -1, Sampler.ARGMAX, rng);
            assertThat(greedy).hasSize(maxLength);
            for (int h = 0; h < greedy.length; h++) {
                double[] lp = m.nextTokenLogProbs(prompts[i], java.util.Arrays.copyOf(greedy, h));
                assertThat(Sampler.ARGMAX.sample(lp, rng)).isEqualTo(greedy[h]);
            }
        }
    }

    @Test void tooLongInputsAreRejectedWithAClearMessage() {
        Gpt m = new Gpt(CFG, Parallel.SERIAL);
        assertThatThrownBy(() -> m.tokenLogProbs(new int[][] {new int[30]}, new int[][] {new int[12]}))
                .hasMessageContaining("ctx");
        assertThatThrownBy(() -> m.sample(new int[30], 12, -1, Sampler.ARGMAX, new SplittableRandom(1)))
                .hasMessageContaining("ctx");
        assertThatThrownBy(() -> m.forward(new int[] {13}, 1, 1)).hasMessageContaining("vocab");
    }

    /** Calls AutoregressiveModel's default methods (token-by-token teacher forcing), bypassing Gpt's overrides. */
    private static final class AutoregressiveModelDefaults implements AutoregressiveModel {
        private final Gpt model;

        private AutoregressiveModelDefaults(Gpt model) { this.model = model; }

        static double[] tokenLogProbs(Gpt m, int[] prompt, int[] response) {
            return new AutoregressiveModelDefaults(m).tokenLogProbs(prompt, response);
        }

        @Override public int vocabSize() { return model.vocabSize(); }

        @Override public double[] nextTokenLogProbs(int[] prompt, int[] prefix) { return model.nextTokenLogProbs(prompt, prefix); }
    }
}
