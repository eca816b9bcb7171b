package org.covlab.cli;

import java.util.concurrent.Callable;
import org.covlab.experiment.GptInterventions;
import org.covlab.experiment.GptInterventionsRun;
import org.covlab.experiment.Scale;
import org.covlab.util.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code covlab experiment gpt-interventions}: SGD, normalized SGD, SignSGD and AdamW across H on a GPT, and the tournament. */
@Command(name = "gpt-interventions", mixinStandardHelpOptions = true,
        description = {"The paper's training interventions (section 5) on the transformer: train the GPT on fig2 for",
                "H in {8, 16, 24} with sequence-level SGD (Eq. 14), normalized SGD (Eq. 18), SignSGD (Eq. 20)",
                "and AdamW, each on a grid of step sizes, the same T updates at every H. Every checkpoint gets the",
                "exact KL and Cov_N (N = 2, 4, 16, 256) per class and mixed. Reports each optimizer's best step",
                "per H and its one fixed step for every H (as linear-horizon), the verdicts on Prop. 5.1, Thm 5.1",
                "and the SignSGD remark, the last iterate against the best checkpoint (Q10), and the tournament,",
                "offset tournament and min-CE over each run's checkpoints at N = 16 against the oracle, and",
                "test-time training (Eq. 22 as dynamic evaluation, K = 1, eta 0.01) against plain decoding on the",
                "last checkpoint of each optimizer's best step per H (decoder = ttt).",
                "metrics.csv: one row per (optimizer, decoder, H, seed, lr, step); selections.csv as fig1-selection's.",
                "Scales: demo (minutes, for ./covlab demo: H = 8, 16, one step per optimizer, 1 seed), small",
                "(3 steps per optimizer on 1 seed, the chosen ones on 3; 37 minutes on 2 shared cores), paper",
                "(6 layers, d 384, batch 128, 40k updates; for bigger machines). See docs/results.md."},
        footer = {"", "Examples:",
                "  ./covlab experiment gpt-interventions --scale demo",
                "  ./covlab experiment gpt-interventions --scale small --out runs/gi",
                "  ./covlab select --method tournament --n 16 \\",
                "      --logprobs runs/gi/cells/sign_lr0.001_H8_s0/selection-logprobs.jsonl",
                "  ./covlab experiment gpt-interventions --out runs/gi --resume     # after an interruption"})
public final class GptInterventionsCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin ExperimentOptions options;

    @Mixin ScaleOption scale;

    @Option(names = "--quick", description = "The demo scale (the same as --scale demo).")
    boolean quick;

    @Override public Integer call() {
        CommandLine cli = spec.commandLine();
        if (quick && cli.getParseResult().hasMatchedOption("--scale") && scale.scale() != Scale.DEMO)
            throw new InputException("--quick is --scale demo; it cannot go with --scale " + scale.scale().cliName());
        Scale sc = quick ? Scale.DEMO : scale.scale();
        return options.run(cli, () -> GptInterventionsRun.run(GptInterventions.Settings.of(sc, options.seedsGiven(cli)), options.seed,
                options.out, options.resume, options.threads));
    }
}
