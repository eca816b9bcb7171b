package org.covlab.cli;

import java.util.concurrent.Callable;
import org.covlab.experiment.Fig1Selection;
import org.covlab.experiment.Fig1SelectionRun;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code covlab experiment fig1-selection}: the paper's Fig. 1, coverage vs KL over fine-tuning checkpoints and tournament selection. */
@Command(name = "fig1-selection", mixinStandardHelpOptions = true,
        description = {"The paper's Fig. 1 (App. C.2): pre-train the GPT on fig1-pretrain (a fixed dataset), then",
                "fine-tune it online on fig1-finetune. Over the fine-tuning checkpoints measure KL, Cov_N",
                "(N = 2, 3, 4, 4.6, 5.7) and Pass@N (N = 4, 8, 12; exact from pi_hat(y*|x), checked by sampling",
                "on the chosen checkpoints). Select a checkpoint with the simple tournament (Eq. 29), the offset",
                "tournament (Eq. 32) and min-CE; report each one's Pass@N, the oracle best, and the rank",
                "correlation of every metric with Pass@N. Scales: demo (for ./covlab demo: graphs with H = 4),",
                "small (the paper's H = 8, under 30 minutes on 2 cores), paper (H = 8, 6 layers, 4 heads, d 384,",
                "batch 128, 200k + 50k updates; for bigger machines); 1, 1 and 3 seeds. Prompts list the edges",
                "by layer unless --edge-order shuffled. See docs/results.md."},
        footer = {"", "Examples:",
                "  ./covlab experiment fig1-selection --scale demo",
                "  ./covlab experiment fig1-selection --scale small --out runs/fig1",
                "  ./covlab experiment fig1-selection --out runs/fig1 --resume     # after an interruption",
                "  ./covlab experiment fig1-selection --scale demo --edge-order shuffled --out runs/fig1-shuffled",
                "  ./covlab select --method tournament --logprobs runs/fig1/cells/s0/selection-logprobs.jsonl --n 4"})
public final class Fig1SelectionCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin ExperimentOptions options;

    @Mixin EdgeOrderOption edgeOrder;

    @Mixin ScaleOption scale;

    @Override public Integer call() {
        CommandLine cli = spec.commandLine();
        return options.run(cli, () -> Fig1SelectionRun.run(Fig1Selection.Settings.of(scale.scale(), options.seedsGiven(cli), edgeOrder.order()), options.seed,
                options.out, options.resume, options.threads));
    }
}
