package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

/** The tiny training run of {@code ./covlab train --help}'s first example, for commands that need checkpoints. */
final class TinyTraining {
    private TinyTraining() {}

    static final String[] ARGS = {"train", "--task", "fig2", "--H", "8", "--layers", "1", "--heads", "2", "--dmodel", "32",
            "--batch", "16", "--lr", "3e-3", "--steps", "100", "--checkpoint-every", "50"};

    /** Trains into {@code out} (checkpoints at steps 0, 50, 100) and returns {@code out}. */
    static Path run(Path out) {
        String[] args = java.util.Arrays.copyOf(ARGS, ARGS.length + 2);
        args[ARGS.length] = "--out";
        args[ARGS.length + 1] = out.toString();
        CliRun r = CliRun.of(args);
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        return out;
    }

    /** The newest checkpoint of a tiny run. */
    static Path checkpoint(Path run) {
        return run.resolve("checkpoints/step-000100");
    }
}
