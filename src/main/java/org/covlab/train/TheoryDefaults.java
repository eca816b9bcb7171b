package org.covlab.train;

/**
 * Every default hyperparameter of the linear-testbed methods, with its reason, in one place. They are the paper's
 * theory settings (section 2.3-2.4), which use the exact sigma*^2 (an oracle the theorems allow) and the number of
 * steps T. The theorems' constants are worst-case (e.g. 1/(128B)); expect these defaults to be conservative.
 */
public final class TheoryDefaults {
    private TheoryDefaults() {}

    /** The tail level N the defaults are tuned for (log N enters Thm 5.1, 6.2): Cov_16, the headline metric. */
    public static final double TARGET_N = 16;

    /** MLE solver: stop when the projected-gradient step moves theta by less than this (average log-lik scale). */
    public static final double MLE_TOLERANCE = 1e-10;

    /** MLE solver: an iteration cap; the concave problems here converge in far fewer. */
    public static final int MLE_MAX_ITERATIONS = 20_000;

    /**
     * Sequence SGD (Prop. 5.1): the bound E[avg KL] <= 4/(eta T) + 2 eta sigma*^2 needs eta <= 1/(2 H B^2); within
     * that cap the bound is minimised at eta = sqrt(2 / (sigma*^2 T)).
     */
    public static double sgdEta(double B, int H, double sigmaStarSq, long T) {
        return Math.min(1 / (2 * H * B * B), Math.sqrt(2 / (sigmaStarSq * T)));
    }

    /** Normalized SGD (Thm 5.1, App. I.5), M = log N: eta = min{1/(128 B), (M / (sigma*^2 T))^{1/4}}. */
    public static double normalizedEta(double B, double sigmaStarSq, long T, double logN) {
        return Math.min(1 / (128 * B), Math.pow(logN / (sigmaStarSq * T), 0.25));
    }

    /** Normalized SGD (Thm 5.1, App. I.5): lambda = M / (16 eta), which meets the proof's lambda eta / M <= 1/16. */
    public static double normalizedLambda(double eta, double logN) { return logN / (16 * eta); }

    /**
     * Normalized SGD batch K (Thm 5.1): with n = T K samples the bound's terms B^2/T = B^2 K/n and B/(K log N)
     * balance at K = sqrt(n / (B log N)); the paper's K = O(B/(eps log N) + 1) is the same choice at target eps.
     */
    public static int normalizedBatch(long samples, double B, double logN) {
        return (int) Math.max(1, Math.min(samples, Math.round(Math.sqrt(samples / (B * logN)))));
    }

    /**
     * SignSGD (Eq. 20) has no theory. It gets normalized SGD's batch, and a step eta_norm / sqrt(d) so that its step
     * length, eta ||sign(g)|| <= eta sqrt(d), matches normalized SGD's: the two then differ only in geometry.
     */
    public static double signEta(double normalizedEta, int d) { return normalizedEta / Math.sqrt(d); }

    /** Token-level SGD + TTT (Thm 6.1): eta = min{1/(2 B^2), (1/(sigma*^2 T))^{1/2}}; the proof needs eta <= 1/(2 B^2). */
    public static double tokenEta(double B, double sigmaStarSq, long T) {
        return Math.min(1 / (2 * B * B), Math.sqrt(1 / (sigmaStarSq * T)));
    }

    /** Truncated distillation (Thm 6.2): eta = min{1/((64 log N + 2) B^2), (1/(T sigma*^2 log N))^{1/2}}, A = log N. */
    public static double distillEta(double B, double sigmaStarSq, long T, double logN) {
        return Math.min(1 / ((64 * logN + 2) * B * B), Math.sqrt(1 / (T * sigmaStarSq * logN)));
    }
}
