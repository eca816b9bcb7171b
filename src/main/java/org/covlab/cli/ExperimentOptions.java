package org.covlab.cli;

import java.nio.file.Path;
import java.util.function.Supplier;
import org.covlab.experiment.ExperimentRun;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options every experiment shares: seeds, output folder, resume, threads. */
public final class ExperimentOptions {

    @Option(names = "--seeds", paramLabel = "K", description = "Seeds per setting (default: ${DEFAULT-VALUE}, unless the experiment says otherwise).")
    int seeds = 3;

    @Option(names = "--seed", paramLabel = "S", description = "Master seed; every stream derives from it (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default: runs/NAME-TIMESTAMP).")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out (or the newest runs/NAME-*), skipping finished cells.")
    boolean resume;

    @Option(names = "--threads", paramLabel = "T", description = "Worker threads (default: all ${DEFAULT-VALUE} cores; at most 4 per core).")
    int threads = Runtime.getRuntime().availableProcessors();

    /** The user's --seeds, or null when it was not given (the experiment's scale decides). */
    Integer seedsGiven(CommandLine cli) {
        return cli.getParseResult().hasMatchedOption("--seeds") ? seeds : null;
    }

    /** The user's --seeds, or the experiment's own default when it was not given. */
    int seedsOr(CommandLine cli, int experimentDefault) {
        Integer given = seedsGiven(cli);
        return given == null ? experimentDefault : given;
    }

    /** Checks the numbers a user typed; picocli reports the message with exit code 2. */
    void validate(CommandLine cli) {
        if (seeds < 1) throw new CommandLine.ParameterException(cli, "--seeds must be >= 1, got " + seeds);
        if (threads < 1) throw new CommandLine.ParameterException(cli, "--threads must be >= 1, got " + threads);
        if (threads > Checks.MAX_THREADS)
            throw new CommandLine.ParameterException(cli, "--threads must be at most " + Checks.MAX_THREADS + " (4 per core), got " + threads);
    }

    /**
     * What an experiment command does: checks the options, runs the experiment (which reads the options), prints its
     * summary table and where its report is; the exit code.
     */
    int run(CommandLine cli, Supplier<ExperimentRun.Outcome> experiment) {
        validate(cli);
        ExperimentRun.Outcome done = experiment.get();
        System.out.println(done.report().summary().render());
        System.out.println("report: " + done.dir().resolve("report.html"));
        return 0;
    }
}
