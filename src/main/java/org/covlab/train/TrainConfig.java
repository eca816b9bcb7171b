package org.covlab.train;

/**
 * Everything that decides the numbers of a training run (saved in each checkpoint's config.json; a resumed run
 * must use the same). Defaults are the paper's (section 4.1, Table 1): batch 128, AdamW at a fixed lr 1e-4 with
 * weight decay 0.01, a fixed dataset of 8 x 64,000 samples.
 *
 * @param seed      master seed: model init from stream "init", data from "data" and "shuffle" ({@link TaskData})
 * @param steps     optimizer updates in the whole run (the cosine schedule ends there)
 * @param batch     sequences per update
 * @param schedule  the learning rate per step
 * @param optimizer the update rule
 * @param lossOn    which target tokens are scored
 * @param dataset   D samples drawn once and cycled, or {@link TaskData#ONLINE} (0) for fresh samples every batch
 */
public record TrainConfig(long seed, int steps, int batch, LrSchedule schedule, Optimizer.Settings optimizer,
                          TaskData.LossOn lossOn, int dataset) {

    /** The paper's batch size. */
    public static final int PAPER_BATCH = 128;
    /** The paper's learning rate (chosen from {5e-5, 1e-4, 5e-4}). */
    public static final double PAPER_LR = 1e-4;
    /** The paper's fixed dataset: 8 x 64,000 samples. */
    public static final int PAPER_DATASET = 8 * 64_000;

    public TrainConfig {
        if (steps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        if (dataset < 0) throw new IllegalArgumentException("dataset must be >= 0 (0 = online), got " + dataset);
        if (schedule == null || optimizer == null || lossOn == null) throw new IllegalArgumentException("schedule, optimizer and lossOn are required");
    }

    /** The paper's settings for a run of {@code steps} updates. */
    public static TrainConfig paper(long seed, int steps) {
        return new TrainConfig(seed, steps, PAPER_BATCH, LrSchedule.constant(PAPER_LR), Optimizer.Settings.adamw(),
                TaskData.LossOn.RESPONSE, PAPER_DATASET);
    }

    /** The learning rate of update {@code step}. */
    public double lr(int step) {
        return schedule.at(step, steps);
    }
}
