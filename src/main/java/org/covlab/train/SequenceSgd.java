package org.covlab.train;

import java.util.List;
import java.util.Map;
import org.covlab.model.LinearSoftmaxModel;
import org.covlab.task.LinearInstance;
import org.covlab.train.DataStream.Sample;

/**
 * Sequence-level SGD, Eq. 14: {@code theta <- Proj_Theta(theta + eta ∇ log pi_theta(y|x))}, one fresh sample per step,
 * the gradient summed (not averaged) over the H tokens. Prop. 5.1: needs eta <= 1/(2 H B^2), hence pays B^2 H / T.
 * Setting: "eta" (default {@link TheoryDefaults#sgdEta}).
 */
public final class SequenceSgd extends OnlineMethod {
    public static final String NAME = "sgd";

    public SequenceSgd(Map<String, Double> overrides) { super(NAME, List.of("eta"), overrides); }

    @Override void configure(Settings s, LinearInstance in, TrainingPlan plan) {
        s.resolve("eta", TheoryDefaults.sgdEta(in.B(), in.H(), in.sigmaStarSq(), plan.samples()));
    }

    @Override void update(Map<String, Double> s, LinearInstance in, LinearSoftmaxModel model, List<Sample> batch, double[] theta) {
        double[] g = meanSequenceGradient(model, batch);
        double eta = s.get("eta");
        for (int j = 0; j < theta.length; j++) theta[j] += eta * g[j];
        in.theta().project(theta);
    }
}
