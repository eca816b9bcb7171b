package org.covlab.train;

import java.util.Locale;
import org.covlab.model.ParameterLayout;
import org.covlab.tensor.Parallel;

/**
 * The update applied to the GPT's flat parameters after each backward pass: AdamW, the paper's sequence-level SGD
 * (Eq. 14), its normalized update (Eq. 18) or SignSGD (Eq. 20).
 *
 * <p>Sign convention. {@link org.covlab.model.Gpt#loss} is the weighted mean token cross-entropy L = -sum w log pi /
 * sum w, and the gradient array holds g = dL/dtheta, a descent direction. The paper writes Eqs. 17-20 as ascent on
 * the batch-mean sequence log-likelihood: ĝ = (1/K) sum_{(x,y)} sum_h grad log pi(y_h|x, y_{<h}) = -s g, with
 * s = (sum w) / K (scored tokens per sequence) and K the batch size. So
 * <ul>
 *   <li>sgd (Eq. 14 with a mini-batch, no projection): theta += eta ĝ, i.e. theta -= eta s g: a step on the summed
 *       (not averaged) log-loss of each sequence, so its length grows with the response length H;</li>
 *   <li>normalized (Eq. 18 on the full gradient, no projection): theta += eta ĝ / (lambda + ||ĝ||), i.e.
 *       theta -= eta s g / (lambda + s ||g||). It always rescales (not clipping): with ||ĝ|| >> lambda the step has
 *       length about eta; with ||ĝ|| << lambda it is SGD with step eta / lambda on the summed log-likelihood;</li>
 *   <li>sign (Eq. 20): theta += eta sign(ĝ), i.e. theta -= eta sign(g) (sign(0) = 0);</li>
 *   <li>adamw: {@link AdamW} on g, torch.optim.AdamW update for update.</li>
 * </ul>
 * Eqs. 14, 18 and 20 have no weight decay, so only AdamW uses it. Every update is elementwise, so the result has the
 * same bits for any thread count.
 */
public final class Optimizer {

    /** The update rule, named as on the command line ({@code --optimizer adamw|sgd|normalized|sign}). */
    public enum Kind {
        ADAMW, SGD, NORMALIZED, SIGN;

        public String cliName() { return name().toLowerCase(Locale.ROOT); }

        /** The kind for a command-line name; null if none matches. */
        public static Kind parse(String s) {
            for (Kind k : values()) if (k.cliName().equals(s)) return k;
            return null;
        }
    }

    /** Defaults with their reasons. */
    public static final class Defaults {
        private Defaults() {}
        /** The paper (Table 1) and torch_gpt.py: weight decay 0.01. */
        public static final double WEIGHT_DECAY = 0.01;
        /**
         * Eq. 18's lambda. The paper's theory value lambda = log N / (16 eta) is for the linear model; for the GPT
         * we take 1, below the norm of a sequence log-likelihood gradient at initialisation, so the update starts
         * at step length about eta.
         */
        public static final double LAMBDA = 1.0;
        /** torch.optim.AdamW's beta2, and the checkpoints written before {@code --beta2} existed. */
        public static final double BETA2 = 0.999;
        /** No gradient clipping: the paper mentions none. */
        public static final double NO_CLIP = 0;
    }

    /**
     * @param kind        the rule
     * @param weightDecay AdamW's decoupled weight decay (ignored by the others), >= 0
     * @param lambda      Eq. 18's lambda (used by normalized only), > 0
     * @param beta2       AdamW's second-moment decay, in [0, 1); absent (NaN) in older checkpoints: {@link Defaults#BETA2}
     * @param clip        the global gradient norm is clipped to this before every rule, as torch's
     *                    {@code clip_grad_norm_}; 0 = no clipping; absent (NaN) in older checkpoints: none
     */
    public record Settings(Kind kind, double weightDecay, double lambda, double beta2, double clip) {
        public Settings {
            if (kind == null) throw new IllegalArgumentException("optimizer kind is required");
            if (Double.isNaN(beta2)) beta2 = Defaults.BETA2;
            if (Double.isNaN(clip)) clip = Defaults.NO_CLIP;
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) throw new IllegalArgumentException("weight decay must be finite and >= 0, got " + weightDecay);
            if (!(lambda > 0) || Double.isInfinite(lambda)) throw new IllegalArgumentException("lambda must be finite and > 0, got " + lambda);
            if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
            if (!(clip >= 0) || Double.isInfinite(clip)) throw new IllegalArgumentException("clip must be finite and >= 0, got " + clip);
        }

        /** A rule with the default beta2 and no clipping. */
        public static Settings of(Kind kind, double weightDecay, double lambda) {
            return new Settings(kind, weightDecay, lambda, Defaults.BETA2, Defaults.NO_CLIP);
        }

        /** The paper's optimizer: AdamW with weight decay 0.01 (torch's betas, no clipping). */
        public static Settings adamw() {
            return of(Kind.ADAMW, Defaults.WEIGHT_DECAY, Defaults.LAMBDA);
        }

        /** AdamW with weight decay 0.01, the given beta2 and gradient clipping. */
        public static Settings adamw(double beta2, double clip) {
            return new Settings(Kind.ADAMW, Defaults.WEIGHT_DECAY, Defaults.LAMBDA, beta2, clip);
        }
    }

    /** Elements per parallel chunk of the elementwise updates. */
    private static final int MIN_CHUNK = 1 << 14;

    private final Settings settings;
    private final Parallel pool;
    private final AdamW adamw;      // null unless ADAMW
    private int steps;

    public Optimizer(Settings settings, ParameterLayout layout, Parallel pool) {
        this.settings = settings;
        this.pool = pool;
        this.adamw = settings.kind() == Kind.ADAMW
                ? new AdamW(new AdamW.Config(0.9, settings.beta2(), 1e-8, settings.weightDecay(), false), layout, pool) : null;
    }

    public Settings settings() { return settings; }

    /**
     * One update at rate {@code lr}, after clipping g to norm {@code clip} (when set).
     *
     * @param grads    g = dL/dtheta of the mean token loss (scaled in place when clipped)
     * @param gradNorm ||g||, computed once by the trainer (and logged)
     * @param scale    s = scored tokens / sequences of the batch, so that ĝ = -s g (used by sgd and normalized)
     */
    public void step(float[] params, float[] grads, double lr, double gradNorm, double scale) {
        if (!(lr >= 0)) throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        steps++;
        double clipCoef = settings.clip() / (gradNorm + 1e-6);  // torch.nn.utils.clip_grad_norm_
        if (settings.clip() > 0 && clipCoef < 1) {
            float c = (float) clipCoef;
            pool.forRange(grads.length, MIN_CHUNK, (lo, hi) -> {
                for (int i = lo; i < hi; i++) grads[i] *= c;
            });
            gradNorm *= clipCoef;
        }
        switch (settings.kind()) {
            case ADAMW -> adamw.step(params, grads, lr);
            case SGD -> descend(params, grads, (float) (lr * scale));
            case NORMALIZED -> descend(params, grads, (float) (lr * scale / (settings.lambda() + scale * gradNorm)));
            case SIGN -> {
                float eta = (float) lr;
                pool.forRange(params.length, MIN_CHUNK, (lo, hi) -> {
                    for (int i = lo; i < hi; i++) params[i] -= eta * Math.signum(grads[i]);
                });
            }
        }
    }

    /** theta -= f g, elementwise. */
    private void descend(float[] params, float[] grads, float f) {
        pool.forRange(params.length, MIN_CHUNK, (lo, hi) -> {
            for (int i = lo; i < hi; i++) params[i] -= f * grads[i];
        });
    }

    /** Updates taken so far. */
    public int steps() { return steps; }

    /** AdamW's moments (torch's exp_avg, exp_avg_sq), live; null for the stateless rules. */
    public float[] firstMoment() { return adamw == null ? null : adamw.firstMoment(); }

    public float[] secondMoment() { return adamw == null ? null : adamw.secondMoment(); }

    /** Restores the step count after the moments were loaded into {@link #firstMoment()} and {@link #secondMoment()}. */
    public void restoreSteps(int n) {
        if (n < 0) throw new IllegalArgumentException("steps must be >= 0, got " + n);
        steps = n;
        if (adamw != null) adamw.setSteps(n);
    }
}
