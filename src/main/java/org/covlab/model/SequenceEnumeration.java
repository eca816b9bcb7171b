package org.covlab.model;

import java.util.function.Consumer;

/**
 * The plain reference for exact sequence-level quantities: enumerate all |V|^H responses. Works for any
 * {@link AutoregressiveModel} (also the improper TTT model), but only for small |V|^H ({@link #LIMIT}).
 */
public final class SequenceEnumeration {
    private SequenceEnumeration() {}

    /** The most responses we are willing to list for one prompt. */
    public static final long LIMIT = 1L << 20;

    /** |V|^H, or Long.MAX_VALUE when it overflows. */
    public static long count(int vocab, int H) {
        long n = 1;
        for (int h = 0; h < H; h++) {
            if (n > Long.MAX_VALUE / vocab) return Long.MAX_VALUE;
            n *= vocab;
        }
        return n;
    }

    public static boolean feasible(int vocab, int H) { return count(vocab, H) <= LIMIT; }

    /** Calls {@code action} on every y in V^H in lexicographic order; the array is reused, copy it to keep it. */
    public static void forEach(int vocab, int H, Consumer<int[]> action) {
        if (!feasible(vocab, H)) throw new IllegalArgumentException(vocab + "^" + H + " responses is too many to enumerate");
        int[] y = new int[H];
        while (true) {
            action.accept(y);
            int h = H - 1;
            while (h >= 0 && ++y[h] == vocab) y[h--] = 0;
            if (h < 0) return;
        }
    }

    /** Σ_y m(y|x): 1 for a normalised model. */
    public static double totalMass(AutoregressiveModel m, int[] prompt, int H) {
        double[] s = {0};
        forEach(m.vocabSize(), H, y -> s[0] += Math.exp(m.sequenceLogProb(prompt, y)));
        return s[0];
    }

    /** KL(P(.|x) || Q(.|x)) = Σ_y P(y) (log P(y) - log Q(y)), from sequence log-probs. */
    public static double sequenceKl(AutoregressiveModel p, AutoregressiveModel q, int[] prompt, int H) {
        double[] s = {0};
        forEach(p.vocabSize(), H, y -> {
            double lp = p.sequenceLogProb(prompt, y);
            s[0] += Math.exp(lp) * (lp - q.sequenceLogProb(prompt, y));
        });
        return s[0];
    }

    /** D_CE(P || Q) = Σ_y P(y) (-log Q(y)). */
    public static double crossEntropy(AutoregressiveModel p, AutoregressiveModel q, int[] prompt, int H) {
        double[] s = {0};
        forEach(p.vocabSize(), H, y -> s[0] -= Math.exp(p.sequenceLogProb(prompt, y)) * q.sequenceLogProb(prompt, y));
        return s[0];
    }

    /** E_P[KL(P(.|x,y_{<h}) || Q(.|x,y_{<h}))] per position, weighting each full response by P(y). // (H) */
    public static double[] tokenKlProfile(AutoregressiveModel p, AutoregressiveModel q, int[] prompt, int H) {
        double[] out = new double[H];
        forEach(p.vocabSize(), H, y -> {
            double w = Math.exp(p.sequenceLogProb(prompt, y));
            for (int h = 0; h < H; h++) {
                int[] prefix = java.util.Arrays.copyOf(y, h);
                out[h] += w * LogSpace.kl(p.nextTokenLogProbs(prompt, prefix), q.nextTokenLogProbs(prompt, prefix));
            }
        });
        return out;
    }

    /** sigma*^2 for one prompt in its gradient form, E_{y~P} ||∇ log pi_theta(y|x)|| ^2 at theta = P's theta. */
    public static double sigmaStarSq(LinearSoftmaxModel p, int[] prompt, int H) {
        double[] s = {0};
        forEach(p.vocabSize(), H, y -> {
            double[] g = new double[p.dim()];
            double lp = p.addSequenceGradient(prompt, y, 1.0, g);
            s[0] += Math.exp(lp) * LinearSoftmaxModel.dot(g, g);
        });
        return s[0];
    }
}
