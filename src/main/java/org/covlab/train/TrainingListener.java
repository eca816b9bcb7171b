package org.covlab.train;

/**
 * Called by {@link Trainer#train} after every update: progress bars, logs, checkpoints ({@link Checkpoints#saver}),
 * evaluation hooks. It may read the trainer's model; it must not change it.
 */
@FunctionalInterface
public interface TrainingListener {
    void afterStep(Trainer trainer, StepStats stats);

    /** Calls each listener in order. */
    static TrainingListener all(TrainingListener... listeners) {
        return (t, s) -> {
            for (TrainingListener l : listeners) l.afterStep(t, s);
        };
    }
}
