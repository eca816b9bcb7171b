package org.covlab.bon;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.covlab.decode.Sampler;
import org.covlab.model.AutoregressiveModel;
import org.covlab.task.Prompt;
import org.covlab.task.Task;
import org.covlab.task.Verifier;
import org.covlab.task.WeightedResponse;

/** Hand-made enumerable tasks and models for the Best-of-N tests: every position independent given the prompt. */
final class Tiny {
    private Tiny() {}

    /** pi(y|x) = prod_h probs[x][h][y_h]; prompts are the single tokens 0 .. probs.length - 1. */
    static final class ProductModel implements AutoregressiveModel {
        private final double[][][] logp; // (prompt, h, vocab)

        ProductModel(double[][][] probs) {
            logp = new double[probs.length][][];
            for (int x = 0; x < probs.length; x++) {
                logp[x] = new double[probs[x].length][];
                for (int h = 0; h < probs[x].length; h++) {
                    double total = 0;
                    for (double p : probs[x][h]) total += p;
                    logp[x][h] = new double[probs[x][h].length];
                    for (int v = 0; v < probs[x][h].length; v++) logp[x][h][v] = Math.log(probs[x][h][v] / total);
                }
            }
        }

        @Override public int vocabSize() { return logp[0][0].length; }

        @Override public double[] nextTokenLogProbs(int[] prompt, int[] prefix) { return logp[prompt[0]][prefix.length].clone(); }

        /** pi(A_x|x) by listing V^H: the test's own reference. */
        double mass(int x, Verifier accepted, int H) {
            double s = 0;
            for (int[] y : all(vocabSize(), H)) if (accepted.accepts(prompt(x), y)) s += Math.exp(sequenceLogProb(new int[] {x}, y));
            return s;
        }
    }

    /** Prompts 0..K-1 with masses mu, pi_D a product model, fixed-length responses, the given verifier. */
    record TinyTask(double[] mu, ProductModel data, int H, Verifier verifier) implements Task {
        @Override public String name() { return "tiny"; }
        @Override public int vocabSize() { return data.vocabSize(); }
        @Override public int maxResponseLength() { return H; }

        @Override public Map<String, Double> groupWeights() {
            Map<String, Double> w = new LinkedHashMap<>();
            for (int x = 0; x < mu.length; x++) w.put("x" + x, mu[x]);
            return w;
        }

        @Override public Prompt samplePrompt(String group, RandomGenerator rng) { return prompt(Integer.parseInt(group.substring(1))); }

        @Override public int[] sampleResponse(Prompt x, RandomGenerator rng) {
            return data.sample(x.tokens(), H, -1, Sampler.ANCESTRAL, rng);
        }

        @Override public double logProbData(Prompt x, int[] y) { return data.sequenceLogProb(x.tokens(), y); }

        @Override public Optional<List<WeightedResponse>> support(Prompt x) {
            List<WeightedResponse> out = new ArrayList<>();
            for (int[] y : all(vocabSize(), H)) {
                double lp = logProbData(x, y);
                if (lp > Double.NEGATIVE_INFINITY) out.add(new WeightedResponse(y, Math.min(0, lp)));
            }
            return Optional.of(out);
        }
    }

    static Prompt prompt(int x) { return new Prompt(new int[] {x}, "x" + x); }

    /** One prompt, one token: pi_D = delta_1 (a single correct answer), the model puts p on it. */
    static TinyTask singleAnswer() {
        return new TinyTask(new double[] {1}, new ProductModel(new double[][][] {{{0, 1}}}), 1, (x, y) -> y[0] == 1);
    }

    static ProductModel coin(double p) { return new ProductModel(new double[][][] {{{1 - p, p}}}); }

    /** Random product tables: K prompts, H positions, V tokens, entries u^spread (+ a floor, so all are positive). */
    static double[][][] randomTables(int K, int H, int V, double spread, SplittableRandom r) {
        double[][][] t = new double[K][H][V];
        for (var a : t) for (var row : a) for (int v = 0; v < V; v++) row[v] = Math.pow(r.nextDouble(), spread) + 1e-6;
        return t;
    }

    /** Every y in V^H, lexicographic. */
    static List<int[]> all(int V, int H) {
        List<int[]> out = new ArrayList<>();
        int count = (int) Math.pow(V, H);
        for (int code = 0; code < count; code++) {
            int[] y = new int[H];
            for (int h = H - 1, c = code; h >= 0; h--, c /= V) y[h] = c % V;
            out.add(y);
        }
        return out;
    }
}
