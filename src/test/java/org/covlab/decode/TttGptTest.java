package org.covlab.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.covlab.metric.ConfidenceIntervals;
import org.covlab.metric.Estimate;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.Gpt;
import org.covlab.model.GptConfig;
import org.covlab.model.SequenceEnumeration;
import org.covlab.tensor.Parallel;
import org.covlab.train.DivergedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;


/**
 * The GPT's pi^TTT on a tiny random model (vocab 3, fixed-length responses of 3 tokens, 27 of them): its law is a
 * distribution, sampling follows it, it resets per response, it is the plain model at K = 0, its one-pass scoring
 * equals the per-prefix replay, its step is eta times the finite-difference gradient, and threads change nothing.
 */
class TttGptTest {

    static final GptConfig TINY = new GptConfig(3, 8, 2, 2, 8);
    static final int H = 3;
    static final int[] X = {0, 2};

    /** Every parameter N(0, std) and LayerNorm weights 1 + N(0, std): large enough that the steps move the law. */
    static Gpt randomGpt(Parallel pool, long seed, double std) {
        Gpt m = new Gpt(TINY, pool);
        SplittableRandom rng = new SplittableRandom(seed);
        float[] p = m.parameters();
        for (int i = 0; i < p.length; i++) p[i] = (float) (rng.nextGaussian() * std);
        m.layout().tensors().stream().filter(t -> t.name().contains("ln") && t.name().endsWith("weight"))
                .forEach(t -> { for (int i = t.offset(); i < t.offset() + t.size(); i++) p[i] += 1f; });
        return m;
    }

    static Stream<Arguments> settings() {
        return Stream.of(Arguments.of(1L, new TttSettings(1, 0.5)), Arguments.of(2L, new TttSettings(3, 0.2)),
                Arguments.of(3L, new TttSettings(1, 2.0)));
    }

    @ParameterizedTest @MethodSource("settings")
    void lawSumsToOneAndDiffersFromThePlainModel(long seed, TttSettings s) {
        Gpt base = randomGpt(Parallel.SERIAL, seed, 0.5);
        TttGpt ttt = new TttGpt(base, s);
        double total = SequenceEnumeration.totalMass(ttt, X, H);
        double[] moved = {0};
        SequenceEnumeration.forEach(TINY.vocab(), H, y -> moved[0] = Math.max(moved[0],
                Math.abs(Math.exp(ttt.sequenceLogProb(X, y)) - Math.exp(base.sequenceLogProb(X, y)))));
        System.out.printf("seed %d %s: |1 - sum pi^TTT| = %.2e over %d responses, max |pi^TTT - pi| = %.3f%n",
                seed, s, Math.abs(1 - total), SequenceEnumeration.count(TINY.vocab(), H), moved[0]);
        assertThat(Math.abs(1 - total)).as("seed %d", seed).isLessThan(1e-5);
        assertThat(moved[0]).as("seed %d: the steps must move the law", seed).isGreaterThan(0.01);
    }

    @Test void samplingFollowsTheLogProbWithTheSameUpdates() {
        long seed = 11;
        TttGpt ttt = new TttGpt(randomGpt(Parallel.SERIAL, seed, 0.5), new TttSettings(2, 1.0));
        int draws = 20_000, v = TINY.vocab();
        int[] counts = new int[27];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < draws; i++) {
            int[] y = ttt.sample(X, H, -1, Sampler.ANCESTRAL, rng);
            counts[(y[0] * v + y[1]) * v + y[2]]++;
        }
        // Each response with an expected count >= 5 on its own; the rarer ones pooled into one cell.
        double[] rare = {0, 0}, worstZ = {0};            // pooled probability and count
        SequenceEnumeration.forEach(v, H, y -> {
            double p = Math.exp(ttt.sequenceLogProb(X, y));
            int c = counts[(y[0] * v + y[1]) * v + y[2]];
            if (draws * p < 5) {
                rare[0] += p;
                rare[1] += c;
            } else {
                worstZ[0] = Math.max(worstZ[0], check(p, c, draws, "seed " + seed + ", y " + Arrays.toString(y)));
            }
        });
        worstZ[0] = Math.max(worstZ[0], check(rare[0], (int) rare[1], draws, "seed " + seed + ", the rare responses"));
        System.out.printf("sample_TTT vs logprob_TTT on the GPT: max |z| over 27 responses = %.2f (rare ones pooled: p %.4f)%n", worstZ[0], rare[0]);
    }

    /** Asserts that p lies in the 4.5-sigma Wilson interval of c/draws; returns |z|. */
    private static double check(double p, int c, int draws, String what) {
        Estimate ci = ConfidenceIntervals.wilson((double) c / draws, draws, 4.5);
        assertThat(p).as("%s: frequency %d/%d", what, c, draws).isBetween(ci.lower(), ci.upper());
        return Math.abs(c - draws * p) / Math.sqrt(draws * p * (1 - p));
    }

    @Test void resetsPerPromptAndNeverMovesTheBase() {
        Gpt base = randomGpt(Parallel.SERIAL, 4, 0.5);
        float[] theta = base.parameters().clone();
        TttSettings s = new TttSettings(2, 0.7);
        int[] a = {1, 1}, b = {2, 0}, ya = {2, 2, 1}, yb = {0, 1, 2};
        double[] bAlone = new TttGpt(base, s).tokenLogProbs(b, yb);
        TttGpt ttt = new TttGpt(base, s);
        ttt.tokenLogProbs(a, ya);
        ttt.sample(a, H, -1, Sampler.ANCESTRAL, new SplittableRandom(1));
        assertThat(ttt.tokenLogProbs(b, yb)).containsExactly(bAlone);
        assertThat(ttt.tokenLogProbs(b, yb)[0]).isEqualTo(base.nextTokenLogProbs(b, new int[0])[yb[0]]);   // nothing adapted yet
        assertThat(ttt.adaptedParameters(b, new int[0])).containsExactly(theta);
        assertThat(base.parameters()).containsExactly(theta);
    }

    @Test void noStepsIsThePlainModel() {
        Gpt base = randomGpt(Parallel.SERIAL, 5, 0.5);
        int[] y = {2, 0, 1};
        for (TttSettings off : new TttSettings[] {TttSettings.OFF, new TttSettings(3, 0), new TttSettings(0, 0.5)}) {
            TttGpt ttt = new TttGpt(base, off);
            for (int h = 0; h <= y.length; h++) {
                int[] prefix = Arrays.copyOf(y, h);
                assertThat(ttt.nextTokenLogProbs(X, prefix)).as("%s, prefix %d", off, h).containsExactly(base.nextTokenLogProbs(X, prefix));
            }
            assertThat(ttt.tokenLogProbs(X, y)).as("%s", off).containsExactly(base.tokenLogProbs(X, y));
        }
    }

    @ParameterizedTest @MethodSource("settings")
    void onePassEqualsReplayingEachPrefix(long seed, TttSettings s) {
        TttGpt ttt = new TttGpt(randomGpt(Parallel.SERIAL, seed, 0.5), s);
        int[] y = {1, 2, 0, 0, 2};
        double[] fast = ttt.tokenLogProbs(X, y);
        double worst = 0;
        for (int h = 0; h < y.length; h++) {
            double slow = ttt.nextTokenLogProbs(X, Arrays.copyOf(y, h))[y[h]];
            worst = Math.max(worst, Math.abs(fast[h] - slow) / Math.max(1, Math.abs(slow)));
        }
        System.out.printf("seed %d %s: one pass vs per-prefix replay, max rel diff %.2e%n", seed, s, worst);
        assertThat(worst).as("seed %d", seed).isLessThan(1e-9);
    }

    /** Each step is vartheta + eta ∇ log pi_vartheta(y_h | x, y_{<h}), the gradient taken by central differences at vartheta. */
    @Test void eachStepIsEtaTimesTheGradientOfTheTokensLogProb() {
        Gpt base = randomGpt(Parallel.SERIAL, 6, 0.4);
        double eta = 0.1;
        int[] y = {2, 1};
        float[] theta = base.parameters().clone();
        float[] one = new TttGpt(base, new TttSettings(1, eta)).adaptedParameters(X, new int[] {y[0]});
        float[] two = new TttGpt(base, new TttSettings(2, eta)).adaptedParameters(X, new int[] {y[0]});
        float[] next = new TttGpt(base, new TttSettings(1, eta)).adaptedParameters(X, y);
        double worst = Math.max(Math.max(stepError(theta, one, eta, X, new int[0], y[0]), stepError(one, two, eta, X, new int[0], y[0])),
                stepError(one, next, eta, X, new int[] {y[0]}, y[1]));
        System.out.printf("TTT steps vs eta * central-difference gradients: max rel error %.3g%n", worst);
        assertThat(worst).isLessThan(1e-2);
    }

    /** The worst relative error of (after - before) / eta against ∇ log pi_before(token | x, prefix), on 60 random coordinates. */
    private static double stepError(float[] before, float[] after, double eta, int[] x, int[] prefix, int token) {
        Gpt m = new Gpt(TINY, Parallel.SERIAL);
        float[] p = m.parameters();
        System.arraycopy(before, 0, p, 0, p.length);
        SplittableRandom rng = new SplittableRandom(7);
        double h = 1e-2, worst = 0, moved = 0;
        for (int s = 0; s < 60; s++) {
            int i = rng.nextInt(p.length);
            p[i] = (float) (before[i] + h);
            double up = m.nextTokenLogProbs(x, prefix)[token];
            p[i] = (float) (before[i] - h);
            double down = m.nextTokenLogProbs(x, prefix)[token];
            p[i] = before[i];
            double numeric = (up - down) / (2 * h), step = (after[i] - before[i]) / eta;
            moved = Math.max(moved, Math.abs(step));
            worst = Math.max(worst, Math.abs(numeric - step) / Math.max(Math.abs(numeric) + Math.abs(step), 5e-3));
        }
        assertThat(moved).as("the step must move some weight").isGreaterThan(1e-2);
        return worst;
    }

    @Test void twoThreadsGiveWhatOneGives() throws InterruptedException {
        TttSettings s = new TttSettings(2, 0.5);
        Gpt serial = randomGpt(Parallel.SERIAL, 8, 0.5);
        int[][] xs = {{0, 1}, {2, 2}, {1, 0}, {0, 0}, {2, 1}};
        int[][][] ys = new int[xs.length][][];
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < xs.length; i++) {
            ys[i] = new int[4][H];
            for (int[] y : ys[i]) for (int h = 0; h < H; h++) y[h] = rng.nextInt(TINY.vocab());
        }
        double[][] one = new TttGpt(serial, s).sequenceLogProbs(xs, ys);
        int[][] samplesOne = new TttGpt(serial, s).sample(xs, H, -1, Sampler.ANCESTRAL, new SplittableRandom(4));
        try (Parallel two = new Parallel(2)) {
            Gpt pooled = new Gpt(TINY, two);
            System.arraycopy(serial.parameters(), 0, pooled.parameters(), 0, serial.parameters().length);
            TttGpt ttt = new TttGpt(pooled, s);
            assertThat(ttt.sequenceLogProbs(xs, ys)).isDeepEqualTo(one);
            assertThat(ttt.sample(xs, H, -1, Sampler.ANCESTRAL, new SplittableRandom(4))).isDeepEqualTo(samplesOne);
        }
        TttGpt shared = new TttGpt(serial, s);
        double[][] fromThreads = new double[xs.length][];
        Thread[] threads = new Thread[xs.length];
        for (int i = 0; i < xs.length; i++) {
            int j = i;
            threads[i] = new Thread(() -> {
                try (var session = shared.open(xs[j])) { fromThreads[j] = session.sequenceLogProbs(ys[j]); }
            });
            threads[i].start();
        }
        for (Thread t : threads) t.join();
        assertThat(fromThreads).isDeepEqualTo(one);
    }

    @Test void aStepTooLargeForFloatsIsDivergenceNotNaN() {
        TttGpt ttt = new TttGpt(randomGpt(Parallel.SERIAL, 10, 0.5), new TttSettings(1, 1e30));
        assertThatThrownBy(() -> ttt.tokenLogProbs(X, new int[] {1, 2, 0})).isInstanceOf(DivergedException.class)
                .hasMessageContaining("test-time training diverged (K = 1, eta = 1.00e+30): non-finite logits after 1 adapted tokens");
    }

    @Test void aSessionSamplesTheRowsOfABatchCall() {
        TttGpt ttt = new TttGpt(randomGpt(Parallel.SERIAL, 9, 0.5), new TttSettings(1, 1.0));
        int[][] copies = {X, X, X, X, X, X};
        int[][] batch = ttt.sample(copies, H, -1, Sampler.ANCESTRAL, new SplittableRandom(5));
        try (var session = ttt.open(X)) {
            assertThat(session.sample(copies.length, H, -1, Sampler.ANCESTRAL, AutoregressiveModel.PrefixTest.ANY, new SplittableRandom(5))).isDeepEqualTo(batch);
            double[] scored = session.sequenceLogProbs(batch);
            for (int i = 0; i < batch.length; i++) assertThat(scored[i]).isEqualTo(ttt.sequenceLogProb(X, batch[i]));
            int[][] stopped = session.sample(copies.length, H, -1, Sampler.ANCESTRAL, (y, len) -> y[0] != 2, new SplittableRandom(5));
            for (int i = 0; i < batch.length; i++) {
                assertThat(stopped[i]).isEqualTo(batch[i][0] == 2 ? new int[] {2} : batch[i]);
            }
        }
    }
}
