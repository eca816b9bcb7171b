package org.covlab.cli;

import org.covlab.decode.TttSettings;
import org.covlab.util.InputException;
import picocli.CommandLine.Option;

/**
 * {@code --ttt-lr} and {@code --ttt-steps}: decode a GPT checkpoint with test-time training ({@link TttSettings},
 * Eqs. 22-23 as dynamic evaluation), shared by {@code eval} and {@code bon}.
 */
public final class TttOptions {

    @Option(names = "--ttt-lr", paramLabel = "ETA",
            description = "Test-time training (Eqs. 22-23, dynamic evaluation): after each token of a response, SGD steps of size ETA on "
                    + "that token's log-prob, the weights reset to the checkpoint's for every response; scoring is exact for this "
                    + "decoder (default: off).")
    Double lr;

    @Option(names = "--ttt-steps", paramLabel = "K", description = "SGD steps per token with --ttt-lr (default: 1, Eq. 22).")
    Integer steps;

    /** The settings given, or null without --ttt-lr. */
    TttSettings settings() {
        if (lr == null) {
            if (steps != null) throw new InputException("--ttt-steps: give the step size with --ttt-lr too");
            return null;
        }
        if (!(lr >= 0) || Double.isInfinite(lr)) throw new InputException("--ttt-lr: must be a finite number >= 0, got " + lr);
        if (steps != null) Checks.atLeast("--ttt-steps", 0, steps);
        return new TttSettings(steps == null ? 1 : steps, lr);
    }
}
