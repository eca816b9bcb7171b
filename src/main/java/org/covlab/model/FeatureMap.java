package org.covlab.model;

import java.util.Arrays;

/**
 * The fixed feature map phi : X x V* -> R^d of the autoregressive linear model (paper section 1.2, Eq. 3):
 * {@code phi(x, y_{1:h})} are the features of prompt x, prefix y_{1:h-1} and candidate next token y_h.
 * Assumption 2.2 asks {@code sup ||phi|| <= B}; {@link #bound()} is that B.
 *
 * <p>Contract for every {@code features} method: {@code out} (length {@link #dim()}) arrives filled with zeros
 * and the map writes its non-zero entries, so sparse maps stay cheap.
 */
public interface FeatureMap {

    /** d, the dimension of theta. */
    int dim();

    /** |V|: candidate tokens are 0 .. vocabSize-1. */
    int vocabSize();

    /** B of Assumption 2.2: an upper bound on ||phi(x, y_{1:h})|| over all prompts, prefixes and tokens. */
    double bound();

    /** phi(x, prefix + candidate) into {@code out}. // (dim) */
    void features(int[] prompt, int[] prefix, int candidate, double[] out);

    /**
     * phi of every candidate after {@code sequence[0..h)}. The result may be a shared, precomputed table row: read
     * it, never write it. // (vocab, dim)
     */
    default double[][] candidateFeatures(int[] prompt, int[] sequence, int h) {
        double[][] f = new double[vocabSize()][dim()];
        for (int v = 0; v < f.length; v++) featuresAt(prompt, sequence, h, v, f[v]);
        return f;
    }

    /** phi(x, sequence[0..h) + candidate): the prefix is the first h tokens of {@code sequence}. // (dim) */
    default void featuresAt(int[] prompt, int[] sequence, int h, int candidate, double[] out) {
        features(prompt, Arrays.copyOf(sequence, h), candidate, out);
    }
}
