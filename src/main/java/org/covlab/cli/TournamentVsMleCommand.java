package org.covlab.cli;

import java.util.concurrent.Callable;
import org.covlab.experiment.TournamentVsMle;
import org.covlab.experiment.TournamentVsMleRun;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code covlab experiment tournament-vs-mle}: the coverage tournaments against the MLE on Prop. 4.1's instances. */
@Command(name = "tournament-vs-mle", mixinStandardHelpOptions = true,
        description = {"On the Prop. 4.1(a) and (b) instances, with one finite class Pi each, compare the true",
                "coverage Cov_{N^(1+a)} (a = 0.1) of four choices from Pi: mle, simple-tournament (Eq. 29),",
                "offset-tournament (Eq. 32) and best-in-class, for n in {16,64,256,1024} and N in {16,64,256}.",
                "Thm 6.3/6.4 predict that the tournaments avoid the MLE's fine-grained term.",
                "Seeds default to " + TournamentVsMleCommand.QUICK_SEEDS + " with --quick (n up to 256, N in {16,256}, under a minute on 2 cores)",
                "and to " + TournamentVsMleCommand.FULL_SEEDS + " for the full run (a few minutes)."},
        footer = {"", "Examples:",
                "  ./covlab experiment tournament-vs-mle --quick",
                "  ./covlab experiment tournament-vs-mle --seeds 32 --out runs/tvm",
                "  ./covlab experiment tournament-vs-mle --out runs/tvm --resume     # after an interruption"})
public final class TournamentVsMleCommand implements Callable<Integer> {
    static final int QUICK_SEEDS = 16;
    static final int FULL_SEEDS = 24;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin ExperimentOptions options;

    @Option(names = "--quick", description = "n up to 256 and N in {16, 256}.")
    boolean quick;

    @Override public Integer call() {
        CommandLine cli = spec.commandLine();
        return options.run(cli, () -> {
            int seeds = options.seedsOr(cli, quick ? QUICK_SEEDS : FULL_SEEDS);
            TournamentVsMle.Settings s = quick ? TournamentVsMle.Settings.quick(seeds, options.threads) : TournamentVsMle.Settings.full(seeds, options.threads);
            return TournamentVsMleRun.run(s, quick, options.seed, options.out, options.resume);
        });
    }
}
