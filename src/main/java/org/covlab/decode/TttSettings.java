package org.covlab.decode;

/**
 * How the GPT's test-time-training decoder {@link TttGpt} adapts (the transformer form of Eqs. 22-23, Krause et al.
 * 2019's dynamic evaluation): after each token y_h of the response, {@code steps} plain SGD steps
 * {@code vartheta <- vartheta + lr ∇ log pi_vartheta(y_h | x, y_{<h})} on that token, the paper's update with
 * Theta = R^d (no projection). {@code steps = 1} is Eq. 22 itself; {@code steps = 0} or {@code lr = 0} is the plain
 * model.
 *
 * @param steps K, gradient steps after each token, >= 0
 * @param lr    eta, the step size, finite and >= 0
 */
public record TttSettings(int steps, double lr) {

    /** No adaptation: the plain model. */
    public static final TttSettings OFF = new TttSettings(0, 0);

    public TttSettings {
        if (steps < 0) throw new IllegalArgumentException("TTT steps must be >= 0, got " + steps);
        if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("TTT lr must be finite and >= 0, got " + lr);
    }

    /** Whether the decoder never moves the weights (K = 0 or lr = 0). */
    public boolean off() {
        return steps == 0 || lr == 0;
    }
}
