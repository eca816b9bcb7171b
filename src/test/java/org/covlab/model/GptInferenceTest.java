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
        int v = CFG.vocab(), steps = 14;
        int[][] prompts = {randomTokens(rng, 23), randomTokens(rng, 9), randomTokens(rng, 1)};
        // rows share prompts (as Best-of-N copies do): 9 rows take the GEMM paths (Linear, and attention for
        // prompt 0), 3 rows and small groups the dot-product ones
        for (int[] rowGroup : new int[][] {{0, 0, 0, 0, 0, 0, 1, 1, 2}, {1, 2, 2}}) {
            for (Parallel kernels : new Parallel[] {Parallel.SERIAL, TWO}) {
                int rows = rowGroup.length;
                int[][] continuation = new int[rows][];
                for (int r = 0; r < rows; r++) continuation[r] = randomTokens(rng, steps);
                KvCache cache = new KvCache(m);
                cache.prefix(kernels, prompts);
                float[] first = cache.rows(kernels, rowGroup, steps).clone();
                double worst = 0;
                for (int g = 0; g < prompts.length; g++) {
                    if (java.util.Arrays.stream(rowGroup).noneMatch(x -> x == 0) && g == 0) continue;
                    float[] full = fullLogits(m, prompts[g], new int[0]);
                    for (int i = 0; i < v; i++) worst = Math.max(worst, Math.abs(first[g * v + i] - full[(prompts[g].length - 1) * v + i]));
                }
                float[][] steps_ = new float[steps][];
                int[] feed = new int[rows];
                for (int t = 0; t < steps; t++) {
                    for (int r = 0; r < rows; r++) feed[r] = continuation[r][t];
                    steps_[t] = cache.step(feed).clone();
                }
                for (int r = 0; r < rows; r++) {
                    int[] p = prompts[rowGroup[r]];
                    float[] full = fullLogits(m, p, continuation[r]);
                    for (int t = 0; t < steps; t++) {
                        for (int i = 0; i < v; i++) worst = Math.max(worst, Math.abs(steps_[t][r * v + i] - full[(p.length + t) * v + i]));
                    }
                }
                System.out.printf("KV cache (shared prefixes, %d rows, %d threads) vs full forward logits: max abs diff %.3g%n",
                        rows, kernels.threads(), worst);
                assertThat(worst).isLessThan(1e-5);
            }
        }
    }

    /** Logits of one full forward over prompt ++ tokens. // (len, vocab) */
    private static float[] fullLogits(Gpt m, int[] prompt, int[] tokens) {
        int[] all = java.util.Arrays.copyOf(prompt, prompt.length + tokens.length);
        System.arraycopy(tokens, 0, all, prompt.length, tokens.length);
        m.forward(all, 1, all.length);
        return m.logits().clone();
    }

    @Test void bestOfNCopiesSampleAsTheDefinitionSaysForAnyThreadCount() {
        // Copies of two prompts (one group larger than a decoding chunk), plus a few single prompts.
        SplittableRandom rng = new SplittableRandom(5);
        int[] a = randomTokens(rng, 17), b = randomTokens(rng, 4);
        int n = KvSampling.MAX_ROWS + 40;
        int[][] prompts = new int[n][];
        for (int i = 0; i < n; i++) prompts[i] = i < KvSampling.MAX_ROWS + 20 ? a : i % 3 == 0 ? randomTokens(rng, 1 + i % 7) : b;
        int maxLength = 6, end = 2;
        Gpt two = GptGradientTest.randomModel(CFG, TWO, 24, 0.5);
        Gpt one = GptGradientTest.randomModel(CFG, Parallel.SERIAL, 24, 0.5);
        int[][] y2 = two.sample(prompts, maxLength, end, Sampler.ANCESTRAL, new SplittableRandom(7));
        int[][] y1 = one.sample(prompts, maxLength, end, Sampler.ANCESTRAL, new SplittableRandom(7));
        assertThat(y2).isDeepEqualTo(y1);
        // The definition: row i draws token by token from the full forward's next-token law with its own generator,
        // seeded from the caller's generator in prompt order.
        SplittableRandom seeds = new SplittableRandom(7);
        int differ = 0, checked = 0;
        for (int i = 0; i < n; i++) {
            SplittableRandom rowRng = new SplittableRandom(seeds.nextLong());
            if (i % 9 != 0 && i < n - 20) continue;            // the definition is slow: check a spread of rows
            int[] y = new int[0];
            while (y.length < maxLength && (y.length == 0 || y[y.length - 1] != end)) {
                int next = Sampler.ANCESTRAL.sample(one.nextTokenLogProbs(prompts[i], y), rowRng);
                y = java.util.Arrays.copyOf(y, y.length + 1);
                y[y.length - 1] = next;
            }
            checked++;
            if (!java.util.Arrays.equals(y, y1[i])) differ++;
        }
        System.out.printf("batched KV-cache sampling vs token-by-token full-forward sampling: %d of %d responses differ%n", differ, checked);
        assertThat(differ).isZero();
    }

    @Test void scoringPassGivesTheTrainingForwardsLogSoftmaxBitForBitForAnyThreadCount() {
        SplittableRandom rng = new SplittableRandom(3);
        // (batch, seq): many tasks of several sequences, fewer tasks than threads, and few rows (dot products)
        for (int[] shape : new int[][] {{9, CFG.ctx()}, {1, CFG.ctx()}, {200, 3}, {2, 1}}) {
            int b = shape[0], t = shape[1], v = CFG.vocab();
            int[] tokens = randomTokens(rng, b * t), targets = randomTokens(rng, b * t);
            for (Parallel pool : new Parallel[] {Parallel.SERIAL, TWO}) {
                Gpt m = GptGradientTest.randomModel(CFG, pool, 23, 0.3);
                m.forward(tokens, b, t);
                float[] logits = m.logits().clone();
                double[] expected = new double[b * t];
                for (int i = 0; i < b * t; i++) {
                    expected[i] = (double) logits[i * v + targets[i]] - org.covlab.tensor.Softmax.logSumExp(logits, i * v, v);
                }
                assertThat(m.targetLogProbs(tokens, targets, b, t)).as("batch %d seq %d threads %d", b, t, pool.threads())
                        .containsExactly(expected);
                assertThat(m.logits()).as("the training pass's logits are left alone").containsExactly(logits);
            }
        }
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
