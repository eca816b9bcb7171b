package org.covlab.train;

import java.util.List;
import java.util.Map;
import org.covlab.model.LinearSoftmaxModel;
import org.covlab.model.ParameterSet;
import org.covlab.task.LinearInstance;
import org.covlab.train.DataStream.Sample;

/**
 * Normalized SGD, Eqs. 17-18: {@code theta <- Proj_Theta(theta + eta ĝ / (lambda + ||ĝ||))} with ĝ the mean sequence
 * gradient over a fresh batch of K samples. Always rescales (not clipping). Thm 5.1: horizon-free,
 * sqrt(sigma*^2/(T log N)) + B^2/T + B/(K log N). Settings: "N" (target tail level), "batch" K, "eta", "lambda"
 * (defaults from {@link TheoryDefaults}, in that order; T = samples / K).
 */
public final class NormalizedSgd extends OnlineMethod {
    public static final String NAME = "normalized-sgd";

    public NormalizedSgd(Map<String, Double> overrides) { super(NAME, List.of("N", "batch", "eta", "lambda"), overrides); }

    @Override void configure(Settings s, LinearInstance in, TrainingPlan plan) {
        double logN = Math.log(s.resolve("N", TheoryDefaults.TARGET_N));
        long K = Math.round(s.resolve("batch", TheoryDefaults.normalizedBatch(plan.samples(), in.B(), logN)));
        double eta = s.resolve("eta", TheoryDefaults.normalizedEta(in.B(), in.sigmaStarSq(), Math.max(1, plan.samples() / K), logN));
        s.resolve("lambda", TheoryDefaults.normalizedLambda(eta, logN));
    }

    @Override void update(Map<String, Double> s, LinearInstance in, LinearSoftmaxModel model, List<Sample> batch, double[] theta) {
        double[] g = meanSequenceGradient(model, batch);
        double step = s.get("eta") / (s.get("lambda") + ParameterSet.norm(g));
        for (int j = 0; j < theta.length; j++) theta[j] += step * g[j];
        in.theta().project(theta);
    }
}
