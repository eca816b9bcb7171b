package org.covlab.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The allocation-free inverse-CDF draw against the obvious one that stores the weights: the same token every time. */
class SamplerTest {

    /** The reference: weights stored in an array, then the scan. */
    private static int storedWeights(double[] logProbs, double temperature, RandomGenerator rng) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : logProbs) max = Math.max(max, v);
        double total = 0;
        double[] w = new double[logProbs.length];
        for (int i = 0; i < w.length; i++) total += (w[i] = Math.exp((logProbs[i] - max) / temperature));
        double u = rng.nextDouble() * total;
        int last = 0;
        for (int i = 0; i < w.length; i++) {
            if (w[i] > 0) last = i;
            u -= w[i];
            if (u < 0) return i;
        }
        return last;
    }

    @Test void drawFromGivesTheStoredWeightsToken() {
        SplittableRandom data = new SplittableRandom(1);
        int draws = 0;
        for (int trial = 0; trial < 2000; trial++) {
            int V = 1 + data.nextInt(40);
            double[] logits = new double[V];
            for (int v = 0; v < V; v++) logits[v] = data.nextInt(6) == 0 ? Double.NEGATIVE_INFINITY : 30 * (data.nextDouble() - 0.5);
            if (trial % 7 == 0) logits[data.nextInt(V)] = 0;  // at least one finite entry sometimes only
            double temperature = new double[] {1, 0.3, 2.5}[trial % 3];
            long seed = data.nextLong();
            SplittableRandom a = new SplittableRandom(seed), b = new SplittableRandom(seed);
            for (int k = 0; k < 20; k++, draws++)
                assertThat(Sampler.drawFrom(logits, temperature, a)).isEqualTo(storedWeights(logits, temperature, b));
        }
        System.out.printf("drawFrom vs stored-weights reference: %d draws, 0 differences%n", draws);
    }

    @Test void ancestralFollowsTheLaw() {
        double[] p = {0.5, 0.3, 0.15, 0.05};
        double[] logp = new double[p.length];
        for (int i = 0; i < p.length; i++) logp[i] = Math.log(p[i]);
        int n = 200_000;
        int[] counts = new int[p.length];
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < n; i++) counts[Sampler.ANCESTRAL.sample(logp, rng)]++;
        for (int i = 0; i < p.length; i++)
            assertThat((double) counts[i] / n).isCloseTo(p[i], org.assertj.core.api.Assertions.within(5 * Math.sqrt(p[i] / n)));
    }
}
