package org.covlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.covlab.model.GptConfig;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;
import org.covlab.train.CheckpointPolicy;
import org.covlab.train.LrSchedule;
import org.covlab.train.Optimizer;
import org.covlab.train.TaskData;
import org.covlab.train.TaskSpec;
import org.covlab.train.TrainConfig;
import org.covlab.train.TrainRun;
import org.covlab.util.InputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code covlab train}: next-token prediction of the GPT on a graph task, with checkpoints and resume. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train the GPT (pure Java, CPU) by next-token prediction on a graph task: batches of x ~ mu, "
                + "y ~ pi_D(.|x), teacher forcing, the loss on response tokens. Defaults are the paper's model and "
                + "optimizer (section 4.1: 6 layers, 4 heads, d 384, batch 128, AdamW at lr 1e-4, weight decay 0.01, "
                + "a fixed dataset of 8 x 64,000 samples).",
                "Writes OUT/config.json, OUT/metrics.csv (step, loss, grad_norm, lr, tokens_per_s), OUT/results.json and "
                        + "OUT/checkpoints/step-N/ (config.json, model.safetensors with PyTorch's state_dict names, "
                        + "optimizer.safetensors, state.json). --resume continues a killed run from its newest complete "
                        + "checkpoint and ends with the same weights, bit for bit. See docs/training.md.",
                "Exit codes: 0 done; 2 bad input, or a model and batch the Java heap cannot hold; 3 training diverged: the "
                        + "loss or gradient norm is not finite, or after 10 steps the loss is above both 100x its lowest and "
                        + "ln V (a uniform guess). It stops at that step with no checkpoint of non-finite numbers (the newest "
                        + "is the last good one); lower --lr. See docs/reliability.md."},
        footer = {"", "Examples (a tiny model; each finishes in seconds):",
                "  ./covlab train --task fig2 --H 8 --layers 1 --heads 2 --dmodel 32 --batch 16 --lr 3e-3 \\",
                "      --steps 100 --checkpoint-every 50 --out runs/tiny",
                "  ./covlab train --task fig2 --H 8 --layers 1 --heads 2 --dmodel 32 --batch 16 --lr 3e-3 \\",
                "      --steps 100 --checkpoint-every 50 --out runs/tiny --resume    # nothing left to do",
                "  ./covlab eval --checkpoints runs/tiny --prompts 32 --out runs/tiny-eval",
                "The paper's Fig. 2 run (days on 2 cores; docs/training.md has a run of minutes):",
                "  ./covlab train --task fig2 --H 8 --steps 40000 --checkpoint-every 1000 --out runs/fig2-h8"})
public final class TrainCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--task", required = true, paramLabel = "T", description = "fig1-finetune, fig1-pretrain or fig2.")
    String task;

    @Option(names = "--H", paramLabel = "N", description = "Intermediate layers of the graphs (default: " + GraphTasks.DEFAULT_H + ").")
    Integer H;

    @Mixin EdgeOrderOption edgeOrder;

    @Option(names = "--steps", required = true, paramLabel = "S", description = "Optimizer updates (the paper: 40000 for Fig. 2).")
    int steps;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default: runs/train-TIMESTAMP).")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its newest complete checkpoint (the settings must be the same).")
    boolean resume;

    @Option(names = "--layers", defaultValue = "6", paramLabel = "L", description = "Transformer blocks (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", defaultValue = "4", paramLabel = "A", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--dmodel", defaultValue = "384", paramLabel = "D", description = "Width, a multiple of --heads (default: ${DEFAULT-VALUE}).")
    int dModel;

    @Option(names = "--ctx", paramLabel = "C", description = "Context length (default: the task's longest prompt + response - 1, e.g. 160 for fig2 H=8).")
    Integer ctx;

    @Option(names = "--batch", defaultValue = "128", paramLabel = "B", description = "Sequences per update (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-4", paramLabel = "LR", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--warmup", defaultValue = "0", paramLabel = "W", description = "Linear warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--cosine", description = "Cosine decay from --lr to --min-lr after the warm-up.")
    boolean cosine;

    @Option(names = "--min-lr", defaultValue = "0", paramLabel = "LR", description = "Where the cosine ends (default: ${DEFAULT-VALUE}).")
    double minLr;

    @Option(names = "--optimizer", defaultValue = "adamw", paramLabel = "O",
            description = "adamw, sgd (Eq. 14: a step on each sequence's summed log-loss), normalized (Eq. 18 on the full gradient) or sign (Eq. 20) (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--weight-decay", defaultValue = "0.01", paramLabel = "WD", description = "AdamW's weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--beta2", defaultValue = "0.999", paramLabel = "B2", description = "AdamW's beta2 (default: ${DEFAULT-VALUE}, torch's; 0.95 shortens the graph tasks' loss plateau, docs/training.md).")
    double beta2;

    @Option(names = "--grad-clip", defaultValue = "0", paramLabel = "C", description = "Clip the global gradient norm to C before each update, 0 = never (default: ${DEFAULT-VALUE}).")
    double gradClip;

    @Option(names = "--lambda", defaultValue = "1.0", paramLabel = "L", description = "Eq. 18's lambda, for --optimizer normalized (default: ${DEFAULT-VALUE}).")
    double lambda;

    @Option(names = "--loss-on", defaultValue = "response", paramLabel = "W", description = "response or all: which target tokens carry loss (default: ${DEFAULT-VALUE}).")
    String lossOn;

    @Option(names = "--dataset", defaultValue = "512000", paramLabel = "N|online",
            description = "A fixed dataset of N samples cycled in a new order each epoch, or online: fresh samples every batch (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--checkpoint-every", paramLabel = "K", description = "Steps between checkpoints (default: steps / 10; also at 0 and the last step).")
    Integer checkpointEvery;

    @Option(names = "--keep-last", defaultValue = "0", paramLabel = "K", description = "Keep only the newest K checkpoints (0: all) ...")
    int keepLast;

    @Option(names = "--keep-every", defaultValue = "0", paramLabel = "M", description = "... and every checkpoint whose step is a multiple of M (default: ${DEFAULT-VALUE}).")
    int keepEvery;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Master seed: init, data, shuffle (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all cores; at most 4 per core). Results do not depend on it.")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override public Integer call() {
        GraphTask graphs = GraphTasks.byName(task, H, edgeOrder.order());
        TrainRun.Config config = new TrainRun.Config("train", TaskSpec.of(graphs), model(graphs), training(), checkpoints());
        Checks.threads(threads);
        TrainRun.Outcome o = TrainRun.run(config, graphs, out, resume, threads);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(Locale.ROOT, "%s %s: %d steps%s, final loss %.4f (mean of the last steps), %.0f tokens/s%n", graphs.name(),
                "H=" + graphs.H(), o.steps(), o.resumed() ? " (resumed)" : "", o.finalLoss(), o.tokensPerSecond());
        stdout.println("run folder: " + o.dir() + "  (checkpoints in " + o.dir().resolve("checkpoints") + ")");
        stdout.flush();
        return 0;
    }

    private GptConfig model(GraphTask graphs) {
        int need = graphs.maxPromptLength() + graphs.maxResponseLength() - 1;
        int c = ctx == null ? need : ctx;
        if (c < need) throw new InputException("--ctx: " + graphs + " needs " + need + " positions (longest prompt + response - 1), got " + c);
        Checks.atLeast("--layers", 1, layers);
        Checks.atLeast("--heads", 1, heads);
        if (dModel < 1 || dModel % heads != 0) throw new InputException("--dmodel: must be a positive multiple of --heads (" + heads + "), got " + dModel);
        try {
            return new GptConfig(graphs.vocabSize(), c, layers, heads, dModel);
        } catch (IllegalArgumentException e) {
            throw new InputException("--layers, --dmodel, --ctx, --H: " + e.getMessage());
        }
    }

    private TrainConfig training() {
        Checks.atLeast("--steps", 1, steps);
        Checks.atLeast("--batch", 1, batch);
        Checks.positive("--lr", lr);
        Checks.atLeast("--warmup", 0, warmup);
        if (!(minLr >= 0 && minLr <= lr)) throw new InputException("--min-lr: must be in [0, --lr], got " + minLr);
        Optimizer.Kind kind = Optimizer.Kind.parse(optimizer);
        if (kind == null) throw new InputException("--optimizer: unknown '" + optimizer + "'; choose adamw, sgd, normalized or sign");
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) throw new InputException("--weight-decay: must be >= 0, got " + weightDecay);
        Checks.positive("--lambda", lambda);
        if (!(beta2 >= 0 && beta2 < 1)) throw new InputException("--beta2: must be in [0, 1), got " + beta2);
        if (!(gradClip >= 0) || Double.isInfinite(gradClip)) throw new InputException("--grad-clip: must be >= 0 (0 = never), got " + gradClip);
        TaskData.LossOn on = switch (lossOn) {
            case "response" -> TaskData.LossOn.RESPONSE;
            case "all" -> TaskData.LossOn.ALL;
            default -> throw new InputException("--loss-on: choose response or all, got '" + lossOn + "'");
        };
        return new TrainConfig(seed, steps, batch, new LrSchedule(lr, warmup, cosine, minLr),
                new Optimizer.Settings(kind, weightDecay, lambda, beta2, gradClip), on, datasetSize());
    }

    private int datasetSize() {
        if (dataset.equals("online")) return TaskData.ONLINE;
        try {
            int n = Integer.parseInt(dataset);
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new InputException("--dataset: give a number of samples >= 1 or 'online', got '" + dataset + "'");
    }

    private CheckpointPolicy checkpoints() {
        int every = checkpointEvery == null ? Math.max(1, (steps + 9) / 10) : checkpointEvery;
        Checks.atLeast("--checkpoint-every", 1, every);
        Checks.atLeast("--keep-last", 0, keepLast);
        Checks.atLeast("--keep-every", 0, keepEvery);
        return new CheckpointPolicy(every, keepLast, keepEvery);
    }
}
