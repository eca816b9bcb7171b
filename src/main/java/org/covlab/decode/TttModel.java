package org.covlab.decode;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.LinearSoftmaxModel;
import org.covlab.model.ParameterSet;

/**
 * The improper test-time-training model pi^TTT_theta of Eqs. 22-23 (section 3.3; Krause et al. 2019's dynamic
 * evaluation): decoding starts from theta and, after every token, takes one projected gradient step on that token,
 * {@code vartheta <- Proj_Theta(vartheta + eta ∇ log pi_vartheta(y_h | x, y_{<h}))}, with the same eta and Theta as
 * token-level training (Eq. 21); vartheta resets to theta for the next prompt. Its next-token law therefore depends on
 * the whole prefix through vartheta, so pi^TTT is not in Pi (which is how it beats the proper lower bound of
 * Prop. 3.2). {@link #sample} is sample_TTT and {@link #sequenceLogProb} is logprob_TTT; both cost O(H |V| d).
 */
public final class TttModel implements AutoregressiveModel {

    private final LinearSoftmaxModel base;
    private final double eta;
    private final ParameterSet theta;

    /** pi^TTT at base.theta() with step {@code eta} and projection onto {@code theta}. */
    public TttModel(LinearSoftmaxModel base, double eta, ParameterSet theta) {
        if (!(eta >= 0) || Double.isInfinite(eta)) throw new IllegalArgumentException("eta must be finite and >= 0");
        this.base = base;
        this.eta = eta;
        this.theta = theta;
    }

    /** pi_theta, the starting point of every decode. */
    public LinearSoftmaxModel base() { return base; }

    public double eta() { return eta; }

    @Override public int vocabSize() { return base.vocabSize(); }

    /**
     * One TTT step (Eq. 22, and the inner step of Eq. 21): returns log pi_vartheta(token | state) for the candidate
     * features f of the state, then moves {@code vartheta} in place to Proj(vartheta + eta ∇ log pi_vartheta(token | state)).
     */
    public static double adapt(double[] vartheta, double[][] f, int token, double eta, ParameterSet theta) {
        double[] logp = LinearSoftmaxModel.logProbs(vartheta, f);
        LinearSoftmaxModel.addScoreGradient(f, logp, token, eta, vartheta);
        theta.project(vartheta);
        return logp[token];
    }

    /** vartheta after the TTT steps on {@code prefix}. // (dim) */
    public double[] adaptedTheta(int[] prompt, int[] prefix) {
        double[] v = base.theta();
        for (int h = 0; h < prefix.length; h++) adapt(v, base.candidateFeatures(prompt, prefix, h), prefix[h], eta, theta);
        return v;
    }

    @Override public double[] nextTokenLogProbs(int[] prompt, int[] prefix) {
        return LinearSoftmaxModel.logProbs(adaptedTheta(prompt, prefix), base.candidateFeatures(prompt, prefix, prefix.length));
    }

    /** logprob_TTT, token by token: one pass, adapting after each token. // (len(response)) */
    @Override public double[] tokenLogProbs(int[] prompt, int[] response) {
        double[] v = base.theta();
        double[] out = new double[response.length];
        for (int h = 0; h < response.length; h++) out[h] = adapt(v, base.candidateFeatures(prompt, response, h), response[h], eta, theta);
        return out;
    }

    /** sample_TTT: draw y_h from pi_vartheta, then adapt on it. */
    @Override public int[] sample(int[] prompt, int maxLength, int endToken, Sampler sampler, RandomGenerator rng) {
        double[] v = base.theta();
        int[] y = new int[maxLength];
        for (int h = 0; h < maxLength; h++) {
            double[][] f = base.candidateFeatures(prompt, y, h);
            y[h] = sampler.sample(LinearSoftmaxModel.logProbs(v, f), rng);
            adapt(v, f, y[h], eta, theta);
            if (y[h] == endToken) return Arrays.copyOf(y, h + 1);
        }
        return y;
    }
}
