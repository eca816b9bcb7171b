package org.covlab.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import org.covlab.experiment.CellCluster;
import org.covlab.experiment.CellRunner;
import org.covlab.experiment.ExperimentRun;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options every experiment shares: seeds, output folder, resume, threads, a Spark cluster. */
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

    @Option(names = "--spark", paramLabel = "MASTER", description = {"Run the cells on Apache Spark: local[*], spark://HOST:7077, ...;",
            "the driver writes metrics.csv, plots and the report. --out must be on a filesystem every executor",
            "sees. Needs covlab's Spark module (./covlab adds it). See docs/scale-out.md."})
    String spark;

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
        if (threads > Checks.MAX_THREADS && !CellRunner.inWorker())  // a worker runs with the driver's --threads (config.json has it)
            throw new CommandLine.ParameterException(cli, "--threads must be at most " + Checks.MAX_THREADS + " (4 per core), got " + threads);
    }

    /**
     * What an experiment command does: checks the options, runs the experiment (which reads the options), prints its
     * summary table and where its report is; the exit code.
     */
    int run(CommandLine cli, Supplier<ExperimentRun.Outcome> experiment) {
        validate(cli);
        ExperimentRun.Outcome done;
        if (spark == null || CellRunner.inWorker()) {  // a worker is one cell of a --spark run: it runs where it is
            done = experiment.get();
        } else {
            try (CellCluster c = cluster(cli); CellRunner.Scope s = CellRunner.using(c)) {
                done = experiment.get();
            }
        }
        System.out.println(done.report().summary().render());
        System.out.println("report: " + done.dir().resolve("report.html"));
        return 0;
    }

    /** The cluster for --spark, from covlab's Spark module when it is on the class path. */
    private CellCluster cluster(CommandLine cli) {
        CellCluster.Factory f = ServiceLoader.load(CellCluster.Factory.class).findFirst().orElseThrow(() -> new CommandLine.ParameterException(cli,
                "--spark needs covlab's Spark module on the class path: run through ./covlab (it builds spark/ and adds it) or spark-submit (docs/scale-out.md)"));
        // the driver's --threads goes along: some experiments' config.json holds it, and a worker checks its config
        List<String> argv = new ArrayList<>(cli.getParseResult().originalArgs());
        argv.addAll(List.of("--threads", String.valueOf(threads)));
        return f.open(spark, argv);
    }
}
