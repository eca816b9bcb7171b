package org.covlab.decode;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Picks the next token from a vector of next-token log-probabilities. Use {@link #ANCESTRAL} to draw from
 * the model itself (what Best-of-N and Pass@N assume), {@link #ARGMAX} for greedy decoding.
 */
@FunctionalInterface
public interface Sampler {

    int sample(double[] logProbs, RandomGenerator rng);

    /** Greedy: the most likely token (lowest index on ties). */
    Sampler ARGMAX = (logProbs, rng) -> {
        int best = 0;
        for (int i = 1; i < logProbs.length; i++) if (logProbs[i] > logProbs[best]) best = i;
        return best;
    };

    /** Draws from the model's own distribution (temperature 1, no truncation). */
    Sampler ANCESTRAL = (logProbs, rng) -> drawFrom(logProbs, 1.0, rng);

    /** Draws from softmax(logProbs / temperature). */
    static Sampler temperature(double temperature) {
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        return (logProbs, rng) -> drawFrom(logProbs, temperature, rng);
    }

    /** Keeps the k most likely tokens (lowest index first on ties), then draws at the given temperature. */
    static Sampler topK(int k, double temperature) {
        if (k < 1) throw new IllegalArgumentException("top-k needs k >= 1, got " + k);
        Sampler inner = temperature(temperature);
        return (logProbs, rng) -> {
            Integer[] order = byDescendingProb(logProbs);
            double[] kept = new double[logProbs.length];
            Arrays.fill(kept, Double.NEGATIVE_INFINITY);
            for (int r = 0; r < Math.min(k, order.length); r++) kept[order[r]] = logProbs[order[r]];
            return inner.sample(kept, rng);
        };
    }

    /** Nucleus sampling: the smallest set of most likely tokens whose mass reaches p, then temperature. */
    static Sampler topP(double p, double temperature) {
        if (!(p > 0 && p <= 1)) throw new IllegalArgumentException("top-p needs 0 < p <= 1, got " + p);
        Sampler inner = temperature(temperature);
        return (logProbs, rng) -> {
            Integer[] order = byDescendingProb(logProbs);
            double max = logProbs[order[0]], total = 0;
            for (double v : logProbs) total += Math.exp(v - max);
            double[] kept = new double[logProbs.length];
            Arrays.fill(kept, Double.NEGATIVE_INFINITY);
            double mass = 0;
            for (int i : order) {
                kept[i] = logProbs[i];
                mass += Math.exp(logProbs[i] - max) / total;
                if (mass >= p) break;
            }
            return inner.sample(kept, rng);
        };
    }

    /** Token ids from most to least likely; the sort is stable, so ties keep the lower id first. */
    private static Integer[] byDescendingProb(double[] logProbs) {
        Integer[] order = new Integer[logProbs.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(logProbs[b], logProbs[a]));
        return order;
    }

    /**
     * Inverse-CDF draw from softmax(logProbs / temperature), stable for any scale. Allocation-free (it runs once per
     * token of every Best-of-N draw): the weights exp((l_i - max) / T) are recomputed in the scan instead of stored,
     * which gives the same token for the same generator state as storing them.
     */
    static int drawFrom(double[] logProbs, double temperature, RandomGenerator rng) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : logProbs) max = Math.max(max, v);
        double total = 0;
        for (double v : logProbs) total += Math.exp((v - max) / temperature);
        double u = rng.nextDouble() * total;
        int last = 0;
        for (int i = 0; i < logProbs.length; i++) {
            double w = Math.exp((logProbs[i] - max) / temperature);
            if (w > 0) last = i;
            u -= w;
            if (u < 0) return i;
        }
        return last;
    }
}
