package org.covlab.train;

import java.util.List;
import java.util.Map;
import org.covlab.model.LinearSoftmaxModel;
import org.covlab.task.LinearInstance;
import org.covlab.train.DataStream.Sample;

/**
 * SignSGD, Eq. 20: {@code theta <- theta + eta sign(ĝ)} with ĝ the mean sequence gradient over a fresh batch (Adam
 * without EMA or bias correction; the paper discusses it but proves nothing). Eq. 20 has no projection; we project
 * onto Theta after each step anyway, so that all methods search the same class Pi (theta* is in Theta) and differ
 * only in their update. Settings: "N", "batch", "eta" ({@link TheoryDefaults#signEta}).
 */
public final class SignSgd extends OnlineMethod {
    public static final String NAME = "sign-sgd";

    public SignSgd(Map<String, Double> overrides) { super(NAME, List.of("N", "batch", "eta"), overrides); }

    @Override void configure(Settings s, LinearInstance in, TrainingPlan plan) {
        double logN = Math.log(s.resolve("N", TheoryDefaults.TARGET_N));
        long K = Math.round(s.resolve("batch", TheoryDefaults.normalizedBatch(plan.samples(), in.B(), logN)));
        double normalizedEta = TheoryDefaults.normalizedEta(in.B(), in.sigmaStarSq(), Math.max(1, plan.samples() / K), logN);
        s.resolve("eta", TheoryDefaults.signEta(normalizedEta, in.d()));
    }

    @Override void update(Map<String, Double> s, LinearInstance in, LinearSoftmaxModel model, List<Sample> batch, double[] theta) {
        double[] g = meanSequenceGradient(model, batch);
        double eta = s.get("eta");
        for (int j = 0; j < theta.length; j++) theta[j] += eta * Math.signum(g[j]);
        in.theta().project(theta);
    }
}
