package org.covlab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code covlab experiment NAME}: the named, reproducible experiments. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Run a named experiment into a run folder (config.json, metrics.csv, plots, results.json, report.html).",
        subcommands = {Fig1SelectionCommand.class, Fig2HorizonCommand.class, GptInterventionsCommand.class, LinearHorizonCommand.class, LinearSamplesCommand.class, TournamentVsMleCommand.class},
        footer = {"", "Examples:",
                "  ./covlab experiment linear-horizon --quick",
                "  ./covlab experiment linear-samples --quick",
                "  ./covlab experiment tournament-vs-mle --quick",
                "  ./covlab experiment linear-horizon --seeds 5 --out runs/lh",
                "  ./covlab experiment linear-horizon --quick --spark 'local[*]'   # cells on Apache Spark"})
public final class ExperimentCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() {
        spec.commandLine().usage(System.out);
    }
}
