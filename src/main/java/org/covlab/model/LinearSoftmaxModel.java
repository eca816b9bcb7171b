package org.covlab.model;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.covlab.decode.Sampler;

/**
 * The autoregressive linear model of Eq. 3: {@code pi_theta(y_h | x, y_{1:h-1}) ∝ exp(<theta, phi(x, y_{1:h})>)},
 * the softmax running over the candidate token y_h. Immutable: trainers build a new model per iterate
 * ({@link #withTheta}); theta is copied in and out.
 *
 * <p>Gradients (section 1.2): {@code ∇ log pi_theta(y|x) = Σ_h [phi(x, y_{1:h}) - phibar_theta(x, y_{1:h-1})]} with
 * {@code phibar_theta = E_{y_h ~ pi_theta} phi(x, y_{1:h})}. log pi_theta is concave in theta.
 */
public final class LinearSoftmaxModel implements AutoregressiveModel {

    private final FeatureMap phi;
    private final double[] theta; // (dim)

    public LinearSoftmaxModel(FeatureMap phi, double[] theta) {
        if (theta.length != phi.dim())
            throw new IllegalArgumentException("theta has " + theta.length + " entries, phi has dim " + phi.dim());
        for (double t : theta) if (!Double.isFinite(t)) throw new IllegalArgumentException("theta must be finite");
        this.phi = phi;
        this.theta = theta.clone();
    }

    public LinearSoftmaxModel withTheta(double[] newTheta) { return new LinearSoftmaxModel(phi, newTheta); }

    public double[] theta() { return theta.clone(); }

    public int dim() { return theta.length; }

    @Override public int vocabSize() { return phi.vocabSize(); }

    /** Whether the next-token law depends on the prefix only through (h, previous token). */
    public boolean isMarkov() { return phi instanceof MarkovFeatureMap; }

    /** phi of every candidate after {@code sequence[0..h)}; read-only (may be a shared table row). // (vocab, dim) */
    public double[][] candidateFeatures(int[] prompt, int[] sequence, int h) {
        return phi.candidateFeatures(prompt, sequence, h);
    }

    /** phi of every candidate at Markov state (h, prev); read-only (may be a shared table row). // (vocab, dim) */
    public double[][] candidateFeatures(int[] prompt, int h, int prev) {
        return markov().candidateFeatures(prompt, h, prev);
    }

    /** log softmax_v <theta, f[v]> at this model's theta. // (vocab) */
    public double[] logProbs(double[][] candidateFeatures) { return logProbs(theta, candidateFeatures); }

    /** log softmax_v <theta, f[v]> for any theta. // (vocab) */
    public static double[] logProbs(double[] theta, double[][] candidateFeatures) {
        double[] z = new double[candidateFeatures.length];
        for (int v = 0; v < z.length; v++) z[v] = dot(theta, candidateFeatures[v]);
        return LogSpace.logSoftmaxInPlace(z);
    }

    @Override public double[] nextTokenLogProbs(int[] prompt, int[] prefix) {
        return logProbs(candidateFeatures(prompt, prefix, prefix.length));
    }

    /** log pi_theta(. | x, state (h, prev)), for Markov feature maps. // (vocab) */
    public double[] nextTokenLogProbs(int[] prompt, int h, int prev) {
        return logProbs(candidateFeatures(prompt, h, prev));
    }

    @Override public double[] tokenLogProbs(int[] prompt, int[] response) {
        double[] out = new double[response.length];
        for (int h = 0; h < response.length; h++) out[h] = logProbs(candidateFeatures(prompt, response, h))[response[h]];
        return out;
    }

    /** Ancestral sampling without re-copying the prefix at every step (same law as the default). */
    @Override
    public int[] sample(int[] prompt, int maxLength, int endToken, Sampler sampler, RandomGenerator rng) {
        int[] y = new int[maxLength];
        for (int h = 0; h < maxLength; h++) {
            y[h] = sampler.sample(logProbs(candidateFeatures(prompt, y, h)), rng);
            if (y[h] == endToken) return Arrays.copyOf(y, h + 1);
        }
        return y;
    }

    /**
     * Batch sampling (e.g. Best-of-N's copies of one prompt). On a Markov map the next-token law depends only on the
     * state (h, previous token), so each state's log-probs are computed once per run of equal prompts and reused: a
     * draw then costs one sampler call per token. Same law, same use of {@code rng} and the same tokens as
     * row-by-row {@link #sample}. The cached rows are shared between draws; samplers only read them.
     */
    @Override
    public int[][] sample(int[][] prompts, int maxLength, int endToken, Sampler sampler, RandomGenerator rng) {
        if (!isMarkov()) return AutoregressiveModel.super.sample(prompts, maxLength, endToken, sampler, rng);
        int[][] out = new int[prompts.length][];
        double[][][] logProbs = null;  // (maxLength, 1 + vocab, vocab): [h][prev + 1], filled on first visit
        for (int i = 0; i < prompts.length; i++) {
            if (i == 0 || !Arrays.equals(prompts[i], prompts[i - 1])) logProbs = new double[maxLength][vocabSize() + 1][];
            int[] y = new int[maxLength];
            int len = 0;
            while (len < maxLength) {
                int prev = len == 0 ? MarkovFeatureMap.START : y[len - 1];
                double[] row = logProbs[len][prev + 1];
                if (row == null) row = logProbs[len][prev + 1] = nextTokenLogProbs(prompts[i], len, prev);
                y[len] = sampler.sample(row, rng);
                if (y[len++] == endToken) break;
            }
            out[i] = len == maxLength ? y : Arrays.copyOf(y, len);
        }
        return out;
    }

    /**
     * Adds {@code scale * ∇_theta log pi_theta(token | x, sequence[0..h))} = scale * (phi(token) - phibar) to
     * {@code grad}, and returns log pi_theta(token | ...).
     */
    public double addTokenGradient(int[] prompt, int[] sequence, int h, int token, double scale, double[] grad) {
        double[][] f = candidateFeatures(prompt, sequence, h);
        double[] logp = logProbs(f);
        addScoreGradient(f, logp, token, scale, grad);
        return logp[token];
    }

    /**
     * Adds {@code scale * ∇_theta log pi_theta(y|x)} = scale * Σ_h [phi(x, y_{1:h}) - phibar_theta(x, y_{1:h-1})] to
     * {@code grad}, and returns log pi_theta(y|x).
     */
    public double addSequenceGradient(int[] prompt, int[] response, double scale, double[] grad) {
        double s = 0;
        for (int h = 0; h < response.length; h++) s += addTokenGradient(prompt, response, h, response[h], scale, grad);
        return s;
    }

    /** grad += scale * (f[token] - Σ_v p_v f[v]): the softmax score function. */
    public static void addScoreGradient(double[][] f, double[] logp, int token, double scale, double[] grad) {
        for (int v = 0; v < f.length; v++) {
            double w = (v == token ? 1.0 : 0.0) - Math.exp(logp[v]);
            if (w == 0) continue;
            for (int k = 0; k < grad.length; k++) grad[k] += scale * w * f[v][k];
        }
    }

    private MarkovFeatureMap markov() {
        if (phi instanceof MarkovFeatureMap m) return m;
        throw new IllegalStateException("this feature map is not Markov in (h, previous token)");
    }

    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
