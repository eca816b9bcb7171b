package org.covlab.model;

/**
 * Exact expectations under a Markov linear model P (a {@link LinearSoftmaxModel} whose map is a
 * {@link MarkovFeatureMap}) by dynamic programming over the states (h, previous token): the state marginals
 * are pushed forward one position at a time, so a quantity of the form E_{y~P(.|x)} Σ_h f(h, y_{h-1}) costs
 * O(H |V|^2 d) instead of |V|^H. {@link SequenceEnumeration} is the slow reference the tests compare with.
 *
 * <p>All results are per position h (0-based), for one prompt; sum them for the sequence-level value.
 */
public final class MarkovDp {
    private MarkovDp() {}

    /** A per-state quantity, given the state and log P(. | x, h, prev). */
    @FunctionalInterface
    public interface StateFunction {
        double at(int h, int prev, double[] logP);
    }

    /** out[h] = E_{y ~ P(.|x)} f(h, y_{h-1}, log P(.|x, h, y_{h-1})). // (H) */
    public static double[] expectPerPosition(LinearSoftmaxModel p, int[] prompt, int H, StateFunction f) {
        requireMarkov(p);
        int V = p.vocabSize();
        double[] out = new double[H];
        double[] mass = null; // (V) law of the previous token; null at h = 0 (state START)
        for (int h = 0; h < H; h++) {
            double[] next = new double[V];
            for (int prev = (h == 0 ? MarkovFeatureMap.START : 0); prev < (h == 0 ? 0 : V); prev++) {
                double m = h == 0 ? 1.0 : mass[prev];
                if (m == 0) continue;
                double[] logP = p.nextTokenLogProbs(prompt, h, prev);
                out[h] += m * f.at(h, prev, logP);
                for (int v = 0; v < V; v++) next[v] += m * Math.exp(logP[v]);
            }
            mass = next;
        }
        return out;
    }

    /** E_P[KL(P(.|x,y_{<h}) || Q(.|x,y_{<h}))] per position; the sum is the sequence KL (section 1.4). // (H) */
    public static double[] tokenKlProfile(LinearSoftmaxModel p, LinearSoftmaxModel q, int[] prompt, int H) {
        requireMarkov(q);
        return expectPerPosition(p, prompt, H, (h, prev, logP) -> LogSpace.kl(logP, q.nextTokenLogProbs(prompt, h, prev)));
    }

    /** E_P[-log Q(y_h | x, y_{<h})] per position; the sum is the sequence cross-entropy D_CE(P || Q). // (H) */
    public static double[] crossEntropyProfile(LinearSoftmaxModel p, LinearSoftmaxModel q, int[] prompt, int H) {
        requireMarkov(q);
        return expectPerPosition(p, prompt, H, (h, prev, logP) -> {
            double[] logQ = q.nextTokenLogProbs(prompt, h, prev);
            double s = 0;
            for (int v = 0; v < logP.length; v++) s -= Math.exp(logP[v]) * logQ[v];
            return s;
        });
    }

    /**
     * The terms of sigma*^2 (Eq. 8) with P = pi_D: E_P ||phi(x, y_{1:h}) - phibar_P(x, y_{1:h-1})||^2 per position,
     * i.e. the trace of the conditional covariance of phi. The sum over h is sigma*^2 for this prompt. // (H)
     */
    public static double[] sigmaStarSqProfile(LinearSoftmaxModel p, int[] prompt, int H) {
        return expectPerPosition(p, prompt, H, (h, prev, logP) -> featureVariance(p.candidateFeatures(prompt, h, prev), logP));
    }

    /** Σ_v P(v) ||f[v] - Σ_u P(u) f[u]||^2. */
    static double featureVariance(double[][] f, double[] logP) {
        int d = f[0].length;
        double[] mean = new double[d];
        for (int v = 0; v < f.length; v++) for (int k = 0; k < d; k++) mean[k] += Math.exp(logP[v]) * f[v][k];
        double s = 0;
        for (int v = 0; v < f.length; v++) {
            double sq = 0;
            for (int k = 0; k < d; k++) sq += (f[v][k] - mean[k]) * (f[v][k] - mean[k]);
            s += Math.exp(logP[v]) * sq;
        }
        return s;
    }

    public static double sum(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s;
    }

    private static void requireMarkov(LinearSoftmaxModel m) {
        if (!m.isMarkov()) throw new IllegalArgumentException("MarkovDp needs a Markov feature map; use SequenceEnumeration");
    }
}
