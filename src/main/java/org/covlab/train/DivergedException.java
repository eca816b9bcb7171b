package org.covlab.train;

/**
 * Training diverged: a non-finite loss, gradient norm or weight, or a loss far above its running minimum
 * ({@link Divergence}). The CLI prints the message as one line and exits with code 3; no checkpoint with
 * non-finite numbers is written, so the newest checkpoint is the last good one.
 */
public final class DivergedException extends RuntimeException {
    public DivergedException(String message) {
        super(message);
    }
}
