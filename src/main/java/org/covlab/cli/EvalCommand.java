package org.covlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import org.covlab.decode.TttSettings;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;
import org.covlab.train.Checkpoint;
import org.covlab.train.Checkpoints;
import org.covlab.eval.EvalRun;
import org.covlab.train.TaskSpec;
import org.covlab.util.InputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code covlab eval}: exact CE, KL, Cov_N and Pass@k of every checkpoint of a training run. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Exact metrics of every checkpoint (sorted by step), as in the paper's Fig. 2: --prompts validation prompts "
                + "PER CLASS, every response in the support of pi_D(.|x) scored by the checkpoint; CE, KL, Cov_N (the mass the "
                + "model under-covers by a factor N or more, lower is better) and Pass@k = E[1 - (1 - pi_hat(correct|x))^k], "
                + "per class and mixed with the class weights.",
                "Writes OUT/metrics.csv (one row per checkpoint and group: step, group, cross_entropy, kl, cov@N..., pass@k...; "
                        + "group 'mixed' is the class-weighted mixture), OUT/step-N/records.jsonl (log-ratio records that "
                        + "./covlab coverage --records --k turns into the same KL, Cov_N and Pass@k), kl/coverage plots (PNG, "
                        + "SVG) and report.html. './covlab task support' writes the same (prompt, response) pairs with their "
                        + "tokens, for a model scored elsewhere."},
        footer = {"", "Examples (the tiny run of './covlab train --help' first):",
                "  ./covlab eval --checkpoints runs/tiny --prompts 32 --out runs/tiny-eval",
                "  ./covlab eval --task fig2 --H 8 --checkpoints runs/tiny --prompts 16 --n 2,4.6,16 --k 1,4 \\",
                "      --out runs/tiny-eval2",
                "  ./covlab coverage --records runs/tiny-eval/step-000100/records.jsonl --n 2,4,16 --k 1,4,16",
                "  ./covlab eval --checkpoints runs/tiny/checkpoints/step-000100 --prompts 8 --records-with-tokens \\",
                "      --out runs/tiny-eval-tokens",
                "  ./covlab eval --checkpoints runs/tiny/checkpoints/step-000100 --prompts 8 \\",
                "      --ttt-lr 0.01 --ttt-steps 1 --out runs/tiny-eval-ttt",
                "The paper's protocol (1024 prompts per class):",
                "  ./covlab eval --task fig2 --H 8 --checkpoints runs/fig2-h8 --prompts 1024 --n 2,4,16 --out runs/fig2-h8-eval"})
public final class EvalCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--checkpoints", required = true, paramLabel = "DIR",
            description = "A training run folder, its checkpoints/ folder, or one checkpoint.")
    Path checkpoints;

    @Option(names = "--task", paramLabel = "T", description = "The task to evaluate on (default: the checkpoints' own).")
    String task;

    @Option(names = "--H", paramLabel = "N", description = "Its H (default: the checkpoints' own, or " + GraphTasks.DEFAULT_H + " with --task).")
    Integer H;

    @Mixin EdgeOrderOption edgeOrder;

    @Mixin TttOptions ttt;

    @Option(names = "--prompts", defaultValue = "1024", paramLabel = "P", description = "Validation prompts per class (default: ${DEFAULT-VALUE}).")
    int prompts;

    @Option(names = "--n", split = ",", defaultValue = "2,4,16", paramLabel = "N", description = "Cov_N thresholds, real >= 1 (default: ${DEFAULT-VALUE}).")
    List<Double> ns;

    @Option(names = "--k", split = ",", defaultValue = "1,4,16", paramLabel = "K", description = "Pass@k values, integers >= 1 (default: ${DEFAULT-VALUE}).")
    List<Integer> ks;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed of the validation prompts (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--records-with-tokens",
            description = "Also write each record's prompt and response tokens and text in records.jsonl (the lines of "
                    + "'task support' plus logp_model): 9 times the size at fig2 H=8, about 43 MB per checkpoint at H=24 "
                    + "with 1024 prompts per class. Without it, join on id with 'task support''s file.")
    boolean recordsWithTokens;

    @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all cores; at most 4 per core).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default: runs/eval-TIMESTAMP).")
    Path out;

    @Override public Integer call() {
        Checks.atLeast("--prompts", 1, prompts);
        for (double n : ns) if (!(n >= 1) || Double.isInfinite(n)) throw new InputException("--n: every N must be a finite number >= 1, got " + n);
        for (int k : ks) if (k < 1) throw new InputException("--k: every k must be >= 1, got " + k);
        Checks.threads(threads);
        TttSettings tttSettings = ttt.settings();
        List<Checkpoints.Entry> entries = EvalRun.find(checkpoints);
        GraphTask graphs = edgeOrder.resolve(task, H, entries.get(0).dir(), spec.commandLine().getErr());
        Checks.promptsFit("--prompts", graphs, (long) prompts * graphs.classes().size(), 16);
        EvalRun.Config c = new EvalRun.Config("eval", TaskSpec.of(graphs), checkpoints.toString(), prompts,
                new LinkedHashSet<>(ns).stream().mapToDouble(Double::doubleValue).toArray(),
                new LinkedHashSet<>(ks).stream().mapToInt(Integer::intValue).toArray(), seed, recordsWithTokens, tttSettings);
        EvalRun.Outcome o = EvalRun.run(c, graphs, entries, out, threads);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println("Exact metrics on " + graphs.name() + " H=" + graphs.H() + ", " + prompts + " prompts per class, mixed over classes "
                + graphs.groupWeights() + (tttSettings == null ? "" : ", test-time training K=" + tttSettings.steps() + " eta=" + tttSettings.lr())
                + " (Cov_N: mass under-covered by a factor >= N, lower is better):");
        stdout.print(EvalRun.table(o.rows(), c).render());
        stdout.println("per-class rows in " + o.dir().resolve(EvalRun.METRICS) + "; report: " + o.dir().resolve("report.html"));
        stdout.flush();
        return 0;
    }
}
