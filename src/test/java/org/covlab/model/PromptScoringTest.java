package org.covlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.covlab.model.AutoregressiveModel.PromptSession;
import org.covlab.tensor.Parallel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Gpt#sequenceLogProbs(int[][], int[][][])}: each prompt run once, its responses on its keys and values
 * ({@link PromptScoring}), against every (prompt, response) scored alone by the full forward, on seeded random models.
 */
class PromptScoringTest {

    private static final Parallel TWO = new Parallel(2);

    @AfterAll static void close() {
        TWO.close();
    }

    /** seed, model width, heads, prompt length, response length: across the GEMM's 256 and the softmax's 16. */
    static Stream<int[]> cases() {
        return Stream.of(new int[] {1, 16, 2, 7, 5}, new int[] {2, 32, 4, 130, 11}, new int[] {3, 48, 2, 250, 27},
                new int[] {4, 64, 4, 300, 27}, new int[] {5, 24, 3, 33, 2}, new int[] {6, 40, 5, 17, 40});
    }

    /**
     * Responses of equal length, k = 1, 2, 4, 16 and 45 per prompt (45: several chunks of the others), each log-prob
     * equal bit for bit to the full forward on its own x ++ y, on 1 and 2 threads, and through a prompt session.
     */
    @ParameterizedTest @MethodSource("cases") void equalLengthResponsesScoreAsTheirWholeSequencesBitForBit(int[] c) {
        long seed = c[0];
        int p = c[3], m = c[4];
        GptConfig cfg = new GptConfig(11, p + m - 1, 2, c[2], c[1]);
        SplittableRandom rng = new SplittableRandom(seed);
        int[] ks = {1, 2, 4, 16, 45};
        int[][] prompts = new int[ks.length][];
        int[][][] responses = new int[ks.length][][];
        for (int i = 0; i < ks.length; i++) {
            prompts[i] = tokens(rng, cfg.vocab(), p - i % 2);            // two prompt lengths
            responses[i] = new int[ks[i]][];
            for (int k = 0; k < ks[i]; k++) responses[i][k] = tokens(rng, cfg.vocab(), m);
        }
        double[][] one = GptGradientTest.randomModel(cfg, Parallel.SERIAL, seed, 0.5).sequenceLogProbs(prompts, responses);
        Gpt m2 = GptGradientTest.randomModel(cfg, TWO, seed, 0.5);
        double[][] two = m2.sequenceLogProbs(prompts, responses);
        int differing = 0, compared = 0;
        for (int i = 0; i < ks.length; i++) {
            double[] session;
            try (PromptSession s = m2.open(prompts[i])) {
                session = s.sequenceLogProbs(responses[i]);
            }
            for (int k = 0; k < ks[i]; k++) {
                double alone = m2.sequenceLogProbs(new int[][] {prompts[i]}, new int[][] {responses[i][k]})[0];
                if (one[i][k] != alone || two[i][k] != alone || session[k] != alone) differing++;
                compared++;
            }
        }
        System.out.printf("seed %d (d %d, prompt %d, response %d): %d of %d log-probs differ from the sequence scored alone%n",
                seed, c[1], p, m, differing, compared);
        assertThat(differing).as("seed %d", seed).isZero();
    }

    /** Responses of 0 to 12 tokens to one prompt, in 1 and many chunks: within float rounding of each scored alone. */
    @Test void responsesOfMixedLengthsScoreAsTheirWholeSequences() {
        GptConfig cfg = new GptConfig(13, 60, 2, 2, 16);
        SplittableRandom rng = new SplittableRandom(7);
        double worst = 0;
        for (long seed = 1; seed <= 4; seed++) {
            Gpt m = GptGradientTest.randomModel(cfg, seed % 2 == 0 ? TWO : Parallel.SERIAL, seed, 0.5);
            int[] prompt = tokens(rng, cfg.vocab(), 20 + (int) seed * 7);
            int[][] ys = new int[(int) seed * 30][];
            for (int k = 0; k < ys.length; k++) ys[k] = tokens(rng, cfg.vocab(), rng.nextInt(13));
            double[] got = m.sequenceLogProbs(new int[][] {prompt}, new int[][][] {ys})[0];
            for (int k = 0; k < ys.length; k++) {
                double alone = m.sequenceLogProbs(new int[][] {prompt}, new int[][] {ys[k]})[0];
                worst = Math.max(worst, Math.abs(got[k] - alone));
                if (ys[k].length == 0) assertThat(got[k]).isZero();
            }
        }
        System.out.printf("responses of 0-12 tokens on a shared prompt vs each scored alone: max abs diff %.3g%n", worst);
        assertThat(worst).isLessThan(1e-5);
    }

    @Test void badInputsAreRejectedBeforeAnyWork() {
        Gpt m = GptGradientTest.randomModel(new GptConfig(13, 20, 1, 2, 8), Parallel.SERIAL, 1, 0.5);
        int[][] ok = {{1, 2, 3}};
        assertThatThrownBy(() -> m.sequenceLogProbs(ok, new int[][][] {{{1}}, {{2}}})).hasMessageContaining("1 prompts but 2");
        assertThatThrownBy(() -> m.sequenceLogProbs(ok, new int[][][] {{{1, 13}}})).hasMessageContaining("token 13 outside vocab 13");
        assertThatThrownBy(() -> m.sequenceLogProbs(ok, new int[][][] {{new int[19]}})).hasMessageContaining("exceeds ctx 20");
        assertThatThrownBy(() -> m.sequenceLogProbs(new int[][] {{}}, new int[][][] {{{1}}})).hasMessageContaining("empty");
    }

    private static int[] tokens(SplittableRandom rng, int vocab, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = rng.nextInt(vocab);
        return t;
    }
}
