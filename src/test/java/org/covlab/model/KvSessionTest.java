package org.covlab.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.covlab.decode.Sampler;
import org.covlab.model.AutoregressiveModel.PrefixTest;
import org.covlab.model.AutoregressiveModel.PromptSession;
import org.covlab.tensor.Parallel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Gpt#open}: a session's batches against {@link Gpt#sample(int[][], int, int, Sampler, RandomGenerator)} on
 * as many copies with the same generator (the reference: the prompt prefilled on every call, no row ever stopped).
 * Best-of-N's batch sizes, plus a dot-product batch (3), a GEMM batch (40) and one above a chunk (300); an end token,
 * so rows also finish early.
 */
class KvSessionTest {

    private static final Parallel TWO = new Parallel(2);
    private static final GptConfig CFG = new GptConfig(13, 40, 2, 2, 16);
    private static final int[] BATCHES = {1, 1, 2, 3, 8, 40, KvSampling.MAX_ROWS + 44};
    private static final int LENGTH = 9, EOS = 12;

    @AfterAll static void close() {
        TWO.close();
    }

    /** Rows stay alive until they draw one of the tokens 0..3. */
    private static final PrefixTest NO_LOW_TOKEN = (y, len) -> {
        for (int i = 0; i < len; i++) if (y[i] < 4) return false;
        return true;
    };

    @Test void sessionBatchesEqualSampleCallsAndStoppedRowsArePrefixes() {
        Gpt m = GptGradientTest.randomModel(CFG, TWO, 4, 0.4);
        SplittableRandom tokens = new SplittableRandom(9);
        int same = 0, stopped = 0;
        for (int length : new int[] {1, 17, 31}) {
            int[] prompt = new int[length];
            for (int i = 0; i < length; i++) prompt[i] = tokens.nextInt(CFG.vocab());
            for (PrefixTest alive : new PrefixTest[] {PrefixTest.ANY, NO_LOW_TOKEN}) {
                SplittableRandom ref = new SplittableRandom(length), got = new SplittableRandom(length);
                try (PromptSession session = m.open(prompt)) {
                    for (int size : BATCHES) {
                        int[][] copies = new int[size][];
                        Arrays.fill(copies, prompt);
                        int[][] want = m.sample(copies, LENGTH, EOS, Sampler.ANCESTRAL, ref);
                        int[][] ys = session.sample(size, LENGTH, EOS, Sampler.ANCESTRAL, alive, got);
                        for (int r = 0; r < size; r++) {
                            int stop = firstRejected(alive, want[r]);
                            int[] expected = stop < 0 ? want[r] : Arrays.copyOf(want[r], stop);
                            assertThat(ys[r]).as("prompt of %d tokens, batch %d, row %d", length, size, r).isEqualTo(expected);
                            if (stop < 0) same++;
                            else stopped++;
                        }
                    }
                }
            }
        }
        System.out.printf("session vs sample calls: %d rows identical, %d stopped rows equal to the reference's prefix%n", same, stopped);
        assertThat(stopped).isGreaterThan(100);
        assertThat(same).isGreaterThan(stopped);
    }

    @Test void droppingRowsLeavesTheOthersLogitsBitForBit() {
        Gpt m = GptGradientTest.randomModel(CFG, TWO, 8, 0.4);
        SplittableRandom rng = new SplittableRandom(2);
        int[][] prompts = {{3, 1, 4, 1, 5, 9, 2, 6}, {2, 7, 1}};
        int[] rowGroup = {0, 0, 0, 0, 0, 0, 0, 1, 1, 1};      // 10 rows: GEMM paths; kept: 2 rows, dot-product sizes
        int[] kept = {2, 8};
        int steps = 6, v = CFG.vocab();
        for (Parallel kernels : new Parallel[] {Parallel.SERIAL, TWO}) {
            KvCache all = new KvCache(m), some = new KvCache(m);
            for (KvCache cache : new KvCache[] {all, some}) {
                cache.prefix(kernels, prompts);
                cache.rows(kernels, rowGroup, steps);
            }
            int[] feed = new int[rowGroup.length], feedKept = new int[kept.length];
            int differing = 0;
            for (int t = 0; t < steps; t++) {
                for (int r = 0; r < feed.length; r++) feed[r] = rng.nextInt(v);
                for (int i = 0; i < kept.length; i++) feedKept[i] = feed[kept[i]];
                float[] a = all.step(feed).clone(), b = (t < 2 ? some.step(feed) : some.step(feedKept)).clone();
                if (t == 1) some.retain(kept, kept.length);
                for (int i = 0; i < kept.length; i++) {
                    int ra = kept[i], rb = t < 2 ? kept[i] : i;
                    for (int j = 0; j < v; j++) if (Float.floatToIntBits(a[ra * v + j]) != Float.floatToIntBits(b[rb * v + j])) differing++;
                }
            }
            System.out.printf("kept rows after dropping 8 of 10 (%d threads): %d logits differ in any bit%n", kernels.threads(), differing);
            assertThat(differing).isZero();
        }
    }

    @Test void sessionScoresLikeTheFullForwardThenSamples() {
        Gpt m = GptGradientTest.randomModel(CFG, TWO, 10, 0.4);
        SplittableRandom rng = new SplittableRandom(12);
        int[] prompt = {5, 3, 11, 0, 2, 8, 8, 1};
        int n = KvSampling.MAX_ROWS + 20;                      // two chunks
        int[][] responses = new int[n][], prompts = new int[n][];
        for (int i = 0; i < n; i++) {
            responses[i] = new int[rng.nextInt(LENGTH + 1)];    // 0..9 tokens
            for (int h = 0; h < responses[i].length; h++) responses[i][h] = rng.nextInt(CFG.vocab());
            prompts[i] = prompt;
        }
        double[] want = m.sequenceLogProbs(prompts, responses), got;
        int[][] copies = new int[40][];
        Arrays.fill(copies, prompt);
        int[][] drawn = m.sample(copies, LENGTH, EOS, Sampler.ANCESTRAL, new SplittableRandom(3));
        try (PromptSession s = m.open(prompt)) {
            got = s.sequenceLogProbs(responses);
            assertThat(s.sample(40, LENGTH, EOS, Sampler.ANCESTRAL, PrefixTest.ANY, new SplittableRandom(3))).isDeepEqualTo(drawn);
        }
        double worst = 0;
        for (int i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
        System.out.printf("session vs full-forward sequence log-probs, %d responses of 0-%d tokens: max abs diff %.3g%n",
                n, LENGTH, worst);
        assertThat(worst).isLessThan(1e-4);
        assertThat(got[java.util.stream.IntStream.range(0, n).filter(i -> responses[i].length == 0).findFirst().orElseThrow()]).isZero();
    }

    /** The length of the shortest prefix alive rejects, or -1. */
    private static int firstRejected(PrefixTest alive, int[] y) {
        for (int len = 1; len <= y.length; len++) if (!alive.canAccept(y, len)) return len;
        return -1;
    }

    @Test void twoSessionsAtOnceGiveTheirOwnSamples() throws Exception {
        Gpt m = GptGradientTest.randomModel(CFG, TWO, 6, 0.4);
        int[][] prompts = {{1, 2, 3, 4, 5}, {7, 7, 0, 9}};
        int[][][] want = new int[2][][], got = new int[2][][];
        for (int k = 0; k < 2; k++) {
            int[][] copies = new int[64][];
            Arrays.fill(copies, prompts[k]);
            want[k] = m.sample(copies, LENGTH, EOS, Sampler.ANCESTRAL, new SplittableRandom(k));
        }
        Thread[] threads = new Thread[2];
        for (int k = 0; k < 2; k++) {
            int kk = k;
            threads[k] = new Thread(() -> {
                try (PromptSession s = m.open(prompts[kk])) {
                    got[kk] = s.sample(64, LENGTH, EOS, Sampler.ANCESTRAL, PrefixTest.ANY, new SplittableRandom(kk));
                }
            });
            threads[k].start();
        }
        for (Thread t : threads) t.join();
        for (int k = 0; k < 2; k++) assertThat(got[k]).isDeepEqualTo(want[k]);
    }
}
