package org.covlab.train;

import java.util.Locale;

/**
 * When training has diverged, checked after every step's forward and backward pass: the loss or the gradient norm
 * is not finite, or, after the first {@value #WARMUP} steps, the loss is above both {@value #FACTOR} times the
 * lowest loss so far and ln V, the loss of a uniform guess over the vocabulary (so a model near zero loss may still
 * see a hard batch). The first failing step throws {@link DivergedException} (exit code 3) before the optimizer
 * touches the weights. A resumed run starts a new minimum and a new warm-up.
 */
final class Divergence {
    /** Steps before the loss rule applies: a fresh model's first losses are its highest, and noisy. */
    static final int WARMUP = 10;
    /** How far above its lowest value the loss may go. */
    static final double FACTOR = 100;

    private final double uniformLoss;
    private double lowest = Double.POSITIVE_INFINITY;
    private int seen;

    Divergence(int vocab) {
        this.uniformLoss = Math.log(vocab);
    }

    /** Passes a finite loss (mean nats per scored token) that is not far above the lowest so far, with a finite norm. */
    void check(int step, double loss, double gradNorm, double lr) {
        String why = null;
        if (!Double.isFinite(loss)) why = "the loss is " + loss;
        else if (!Double.isFinite(gradNorm)) why = "the gradient norm is " + gradNorm;
        else if (seen >= WARMUP && loss > FACTOR * lowest && loss > uniformLoss)
            why = String.format(Locale.ROOT, "the loss %.4g is over %.0f times its lowest, %.4g, and above ln V = %.3f", loss, FACTOR, lowest, uniformLoss);
        if (why != null) {
            throw new DivergedException(String.format(Locale.ROOT, "training diverged at step %d: %s (|g| %.3g, lr %.3g); "
                    + "lower --lr", step, why, gradNorm, lr));
        }
        lowest = Math.min(lowest, loss);
        seen++;
    }
}
