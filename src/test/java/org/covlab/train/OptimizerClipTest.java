package org.covlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.covlab.model.Gpt;
import org.covlab.model.GptConfig;
import org.covlab.tensor.Parallel;
import org.junit.jupiter.api.Test;

/** Gradient clipping before every rule, as torch.nn.utils.clip_grad_norm_: g *= min(1, clip / (||g|| + 1e-6)). */
class OptimizerClipTest {

    @Test void clippingScalesTheGradientOnlyWhenItsNormExceedsTheLimit() {
        Gpt m = new Gpt(new GptConfig(7, 8, 1, 1, 4), Parallel.SERIAL);
        SplittableRandom rng = new SplittableRandom(3);
        float[] g = new float[m.parameters().length];
        for (int i = 0; i < g.length; i++) g[i] = (float) rng.nextGaussian();
        double norm = Trainer.norm(g, Parallel.SERIAL);
        for (double clip : new double[] {norm / 4, 2 * norm}) {
            float[] grads = g.clone(), params = new float[g.length];
            double lr = 0.1, lambda = 1, scale = 3;
            Optimizer opt = new Optimizer(new Optimizer.Settings(Optimizer.Kind.NORMALIZED, 0, lambda, 0.999, clip), m.layout(), Parallel.SERIAL);
            opt.step(params, grads, lr, norm, scale);
            double c = Math.min(1, clip / (norm + 1e-6)), clipped = c * norm, worst = 0;
            for (int i = 0; i < g.length; i++) {
                worst = Math.max(worst, Math.abs(grads[i] - c * g[i]));
                // Eq. 18 on the clipped gradient: theta -= lr s g' / (lambda + s ||g'||)
                worst = Math.max(worst, Math.abs(params[i] + lr * scale * c * g[i] / (lambda + scale * clipped)));
            }
            System.out.printf("clip %.3g of norm %.3g: factor %.4f, max difference from the hand-computed step %.3g%n", clip, norm, c, worst);
            assertThat(worst).isLessThan(1e-6);
        }
    }
}
