package org.covlab.cli;

import java.util.concurrent.Callable;
import org.covlab.experiment.LinearSamples;
import org.covlab.experiment.LinearSamplesRun;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code covlab experiment linear-samples}: the MLE's KL and Cov_N against the sample size n. */
@Command(name = "linear-samples", mixinStandardHelpOptions = true,
        description = {"Fit the MLE on n samples of the autoregressive linear model: Prop. 3.2, pivotal tokens",
                "and Prop. 4.1(b); H in {8,32,128}, n in {16,64,256,1024,4096}. Measures exact KL, cross-entropy",
                "and Cov_N (N = 2, 4, 16, 256), and reports log-log rates in n, KL·n/H and Cov_N·n·log N.",
                "Prop. 3.2 and Thm 4.1/4.2 predict KL growing with H/n, Cov_N shrinking like 1/(n log N), no H.",
                "Seeds default to " + LinearSamplesCommand.QUICK_SEEDS + " with --quick (n up to 1024, about a minute on 2 cores) and to "
                        + LinearSamplesCommand.FULL_SEEDS + " for the",
                "full run (a few minutes): on Prop. 3.2 the MLE either sees the rare prompt or not, so means",
                "need many seeds."},
        footer = {"", "Examples:",
                "  ./covlab experiment linear-samples --quick",
                "  ./covlab experiment linear-samples --seeds 16 --out runs/ls",
                "  ./covlab experiment linear-samples --out runs/ls --resume     # after an interruption"})
public final class LinearSamplesCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    static final int QUICK_SEEDS = 16;
    static final int FULL_SEEDS = 32;

    @Mixin ExperimentOptions options;

    @Option(names = "--quick", description = "n up to 1024 instead of 4096.")
    boolean quick;

    @Override public Integer call() {
        CommandLine cli = spec.commandLine();
        return options.run(cli, () -> {
            int seeds = options.seedsOr(cli, quick ? QUICK_SEEDS : FULL_SEEDS);
            LinearSamples.Settings s = quick ? LinearSamples.Settings.quick(seeds, options.threads) : LinearSamples.Settings.full(seeds, options.threads);
            return LinearSamplesRun.run(s, quick, options.seed, options.out, options.resume);
        });
    }
}
