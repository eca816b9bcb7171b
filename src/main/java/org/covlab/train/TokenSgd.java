package org.covlab.train;

import java.util.List;
import java.util.Map;
import org.covlab.decode.TttModel;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.LinearSoftmaxModel;
import org.covlab.task.LinearInstance;
import org.covlab.train.DataStream.Sample;

/**
 * Token-level SGD, Eq. 21, reported through test-time-training decoding (Eqs. 22-23): for each fresh sequence and
 * each token, {@code theta <- Proj_Theta(theta + eta ∇ log pi_theta(y_h | x, y_{<h}))}, the parameters carried
 * across tokens and sequences (no reset in training). This is TTT decoding run on training data without the reset
 * ({@link TttModel#adapt} does both), and the measured model is pi^TTT_theta with the same eta. Thm 6.1:
 * KL(pi_D || pi^TTT) ≲ sqrt(sigma*^2/T) + B^2/T. Setting: "eta" ({@link TheoryDefaults#tokenEta}).
 */
public final class TokenSgd extends OnlineMethod {
    public static final String NAME = "token-sgd-ttt";

    public TokenSgd(Map<String, Double> overrides) { super(NAME, List.of("eta"), overrides); }

    @Override void configure(Settings s, LinearInstance in, TrainingPlan plan) {
        s.resolve("eta", TheoryDefaults.tokenEta(in.B(), in.sigmaStarSq(), plan.samples()));
    }

    @Override void update(Map<String, Double> s, LinearInstance in, LinearSoftmaxModel model, List<Sample> batch, double[] theta) {
        double eta = s.get("eta");
        for (Sample z : batch) {
            int[] y = z.response();
            for (int h = 0; h < y.length; h++) TttModel.adapt(theta, model.candidateFeatures(z.prompt(), y, h), y[h], eta, in.theta());
        }
    }

    @Override AutoregressiveModel output(Map<String, Double> s, LinearInstance in, double[] theta) {
        return new TttModel(in.model(theta), s.get("eta"), in.theta());
    }
}
