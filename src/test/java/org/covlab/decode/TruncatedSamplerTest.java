package org.covlab.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.covlab.util.Seeded;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Greedy, top-k, top-p and temperature against their definitions: support by property, frequencies by counting. */
@ExtendWith(Seeded.class)
class TruncatedSamplerTest {

    private static double[] logSoftmax(double... w) {
        double total = Arrays.stream(w).sum();
        return Arrays.stream(w).map(x -> Math.log(x / total)).toArray();
    }

    @Test void argmaxTakesTheMostLikelyTokenAndTheLowestIdOnTies() {
        assertThat(Sampler.ARGMAX.sample(logSoftmax(1, 5, 2), null)).isEqualTo(1);
        assertThat(Sampler.ARGMAX.sample(logSoftmax(3, 1, 3), null)).isEqualTo(0);
    }

    static LongStream seeds() { return Seeded.seeds(200); }

    @ParameterizedTest @MethodSource("seeds")
    void topKNeverLeavesTheKMostLikelyTokens(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int V = Seeded.intIn(rng, 2, 30), k = Seeded.intIn(rng, 1, 30);
        double[] lp = new double[V];
        for (int v = 0; v < V; v++) lp[v] = -5 * rng.nextDouble();
        double kth = Arrays.stream(lp).boxed().sorted((a, b) -> Double.compare(b, a)).skip(Math.min(k, V) - 1).findFirst().orElseThrow();
        Sampler s = Sampler.topK(k, 1.0);
        for (int i = 0; i < 50; i++) assertThat(lp[s.sample(lp, rng)]).isGreaterThanOrEqualTo(kth);
    }

    @Test void topKRenormalisesOverTheKeptTokens() {
        double[] lp = logSoftmax(0.5, 0.3, 0.15, 0.05);
        int[] counts = count(Sampler.topK(2, 1.0), lp, 200_000);
        // Kept {0, 1} with 0.5 : 0.3 -> 0.625 : 0.375.
        assertThat(counts[2] + counts[3]).isZero();
        assertThat(counts[0] / 200_000.0).isCloseTo(0.625, org.assertj.core.data.Offset.offset(0.005));
    }

    @Test void topPKeepsTheSmallestSetReachingP() {
        double[] lp = logSoftmax(0.5, 0.3, 0.15, 0.05);
        assertThat(count(Sampler.topP(0.5, 1.0), lp, 10_000)).containsExactly(10_000, 0, 0, 0);  // 0.5 reaches 0.5
        int[] c = count(Sampler.topP(0.79, 1.0), lp, 200_000);                                     // needs {0, 1}
        assertThat(c[2] + c[3]).isZero();
        assertThat(count(Sampler.topP(0.81, 1.0), lp, 20_000)[2]).isPositive();                     // needs {0, 1, 2}
        assertThat(c[0] / 200_000.0).isCloseTo(0.625, org.assertj.core.data.Offset.offset(0.005));
    }

    @Test void temperatureSharpensAndFlattens() {
        double[] lp = logSoftmax(0.6, 0.4);
        // softmax(log p / T): T = 0.5 squares the odds (0.36 : 0.16), T = 2 takes their square root.
        assertThat(count(Sampler.temperature(0.5), lp, 200_000)[0] / 200_000.0)
                .isCloseTo(0.36 / 0.52, org.assertj.core.data.Offset.offset(0.005));
        double r = Math.sqrt(0.6) / (Math.sqrt(0.6) + Math.sqrt(0.4));
        assertThat(count(Sampler.temperature(2), lp, 200_000)[0] / 200_000.0).isCloseTo(r, org.assertj.core.data.Offset.offset(0.005));
    }

    @Test void badSettingsAreRefused() {
        assertThatThrownBy(() -> Sampler.temperature(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sampler.topK(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sampler.topP(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sampler.topP(1.5, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static int[] count(Sampler s, double[] lp, int draws) {
        SplittableRandom rng = new SplittableRandom(7);
        int[] c = new int[lp.length];
        for (int i = 0; i < draws; i++) c[s.sample(lp, rng)]++;
        return c;
    }
}
