package org.covlab.train;

import java.util.Map;
import org.covlab.model.AutoregressiveModel;
import org.covlab.task.LinearInstance;
import org.covlab.util.Seeds;

/**
 * A way to fit the linear model on fresh samples from pi_D: MLE (Eq. 2) or one of the single-pass methods of
 * sections 5-6. Get one by name from {@link TrainingMethods}. Training starts at theta = 0, which is in every convex Theta.
 */
public interface TrainingMethod {

    /** The name used in tables and on the command line, e.g. "normalized-sgd". */
    String name();

    /** The hyperparameters this run would use (theory defaults of {@link TheoryDefaults}, then overrides), for config.json. */
    Map<String, Double> settings(LinearInstance instance, TrainingPlan plan);

    /**
     * Trains on {@code plan.samples()} samples from the "data" stream of {@code seeds}, calling {@code callback} at
     * the plan's eval points, and returns the final reported model. Same seeds and settings give bit-identical runs.
     */
    AutoregressiveModel train(LinearInstance instance, TrainingPlan plan, Seeds seeds, EvalCallback callback);
}
