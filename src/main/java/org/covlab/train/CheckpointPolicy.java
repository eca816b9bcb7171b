package org.covlab.train;

/**
 * When to write checkpoints and which to keep ({@code --checkpoint-every}, {@code --keep-last}, {@code --keep-every}).
 * A checkpoint is written at step 0, every {@code every} steps, and at the last step. After each write the folder
 * keeps the newest {@code keepLast} (0: all) and every checkpoint whose step is a multiple of {@code keepEvery}
 * (0: none beyond the newest).
 */
public record CheckpointPolicy(int every, int keepLast, int keepEvery) {
    public CheckpointPolicy {
        if (every < 1) throw new IllegalArgumentException("checkpoint interval must be >= 1, got " + every);
        if (keepLast < 0) throw new IllegalArgumentException("keep-last must be >= 0 (0 = all), got " + keepLast);
        if (keepEvery < 0) throw new IllegalArgumentException("keep-every must be >= 0 (0 = none), got " + keepEvery);
    }

    /** Every {@code every} steps, keeping all. */
    public static CheckpointPolicy every(int every) {
        return new CheckpointPolicy(every, 0, 0);
    }

    /** Whether the checkpoint of {@code step} survives when {@code newerCount} complete checkpoints are newer. */
    public boolean keeps(int step, int newerCount) {
        return keepLast == 0 || newerCount < keepLast || keepEvery > 0 && step % keepEvery == 0;
    }
}
