package org.covlab.experiment;

import org.covlab.train.LrSchedule;
import org.covlab.train.Optimizer;
import org.covlab.train.TaskData;
import org.covlab.train.TrainConfig;

/**
 * How the GPT experiments train: AdamW (weight decay 0.01, loss on the response tokens) with a linear warm-up, then a
 * fixed rate (the paper's) or a cosine decay to {@code minLr}.
 *
 * @param lr     the peak rate
 * @param warmup linear warm-up updates
 * @param minLr  where a cosine decay ends; equal to {@code lr} for a fixed rate
 * @param beta2  AdamW's beta2 (torch: 0.999; 0.95 shortens the graph tasks' loss plateau, docs/results.md)
 * @param clip   global gradient-norm clipping, 0 = none
 */
public record AdamRecipe(double lr, int warmup, double minLr, double beta2, double clip) {
    public AdamRecipe {
        if (!(lr > 0) || !(minLr > 0 && minLr <= lr) || warmup < 0 || !(beta2 >= 0 && beta2 < 1) || !(clip >= 0))
            throw new IllegalArgumentException("AdamW recipe out of range: lr " + lr + ", warm-up " + warmup + ", min lr " + minLr
                    + ", beta2 " + beta2 + ", clip " + clip);
    }

    /** A fixed rate after the warm-up. */
    public static AdamRecipe constant(double lr, int warmup, double beta2, double clip) {
        return new AdamRecipe(lr, warmup, lr, beta2, clip);
    }

    /** The paper's optimizer (section 4.1): AdamW at a fixed rate, torch's betas, no clipping. */
    public static AdamRecipe paper(double lr) {
        return constant(lr, 0, Optimizer.Defaults.BETA2, Optimizer.Defaults.NO_CLIP);
    }

    public boolean cosine() { return minLr < lr; }

    /** The training settings of a run of {@code steps} updates of {@code batch} sequences. */
    public TrainConfig training(long seed, int steps, int batch, int dataset) {
        return new TrainConfig(seed, steps, batch, new LrSchedule(lr, warmup, cosine(), cosine() ? minLr : 0),
                Optimizer.Settings.adamw(beta2, clip), TaskData.LossOn.RESPONSE, dataset);
    }

    /** For config summaries: "AdamW lr 0.005 (warm-up 100, cosine to 5e-4), beta2 0.95, clip 1". */
    public String describe() {
        return "AdamW lr " + lr + (warmup > 0 ? " (warm-up " + warmup + (cosine() ? ", cosine to " + minLr : "") + ")"
                : cosine() ? " (cosine to " + minLr + ")" : "") + ", beta2 " + beta2 + (clip > 0 ? ", gradient norm clipped at " + clip : "")
                + ", weight decay 0.01, loss on response tokens";
    }
}
