package org.covlab.cli;

import java.util.concurrent.Callable;
import org.covlab.experiment.LinearHorizon;
import org.covlab.experiment.LinearHorizonRun;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code covlab experiment linear-horizon}: KL vs Cov_N as H grows, for every training method. */
@Command(name = "linear-horizon", mixinStandardHelpOptions = true,
        description = {"Train every method of the paper (mle, sgd, normalized-sgd, sign-sgd, token-sgd-ttt, distill-truncated)",
                "on the autoregressive linear model across H in {8,16,32,64,128} and measure KL, cross-entropy,",
                "Cov_N (N = 2, 4, 16, 256) and Pass@N over training. Tests Prop. 3.2, Thm 4.2, Prop. 5.1, Thm 5.1, 6.1, 6.2.",
                "--quick: H in {8,32,128}, 2k samples, about a minute; the full run takes about 10 minutes on 2 cores."},
        footer = {"", "Examples:",
                "  ./covlab experiment linear-horizon --quick",
                "  ./covlab experiment linear-horizon --seeds 5 --out runs/lh",
                "  ./covlab experiment linear-horizon --out runs/lh --resume     # after an interruption"})
public final class LinearHorizonCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin ExperimentOptions options;

    @Option(names = "--quick", description = "Three horizons and a smaller budget.")
    boolean quick;

    @Override public Integer call() {
        return options.run(spec.commandLine(), () -> {
            LinearHorizon.Settings s = quick ? LinearHorizon.Settings.quick(options.seeds, options.threads)
                    : LinearHorizon.Settings.full(options.seeds, options.threads);
            return LinearHorizonRun.run(s, quick, options.seed, options.out, options.resume);
        });
    }
}
