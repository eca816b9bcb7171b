package org.covlab.train;

/**
 * What one update did.
 *
 * @param step     updates done after this one (1 for the first)
 * @param loss     mean token cross-entropy of the batch before the update (nats per scored token)
 * @param gradNorm global L2 norm of the loss gradient, over all parameters
 * @param lr       the rate used
 * @param tokens   positions computed: batch x padded length
 * @param seconds  wall-clock time of the step (data, forward, backward, update)
 */
public record StepStats(int step, double loss, double gradNorm, double lr, int tokens, double seconds) {
    public double tokensPerSecond() {
        return seconds > 0 ? tokens / seconds : Double.NaN;
    }
}
