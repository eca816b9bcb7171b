package org.covlab.train;

/**
 * The learning rate at each step. The paper trains at a fixed rate (section 4.1: Adam, lr 1e-4); warm-up and
 * cosine decay are the options of nanoGPT and of Bachmann and Nagarajan's repository.
 *
 * <ul>
 *   <li>warm-up: {@code lr * (step + 1) / warmup} for the first {@code warmup} steps (0 = none);</li>
 *   <li>then constant {@code lr}, or with {@code cosine} a half cosine from {@code lr} down to {@code minLr}
 *       over the remaining steps: {@code minLr + (lr - minLr) (1 + cos(pi p)) / 2}, p = (step - warmup) /
 *       (steps - warmup).</li>
 * </ul>
 * Steps count from 0: {@link #at(int, int)} gives the rate of the update that takes the model from step to step + 1.
 * p reaches 1 at step = steps, after the last update (steps - 1), which runs slightly above {@code minLr}.
 *
 * @param lr     the peak (and, without cosine, the fixed) rate, > 0
 * @param warmup warm-up steps, >= 0
 * @param cosine whether to decay after the warm-up
 * @param minLr  where the cosine ends, in [0, lr]
 */
public record LrSchedule(double lr, int warmup, boolean cosine, double minLr) {

    public LrSchedule {
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("lr must be finite and > 0, got " + lr);
        if (warmup < 0) throw new IllegalArgumentException("warmup must be >= 0, got " + warmup);
        if (!(minLr >= 0 && minLr <= lr)) throw new IllegalArgumentException("min lr must be in [0, lr], got " + minLr);
    }

    /** A fixed rate, the paper's setting. */
    public static LrSchedule constant(double lr) {
        return new LrSchedule(lr, 0, false, 0);
    }

    /** The rate of update {@code step} (0-based) in a run of {@code steps} updates. */
    public double at(int step, int steps) {
        if (step < warmup) return lr * (step + 1) / warmup;
        if (!cosine || steps <= warmup) return lr;
        double progress = Math.min(1.0, (double) (step - warmup) / (steps - warmup));
        return minLr + (lr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
