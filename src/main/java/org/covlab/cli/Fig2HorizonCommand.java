package org.covlab.cli;

import java.util.concurrent.Callable;
import org.covlab.experiment.Fig2Horizon;
import org.covlab.experiment.Fig2HorizonRun;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code covlab experiment fig2-horizon}: the paper's Fig. 2, KL and Cov_16 of a GPT as the horizon H grows. */
@Command(name = "fig2-horizon", mixinStandardHelpOptions = true,
        description = {"The paper's Fig. 2 (App. C.3): train the GPT on the fig2 graph task for H in {8, 16, 24}",
                "with several seeds; at checkpoints along training measure the exact KL and Cov_N (N = 2, 4,",
                "16, 256) per class, mixed with the class weights (0.94, 0.05, 0.01). Plots KL, Cov_16 and",
                "KL/Cov_16 against iteration (median and 1/16-15/16 quantile band over seeds); reports the slope",
                "of the final KL in H and the spread of Cov_16. Prompts list the edges by layer; a control run",
                "at the smallest H with the other order (--edge-order shuffled swaps them) shows what the order",
                "does. metrics.csv: one row per (edge_order, H, seed, step).",
                "Scales: demo (minutes, for ./covlab demo; 2 seeds), small (under 20 minutes on 2 cores;",
                "3 seeds), paper (6 layers, 4 heads, d 384, batch 128, 40k updates, 16 seeds; for bigger",
                "machines). See docs/results.md."},
        footer = {"", "Examples:",
                "  ./covlab experiment fig2-horizon --scale demo",
                "  ./covlab experiment fig2-horizon --scale small --out runs/fig2",
                "  ./covlab experiment fig2-horizon --out runs/fig2 --resume     # after an interruption",
                "  ./covlab experiment fig2-horizon --scale demo --edge-order shuffled --out runs/fig2-shuffled"})
public final class Fig2HorizonCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin ExperimentOptions options;

    @Mixin EdgeOrderOption edgeOrder;

    @Mixin ScaleOption scale;

    @Override public Integer call() {
        CommandLine cli = spec.commandLine();
        return options.run(cli, () -> Fig2HorizonRun.run(Fig2Horizon.Settings.of(scale.scale(), options.seedsGiven(cli), edgeOrder.order()), options.seed,
                options.out, options.resume, options.threads));
    }
}
