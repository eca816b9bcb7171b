package org.covlab.train;

import org.covlab.model.ParameterLayout;
import org.covlab.tensor.Elementwise;
import org.covlab.tensor.Parallel;

/**
 * AdamW (Loshchilov and Hutter) over a flat parameter array, update for update the same as
 * {@code torch.optim.AdamW}: decoupled weight decay p *= 1 - lr wd, then the bias-corrected Adam step.
 * The paper trains with Adam at a fixed learning rate and weight decay 0.01 (section 4.1, Table 1).
 * The moments m and v are flat arrays in the parameters' layout, saved with checkpoints.
 */
public final class AdamW {

    /**
     * @param beta1 / beta2 / eps  torch's defaults are 0.9, 0.999, 1e-8
     * @param weightDecay          torch_gpt.py and the paper use 0.01
     * @param decayMatricesOnly    false decays every tensor, as torch_gpt.py's {@code AdamW(model.parameters())};
     *                             true spares biases and LayerNorm vectors (nanoGPT's grouping)
     */
    public record Config(double beta1, double beta2, double eps, double weightDecay, boolean decayMatricesOnly) {
        public Config {
            if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
            if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
            if (!(eps > 0)) throw new IllegalArgumentException("eps must be > 0, got " + eps);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }

        /** torch.optim.AdamW with torch_gpt.py's weight decay. */
        public static Config torchDefaults() {
            return new Config(0.9, 0.999, 1e-8, 0.01, false);
        }
    }

    private final Config cfg;
    private final ParameterLayout layout;
    private final Parallel pool;
    private final float[] m, v;
    private int step;

    public AdamW(Config cfg, ParameterLayout layout, Parallel pool) {
        this.cfg = cfg;
        this.layout = layout;
        this.pool = pool;
        this.m = new float[layout.size()];
        this.v = new float[layout.size()];
    }

    /** One update of params with grads at learning rate lr (schedules choose lr per step). */
    public void step(float[] params, float[] grads, double lr) {
        if (!(lr >= 0)) throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        step++;
        for (ParameterLayout.Tensor t : layout.tensors()) {
            double wd = cfg.decayMatricesOnly() && !t.isMatrix() ? 0 : cfg.weightDecay();
            Elementwise.adamw(pool, params, grads, m, v, t.offset(), t.offset() + t.size(), (float) lr,
                    (float) cfg.beta1(), (float) cfg.beta2(), (float) cfg.eps(), (float) wd, step);
        }
    }

    /** Updates taken so far (torch's "step" state; the bias corrections use it). */
    public int steps() { return step; }

    /** Restores the step count with the moments, when resuming from a checkpoint. */
    public void setSteps(int steps) {
        if (steps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        this.step = steps;
    }

    /** First moment (torch's exp_avg), live; same layout as the parameters. */
    public float[] firstMoment() { return m; }

    /** Second moment (torch's exp_avg_sq), live. */
    public float[] secondMoment() { return v; }

    public Config config() { return cfg; }
}
