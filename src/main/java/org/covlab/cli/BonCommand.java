package org.covlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.covlab.bon.BestOfN;
import org.covlab.bon.BestOfNResult;
import org.covlab.bon.BestOfNRun;
import org.covlab.bon.LinearModelSpec;
import org.covlab.metric.CoverageBounds.RegretBound;
import org.covlab.decode.TttGpt;
import org.covlab.decode.TttSettings;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.Gpt;
import org.covlab.report.Json;
import org.covlab.report.TextTable;
import org.covlab.task.Task;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;
import org.covlab.tensor.Parallel;
import org.covlab.train.Checkpoint;
import org.covlab.eval.EvalRun;
import org.covlab.util.InputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code covlab bon}: Best-of-N success against N, measured with nested draws, and predicted from coverage. */
@Command(name = "bon", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Best-of-N: for P prompts x ~ mu, draw up to max(N) responses from the model (nested: the first N "
                + "serve every N), pick the best by the task's verifier, and report the success rate per N with 95%% Wilson "
                + "intervals; where pi_hat(correct|x) is exact, also E_x[1 - (1 - pi_hat(correct|x))^N].",
                "Coverage's predictions, from Cov_M(pi_T || pi_hat) on the same prompts, where pi_T = pi_D restricted to "
                        + "correct responses (so pi_T always succeeds and regret = 1 - success): Prop. D.6's upper bound "
                        + "Cov_M + eps on regret (best M with N >= 2M log(1/eps); null where Cov_M > 1/2 for every M) and "
                        + "Prop. D.7's lower bound 1/2 Cov_2N (the regret of the worst-case 0/1 reward).",
                "Models: --model linear:INSTANCE[:key=value,...] takes a linear instance (bernoulli, prop3.2, prop4.1a, "
                        + "prop4.1b, prop5.1, propI.1, pivotal) at --H and its MLE fitted on --train-samples samples "
                        + "(0: pi_D itself). Graph tasks (fig1-finetune, fig1-pretrain, fig2) take a GPT --checkpoint "
                        + "from ./covlab train (its task unless --task/--H say otherwise). See docs/best-of-n.md."},
        footer = {"", "The --checkpoint example needs the tiny run of './covlab train --help' first.",
                "", "--json prints one object: N, success, success_ci ([lo, hi] per N), exact (a list or null), "
                + "regret_upper (null where Prop. D.6 does not apply) and regret_lower.",
                "", "Examples:",
                "  ./covlab bon --model linear:bernoulli --H 1 --prompts 512",
                "  ./covlab bon --model linear:pivotal:rule=0.2 --N 1,4,16,64 --json",
                "  ./covlab bon --task linear --model linear:pivotal:rule=0.2 --train-samples 0 --prompts 256",
                "  ./covlab bon --model linear:bernoulli:p=0.02 --H 1 --train-samples 32 --out runs/bon-bernoulli",
                "  ./covlab bon --checkpoint runs/tiny/checkpoints/step-000100 --N 1,4,16 --prompts 64",
                "  ./covlab bon --checkpoint runs/tiny/checkpoints/step-000100 --N 1,4 --prompts 16 --ttt-lr 0.01"})
public final class BonCommand implements Callable<Integer> {

    /** H when --H is absent: the graph tasks' default (Fig. 1's L and Fig. 2's smallest H), used for linear ones too. */
    static final int DEFAULT_H = GraphTasks.DEFAULT_H;
    /** The spec's grid, 1 to 1024 by doubling. */
    static final String DEFAULT_N = "1,2,4,8,16,32,64,128,256,512,1024";

    @Spec CommandSpec spec;

    @Option(names = "--task", paramLabel = "T",
            description = "fig1-finetune, fig1-pretrain or fig2 (with --checkpoint; default: the checkpoint's task); with --model linear:INSTANCE it may be "
                    + "left out, or be 'linear' or the instance's name.")
    String task;

    @Mixin EdgeOrderOption edgeOrder;

    @Mixin TttOptions ttt;

    @Option(names = "--H", paramLabel = "N", description = "Horizon: intermediate layers of a graph task, tokens of a linear one (default: " + DEFAULT_H + ").")
    Integer H;

    @Option(names = "--checkpoint", paramLabel = "C", description = "A GPT checkpoint folder (step-N) from ./covlab train.")
    Path checkpoint;

    @Option(names = "--model", paramLabel = "linear:INSTANCE[:k=v,...]", description = "A linear instance and its MLE, e.g. linear:pivotal or linear:prop3.2:n=100.")
    String model;

    @Option(names = "--train-samples", paramLabel = "n", defaultValue = "16",
            description = "Samples from pi_D the linear MLE is fitted on; 0 uses pi_D itself (default: ${DEFAULT-VALUE}).")
    int trainSamples;

    @Option(names = "--N", split = ",", paramLabel = "N", defaultValue = DEFAULT_N,
            description = "Comma-separated N, each >= 1 (default: ${DEFAULT-VALUE}).")
    List<Integer> ns;

    @Option(names = "--prompts", paramLabel = "P", defaultValue = "1024", description = "Prompts drawn from mu (default: ${DEFAULT-VALUE}).")
    int prompts;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Master seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "T", description = "Worker threads; prompts are split among them (default: all ${DEFAULT-VALUE} cores; at most 4 per core).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(names = "--out", paramLabel = "DIR", description = "Also write a run folder: config.json, results.json, metrics.csv, plots, report.html.")
    Path out;

    @Override public Integer call() {
        int[] grid = ns.stream().mapToInt(Integer::intValue).toArray();
        for (int n : grid) if (n < 1) throw new InputException("--N: every N must be >= 1, got " + n);
        Checks.atLeast("--prompts", 1, prompts);
        Checks.threads(threads);
        if (H != null) Checks.atLeast("--H", 1, H);
        if (checkpoint != null) return callCheckpoint(grid);
        if (ttt.settings() != null) throw new InputException("--ttt-lr: test-time training decodes a GPT --checkpoint");
        LinearModelSpec linear = resolveModel();
        int h = H == null ? DEFAULT_H : H;
        BestOfNRun.LinearSetup setup = BestOfNRun.LinearSetup.of(linear, h, trainSamples,
                new BestOfN.Settings(grid, prompts, seed, threads));
        String description = linear + " (" + (trainSamples == 0 ? "pi_D itself" : "MLE on " + trainSamples + " samples") + ")";
        return report(setup.instance().task(), setup.config(), setup.measure(), description);
    }

    /**
     * A GPT checkpoint on its graph task (or --task/--H). Prompts are split among --threads workers; each samples and
     * scores pi_T through its own session with serial kernels (Best-of-N's batches are mostly small: two prompts at
     * once keep two cores busy where one prompt's kernels on two threads do not).
     */
    private int callCheckpoint(int[] grid) {
        if (model != null) throw new InputException("--model: give either --model or --checkpoint, not both");
        Checkpoint ck = Checkpoint.read(checkpoint);
        GraphTask graphs = edgeOrder.resolve(task, H, checkpoint, spec.commandLine().getErr());
        EvalRun.requireFits(ck, graphs);
        Gpt gpt = ck.loadModel(Parallel.SERIAL);
        TttSettings tttSettings = ttt.settings();
        AutoregressiveModel decoder = tttSettings == null ? gpt : new TttGpt(gpt, tttSettings);
        BestOfN.Settings settings = new BestOfN.Settings(grid, prompts, seed, threads);
        BestOfNRun.Config config = new BestOfNRun.Config("bon", graphs.name(), graphs.H(), graphs.edgeOrder().cliName(), BestOfNRun.CHECKPOINT + checkpoint,
                null, settings.ns(), prompts, seed, threads, tttSettings);
        return report(graphs, config, () -> BestOfN.measure(graphs, decoder, settings), "GPT checkpoint " + checkpoint + " (step " + ck.step() + ")"
                + (tttSettings == null ? "" : " with test-time training K=" + tttSettings.steps() + " eta=" + tttSettings.lr()));
    }

    /** Measures (into a run folder with --out) and prints the table or the JSON. */
    private int report(Task t, BestOfNRun.Config config, Supplier<BestOfNResult> measure, String description) {
        BestOfNRun.Outcome run = out == null ? null : BestOfNRun.run(config, measure, out);
        BestOfNResult result = run == null ? measure.get() : run.result();

        PrintWriter stdout = spec.commandLine().getOut();
        if (json) stdout.println(Json.toJson(result.json()));
        else stdout.print(table(t.name(), description, result));
        if (run != null && !json) stdout.println("report: " + run.dir().resolve("report.html"));
        stdout.flush();
        return 0;
    }

    /** The linear model to use, after checking --task and --model fit together. */
    private LinearModelSpec resolveModel() {
        boolean graph = task != null && GraphTasks.NAMES.contains(task);
        if (model == null) {
            if (graph) throw new InputException("--task " + task + ": graph tasks need a transformer --checkpoint "
                    + "(train one with ./covlab train), or use a linear model (try --model linear:pivotal)");
            throw new InputException("--model: give --model linear:INSTANCE or --checkpoint C");
        }
        LinearModelSpec linear = LinearModelSpec.parse(model);
        if (task != null && !task.equals(LinearModelSpec.PREFIX) && !task.equalsIgnoreCase(linear.instance())) {
            throw new InputException("--task: " + (graph ? task + " needs a transformer --checkpoint; " : "unknown or mismatched task '" + task + "'; ")
                    + "with --model " + model + " leave --task out or give 'linear' or '" + linear.instance() + "'");
        }
        return linear;
    }

    private String table(String taskName, String description, BestOfNResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Best-of-N on %s, model %s, %d prompts, seed %d%n", taskName, description, r.prompts(), seed));
        sb.append(String.format(Locale.ROOT, "%d draws in %.2f s (%.0f draws/s); pi_T = pi_D on correct responses (%s), "
                        + "its success %.4f%n", r.drawn(), r.drawSeconds(), r.drawsPerSecond(),
                r.targetExact() ? "exact" : "Monte Carlo", r.targetSuccess()));
        TextTable t = TextTable.withHeader("N", "success", "95% CI", "exact", "regret <= (D.6)", "M", "regret >= (D.7)");
        for (int i = 0; i < r.ns().length; i++) {
            RegretBound u = r.regretUpper()[i];
            t.row(r.ns()[i], r.success()[i].value(),
                    String.format(Locale.ROOT, "[%.4f, %.4f]", r.success()[i].lower(), r.success()[i].upper()),
                    r.exact() == null ? "n/a" : r.exact()[i], u == null ? "n/a" : u.value(), u == null ? "" : u.m(), r.regretLower()[i]);
        }
        return sb.append(t.render()).toString();
    }
}
