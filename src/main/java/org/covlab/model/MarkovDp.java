package org.covlab.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    /** One atom of the law of (log P(y|x), log Q(y|x)) under y ~ P(.|x): both sequence log-probs and their mass. */
    public record LogProbAtom(double logP, double logQ, double mass) {}

    /** Pairs of running sums closer than this (in both coordinates) are merged into one atom. */
    public static final double MERGE_RESOLUTION = 0x1p-32;
    /** Atoms lighter than this are dropped: at most {@code maxAtoms * H * PRUNE_MASS} of the mass is lost. */
    public static final double PRUNE_MASS = 1e-24;

    private record PairKey(int prev, long logP, long logQ) {}

    /**
     * The exact joint law of (log P(y|x), log Q(y|x)) for y ~ P(.|x), both Markov linear models on the same map: a
     * DP over the states (h, previous token, running pair of sums), where equal running pairs (up to
     * {@link #MERGE_RESOLUTION}) merge. It is small whenever the next-token log-probs take few distinct values, as in
     * the paper's instances (Prop. 3.2: H+1 atoms; pivotal tokens: about (H-k+1) C(k+V-1, V-1)), and gives Cov_N
     * exactly (Def. 1.1) where Monte Carlo cannot resolve tails of 1/n. Empty when some position holds more than
     * {@code maxAtoms} atoms. The atoms come in a fixed order (bit-identical across runs).
     */
    public static Optional<List<LogProbAtom>> logProbPairs(LinearSoftmaxModel p, LinearSoftmaxModel q, int[] prompt, int H,
                                                           int maxAtoms) {
        requireMarkov(p);
        requireMarkov(q);
        int V = p.vocabSize();
        Map<PairKey, double[]> states = new LinkedHashMap<>(); // -> {mass, logP, logQ}
        states.put(new PairKey(MarkovFeatureMap.START, 0, 0), new double[] {1, 0, 0});
        for (int h = 0; h < H; h++) {
            double[][] logP = new double[V + 1][], logQ = new double[V + 1][]; // (prev+1, V): once per state (h, prev)
            Map<PairKey, double[]> next = new HashMap<>(2 * states.size() * V);
            List<PairKey> order = new ArrayList<>();
            for (Map.Entry<PairKey, double[]> e : states.entrySet()) {
                int prev = e.getKey().prev();
                if (logP[prev + 1] == null) {
                    logP[prev + 1] = p.nextTokenLogProbs(prompt, h, prev);
                    logQ[prev + 1] = q.nextTokenLogProbs(prompt, h, prev);
                }
                double[] s = e.getValue();
                for (int v = 0; v < V; v++) {
                    double m = s[0] * Math.exp(logP[prev + 1][v]);
                    if (m < PRUNE_MASS) continue;
                    double a = s[1] + logP[prev + 1][v], b = s[2] + logQ[prev + 1][v];
                    PairKey key = new PairKey(v, Math.round(a / MERGE_RESOLUTION), Math.round(b / MERGE_RESOLUTION));
                    double[] t = next.get(key);
                    if (t == null) {
                        next.put(key, new double[] {m, a, b});
                        order.add(key);
                    } else {
                        t[0] += m;
                    }
                }
            }
            if (order.size() > maxAtoms) return Optional.empty();
            states = new LinkedHashMap<>();
            for (PairKey k : order) states.put(k, next.get(k));
        }
        Map<PairKey, double[]> merged = new LinkedHashMap<>(); // forget the previous token
        for (Map.Entry<PairKey, double[]> e : states.entrySet()) {
            PairKey k = new PairKey(0, e.getKey().logP(), e.getKey().logQ());
            double[] t = merged.get(k);
            if (t == null) merged.put(k, e.getValue().clone()); else t[0] += e.getValue()[0];
        }
        List<LogProbAtom> out = new ArrayList<>(merged.size());
        for (double[] t : merged.values()) out.add(new LogProbAtom(Math.min(0, t[1]), Math.min(0, t[2]), t[0]));
        return Optional.of(out);
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
