package org.covlab.model;

import java.util.SplittableRandom;

/** Random feature maps for tests: a Markov one (a random table) and a general one that reads the whole prefix. */
public final class TestFeatureMaps {
    private TestFeatureMaps() {}

    /** phi(x, h, prev, c) = a fixed random Gaussian table entry, for prompts 0..prompts-1 and h < H. */
    public static MarkovFeatureMap randomMarkov(long seed, int prompts, int H, int vocab, int d, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][][][][] table = new double[prompts][H][vocab + 1][vocab][d];
        double bound = 0;
        for (var a : table) for (var b : a) for (var c : b) for (var f : c) {
            double sq = 0;
            for (int k = 0; k < d; k++) { f[k] = scale * gaussian(r); sq += f[k] * f[k]; }
            bound = Math.max(bound, Math.sqrt(sq));
        }
        return MarkovFeatureMap.of(d, vocab, bound, (x, h, prev, c, out) ->
                System.arraycopy(table[x[0]][h][prev + 1][c], 0, out, 0, d));
    }

    /** A smooth function of the whole prefix (not Markov): out[k] = scale * cos(k + 0.7 Σ_i (i+1)(y_i+1) + 2.1 c + x). */
    public static FeatureMap randomGeneral(int vocab, int d, double scale) {
        return new FeatureMap() {
            @Override public int dim() { return d; }
            @Override public int vocabSize() { return vocab; }
            @Override public double bound() { return scale * Math.sqrt(d); }
            @Override public void features(int[] prompt, int[] prefix, int candidate, double[] out) {
                double s = 0;
                for (int i = 0; i < prefix.length; i++) s += (i + 1) * (prefix[i] + 1);
                for (int k = 0; k < d; k++) out[k] = scale * Math.cos(1.3 * k + 0.7 * s + 2.1 * candidate + prompt[0]);
            }
        };
    }

    public static double[] randomTheta(long seed, int d, double radius) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] t = new double[d];
        for (int k = 0; k < d; k++) t[k] = gaussian(r);
        double n = ParameterSet.norm(t);
        for (int k = 0; k < d; k++) t[k] *= radius * r.nextDouble() / n;
        return t;
    }

    static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
