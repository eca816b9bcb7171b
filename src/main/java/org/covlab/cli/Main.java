package org.covlab.cli;

import java.io.UncheckedIOException;
import org.covlab.report.RunFolder;
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
                TrainCommand.class, EvalCommand.class, SampleCommand.class, BenchCommand.class},
        footer = {"", "Examples:",
                "  ./covlab demo                                  # the main job; writes runs/demo-*/report.html",
                "  ./covlab experiment linear-horizon --quick     # cross-entropy vs coverage as H grows",
                "  ./covlab passk --samples examples/samples.jsonl --k 1,10",
                "  ./covlab bon --model linear:bernoulli --H 1 --prompts 512   # Best-of-N and its coverage bounds",
                "  ./covlab coverage --records examples/records.jsonl --n 2,4,16",
                "  ./covlab select --method tournament --logprobs examples/select-logprobs.jsonl --n 4",
                "  ./covlab train --help                          # train the GPT; then eval, sample, bon, select",
                "  ./covlab help coverage                         # any command's options and examples"})
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

    /** Runs covlab and returns its exit code: 0 ok, 1 failure, 2 bad input or usage. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main()).setUsageHelpAutoWidth(true).setUsageHelpWidth(100);
        cli.setExecutionExceptionHandler((ex, line, parsed) -> {
            Throwable cause = ex;
            if (cause instanceof InputException) {
                line.getErr().println("covlab: " + cause.getMessage());
                return 2;
            }
            if (System.getenv("COVLAB_DEBUG") != null) cause.printStackTrace(line.getErr());
            String msg = cause instanceof UncheckedIOException u ? u.getMessage() : String.valueOf(cause.getMessage());
            line.getErr().println("covlab: " + cause.getClass().getSimpleName() + ": " + msg
                    + " (set COVLAB_DEBUG=1 for the stack trace)");
            return 1;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {                // an Error, which picocli's handler does not see
            System.err.printf(java.util.Locale.ROOT, "covlab: out of memory: the Java heap (%.1f GiB) is too small for this "
                    + "run; give it more with COVLAB_JAVA_OPTS=-Xmx8g (the default is -Xmx6g) or use a smaller --batch%n",
                    Runtime.getRuntime().maxMemory() / (double) (1L << 30));
            return 1;
        }
    }
}
