package org.covlab.eval;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.covlab.model.AutoregressiveModel;

/**
 * A small autoregressive model given by a table of next-token distributions, one per (prompt token, prefix):
 * exact, enumerable, and either a product distribution (each step independent of the prefix) or a random
 * fully autoregressive one.
 */
public final class ToyModel implements AutoregressiveModel {
    private final int vocab;
    private final Map<String, double[]> table = new HashMap<>();  // key(prompt, prefix) -> log-probs (vocab)
    private final double[][][] product;                            // (prompt token, h, vocab) or null

    private ToyModel(int vocab, double[][][] product) {
        this.vocab = vocab;
        this.product = product;
    }

    /** pi(y|x) = prod_h probs[x][h][y_h]; prompts are single tokens 0..probs.length-1. */
    public static ToyModel product(double[][][] probs) {
        double[][][] logs = new double[probs.length][][];
        for (int x = 0; x < probs.length; x++) {
            logs[x] = new double[probs[x].length][];
            for (int h = 0; h < probs[x].length; h++) logs[x][h] = normalisedLogs(probs[x][h]);
        }
        return new ToyModel(probs[0][0].length, logs);
    }

    /** Bernoulli steps: pi(y_h = 1 | x) = pOne[x][h] over the binary vocabulary. */
    public static ToyModel bernoulli(double[][] pOne) {
        double[][][] probs = new double[pOne.length][][];
        for (int x = 0; x < pOne.length; x++) {
            probs[x] = new double[pOne[x].length][];
            for (int h = 0; h < pOne[x].length; h++) probs[x][h] = new double[] {1 - pOne[x][h], pOne[x][h]};
        }
        return product(probs);
    }

    /**
     * Random conditionals for every prefix of length < horizon: probabilities proportional to u^spread for
     * u uniform, so a large spread gives peaked distributions and tiny probabilities (large log ratios).
     */
    public static ToyModel random(int vocab, int horizon, int prompts, double spread, RandomGenerator rng) {
        ToyModel m = new ToyModel(vocab, null);
        for (int x = 0; x < prompts; x++) m.fill(x, new int[0], horizon, spread, rng);
        return m;
    }

    private void fill(int x, int[] prefix, int horizon, double spread, RandomGenerator rng) {
        if (prefix.length == horizon) return;
        double[] p = new double[vocab];
        for (int v = 0; v < vocab; v++) p[v] = Math.pow(rng.nextDouble(), spread) + 1e-300;
        table.put(key(new int[] {x}, prefix), normalisedLogs(p));
        for (int v = 0; v < vocab; v++) {
            int[] next = Arrays.copyOf(prefix, prefix.length + 1);
            next[prefix.length] = v;
            fill(x, next, horizon, spread, rng);
        }
    }

    private static double[] normalisedLogs(double[] p) {
        double total = 0;
        for (double v : p) total += v;
        double[] out = new double[p.length];
        for (int v = 0; v < p.length; v++) out[v] = Math.log(p[v] / total);
        return out;
    }

    private static String key(int[] prompt, int[] prefix) {
        return Arrays.toString(prompt) + Arrays.toString(prefix);
    }

    @Override public int vocabSize() { return vocab; }

    @Override public double[] nextTokenLogProbs(int[] prompt, int[] prefix) {
        double[] out = product != null ? product[prompt[0]][prefix.length] : table.get(key(prompt, prefix));
        if (out == null) throw new IllegalArgumentException("no distribution for " + key(prompt, prefix));
        return out.clone();
    }
}
