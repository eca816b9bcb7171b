package org.covlab.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.covlab.experiment.CellFailedException;
import org.covlab.experiment.CellRunner;
import org.covlab.report.RunFolder;
import org.covlab.train.DivergedException;
import org.covlab.util.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * covlab: the coverage principle, measured (Chen et al., ICLR 2026).
 *
 * <p>What it is: a toolkit that measures a model's coverage profile Cov_N against an exactly known data
 * distribution, trains autoregressive models with the paper's interventions, predicts Best-of-N from coverage,
 * and selects checkpoints by tournament. What it is not: a general deep-learning framework; the models are
 * small, pure-Java and CPU-only, built to make the paper's quantities exact.
 */
@Command(name = "covlab", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Measure coverage, train with the coverage principle's interventions, select by tournament.",
        subcommands = {CommandLine.HelpCommand.class, DemoCommand.class, ExperimentCommand.class, CoverageCommand.class,
                PasskCommand.class, BonCommand.class, ReportCommand.class, SelectCommand.class, TaskCommand.class,
                TrainCommand.class, EvalCommand.class, SampleCommand.class, ImportCommand.class, BenchCommand.class},
        footer = {"", "Examples:",
                "  ./covlab demo                                  # the main job; writes runs/demo-*/report.html",
                "  ./covlab experiment linear-horizon --quick     # cross-entropy vs coverage as H grows",
                "  ./covlab passk --samples examples/samples.jsonl --k 1,10",
                "  ./covlab bon --model linear:bernoulli --H 1 --prompts 512   # Best-of-N and its coverage bounds",
                "  ./covlab coverage --records examples/records.jsonl --n 2,4,16",
                "  ./covlab select --method tournament --logprobs examples/select-logprobs.jsonl --n 4",
                "  ./covlab train --help                          # train the GPT; then eval, sample, bon, select",
                "  ./covlab help coverage                         # any command's options and examples",
                "", "Exit codes: 0 success; 2 bad input or refused resources (one line naming the file, field or option);",
                "3 training diverged (train, experiments); 4 a cell failed on a --spark cluster after its retries",
                "(rerun with --resume); 1 a bug (COVLAB_DEBUG=1 prints its stack trace). See docs/reliability.md."})
public final class Main implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** The version from the jar's filtered resource, so it follows the pom. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() { return new String[] {"covlab " + RunFolder.version()}; }
    }

    @Override public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Exit codes: success, a bug (with its stack trace behind COVLAB_DEBUG=1), bad input or refused resources, diverged
     * training, a cell that failed on a cluster after its retries (--spark; 3 when its training diverged).
     */
    public static final int OK = 0, BUG = 1, USER_ERROR = 2, DIVERGED = 3, CELL_FAILED = 4;

    /** Runs covlab and returns its exit code ({@link #OK}, {@link #BUG}, {@link #USER_ERROR}, {@link #DIVERGED}, {@link #CELL_FAILED}). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main()).setUsageHelpAutoWidth(true).setUsageHelpWidth(100);
        cli.setExecutionExceptionHandler((ex, line, parsed) -> report(ex, line.getErr()));
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError | StackOverflowError e) {      // Errors, which picocli's handler does not see
            return report(e, new PrintWriter(System.err, true));
        }
    }

    /**
     * Runs cell {@code key} of the run in {@code dir} that the experiment command {@code argv} started, with
     * {@code threads} threads for the cell: one task of a {@code --spark} run (org.covlab.experiment.CellCluster).
     * Writes that cell's files (and, in fig1-selection, the same bytes again to the tables of the steps before it);
     * what goes wrong is thrown (the cluster retries, then reports it).
     */
    public static void runCell(List<String> argv, Path dir, String key, int threads) throws Exception {
        List<String> args = new ArrayList<>(argv);
        args.addAll(List.of("--out", dir.toString(), "--resume"));
        CommandLine cli = new CommandLine(new Main()).setOverwrittenOptionsAllowed(true);
        List<CommandLine> parsed = cli.parseArgs(args.toArray(String[]::new)).asCommandLineList();
        if (!(parsed.get(parsed.size() - 1).getCommand() instanceof Callable<?> command))
            throw new IllegalArgumentException("not an experiment command: " + argv);
        try (CellRunner.Scope w = CellRunner.worker(key, threads)) {
            command.call();
        } catch (CellRunner.CellDone done) {
            return;
        }
        throw new IllegalStateException("the run of " + argv + " has no cell " + key);
    }

    /** One line on stderr for what ended the command, and its exit code. */
    static int report(Throwable ex, PrintWriter err) {
        Throwable cause = ex;       // picocli wraps what a method subcommand throws
        while (cause instanceof CommandLine.ExecutionException && cause.getCause() != null) cause = cause.getCause();
        if (cause instanceof InputException || cause instanceof UncheckedIOException || cause instanceof DivergedException
                || cause instanceof CellFailedException) {
            err.println("covlab: " + cause.getMessage());
            err.flush();
            if (cause instanceof CellFailedException f) return f.diverged() ? DIVERGED : CELL_FAILED;
            return cause instanceof DivergedException ? DIVERGED : USER_ERROR;
        }
        if (System.getenv("COVLAB_DEBUG") != null) cause.printStackTrace(err);
        if (cause instanceof OutOfMemoryError) {
            err.printf(Locale.ROOT, "covlab: out of memory although the sizes were checked against the Java heap (%.1f GiB): "
                    + "a bug; give the heap more with COVLAB_JAVA_OPTS=-Xmx8g (the default is -Xmx6g)%n",
                    Runtime.getRuntime().maxMemory() / (double) (1L << 30));
        } else {
            err.println("covlab: bug: " + cause.getClass().getSimpleName() + ": " + cause.getMessage()
                    + " (set COVLAB_DEBUG=1 for the stack trace)");
        }
        err.flush();
        return BUG;
    }
}
