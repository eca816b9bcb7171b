package org.covlab.model;

/**
 * A feature map that sees the prefix only through the position h and the previous token:
 * {@code phi(x, y_{1:h}) = f(x, h, y_{h-1}, y_h)}. Every instance of the paper fits this form, and it is what makes
 * exact quantities cheap: expectations over V^H responses become a dynamic programme over the states
 * (h, previous token) ({@link MarkovDp}), O(H |V|^2 d) instead of O(|V|^H).
 *
 * <p>Positions are 0-based here: h is the number of tokens already generated (the paper's h-1), and the
 * previous token is {@link #START} when h = 0.
 */
public interface MarkovFeatureMap extends FeatureMap {

    /** The "previous token" at the first position. */
    int START = -1;

    /** phi for candidate {@code candidate} at 0-based position h after token {@code prev}. // (dim) */
    void markovFeatures(int[] prompt, int h, int prev, int candidate, double[] out);

    @Override
    default void features(int[] prompt, int[] prefix, int candidate, double[] out) {
        markovFeatures(prompt, prefix.length, prefix.length == 0 ? START : prefix[prefix.length - 1], candidate, out);
    }

    @Override
    default void featuresAt(int[] prompt, int[] sequence, int h, int candidate, double[] out) {
        markovFeatures(prompt, h, h == 0 ? START : sequence[h - 1], candidate, out);
    }

    /** The kernel of a Markov feature map, for building one from a lambda. */
    @FunctionalInterface
    interface Kernel {
        void apply(int[] prompt, int h, int prev, int candidate, double[] out);
    }

    /** A Markov feature map from its dimensions, bound B and kernel. */
    static MarkovFeatureMap of(int dim, int vocabSize, double bound, Kernel kernel) {
        if (dim < 1 || vocabSize < 2) throw new IllegalArgumentException("need dim >= 1 and vocab >= 2");
        if (!(bound > 0)) throw new IllegalArgumentException("B must be > 0, got " + bound);
        return new MarkovFeatureMap() {
            @Override public int dim() { return dim; }
            @Override public int vocabSize() { return vocabSize; }
            @Override public double bound() { return bound; }
            @Override public void markovFeatures(int[] prompt, int h, int prev, int candidate, double[] out) {
                kernel.apply(prompt, h, prev, candidate, out);
            }
        };
    }
}
