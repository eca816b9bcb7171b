package org.covlab.cli;

import org.covlab.experiment.Scale;
import picocli.CommandLine.Option;

/** {@code --scale}, shared by the GPT experiments (fig1-selection, fig2-horizon, gpt-interventions). */
public final class ScaleOption {

    @Option(names = "--scale", paramLabel = "S", defaultValue = "small",
            description = "demo, small or paper (default: ${DEFAULT-VALUE}); without --seeds each scale has its own seeds (above).")
    String value;

    /** The scale given (an input error naming --scale otherwise). */
    Scale scale() { return Scale.parse(value); }
}
