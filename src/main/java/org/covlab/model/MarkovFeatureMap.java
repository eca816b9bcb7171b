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

    /** phi of every candidate at state (h, prev); may be a shared table row: read it, never write it. // (vocab, dim) */
    default double[][] candidateFeatures(int[] prompt, int h, int prev) {
        double[][] f = new double[vocabSize()][dim()];
        for (int v = 0; v < f.length; v++) markovFeatures(prompt, h, prev, v, f[v]);
        return f;
    }

    @Override
    default double[][] candidateFeatures(int[] prompt, int[] sequence, int h) {
        return candidateFeatures(prompt, h, h == 0 ? START : sequence[h - 1]);
    }

    /**
     * This map with the features of every state precomputed for the one-token prompts {0} .. {prompts-1} and
     * positions h < H (other prompts and positions fall through to this map). Features do not depend on theta, so
     * training and sampling then skip recomputing them. Memory: prompts H (V+1) V d doubles.
     */
    default MarkovFeatureMap tabulated(int prompts, int H) {
        MarkovFeatureMap inner = this;
        int V = vocabSize();
        double[][][][][] table = new double[prompts][H][V + 1][][]; // (prompt, h, prev+1) -> (vocab, dim)
        for (int x = 0; x < prompts; x++)
            for (int h = 0; h < H; h++)
                for (int prev = (h == 0 ? START : 0); prev < (h == 0 ? 0 : V); prev++)
                    table[x][h][prev + 1] = inner.candidateFeatures(new int[] {x}, h, prev);
        return new MarkovFeatureMap() {
            @Override public int dim() { return inner.dim(); }
            @Override public int vocabSize() { return V; }
            @Override public double bound() { return inner.bound(); }
            @Override public double[][] candidateFeatures(int[] prompt, int h, int prev) {
                double[][] row = prompt.length == 1 && prompt[0] >= 0 && prompt[0] < prompts && h < H ? table[prompt[0]][h][prev + 1] : null;
                return row != null ? row : inner.candidateFeatures(prompt, h, prev);
            }
            @Override public void markovFeatures(int[] prompt, int h, int prev, int candidate, double[] out) {
                System.arraycopy(candidateFeatures(prompt, h, prev)[candidate], 0, out, 0, out.length);
            }
        };
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
