package org.covlab.train;

import org.covlab.model.AutoregressiveModel;

/** Called at the plan's eval points with the samples drawn so far and the model to measure (KL, Cov_N, ...). */
@FunctionalInterface
public interface EvalCallback {
    void onEval(long samplesSeen, AutoregressiveModel model);

    EvalCallback NONE = (samples, model) -> { };
}
