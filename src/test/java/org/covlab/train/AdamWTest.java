package org.covlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.covlab.model.FixtureAccess;
import org.covlab.model.Gpt;
import org.covlab.model.ParameterLayout;
import org.covlab.model.Safetensors;
import org.covlab.tensor.Parallel;
import org.junit.jupiter.api.Test;

/** Two AdamW steps against torch.optim.AdamW's, from the PyTorch fixture (same float32 gradients in). */
class AdamWTest {

    @Test void twoStepsMatchTorchOnEveryTensor() {
        Safetensors.Contents f = FixtureAccess.fixture();
        var meta = f.metadata();
        Gpt m = FixtureAccess.model(f);
        float[] p = m.parameters(), g = new float[p.length];
        ParameterLayout layout = m.layout();
        for (ParameterLayout.Tensor t : layout.tensors()) {
            System.arraycopy(f.tensors().get("grad." + t.name()).data(), 0, g, t.offset(), t.size());
        }
        AdamW.Config cfg = new AdamW.Config(Double.parseDouble(meta.get("adamw.beta1")), Double.parseDouble(meta.get("adamw.beta2")),
                Double.parseDouble(meta.get("adamw.eps")), Double.parseDouble(meta.get("adamw.weight_decay")), false);
        Parallel two = new Parallel(2);
        AdamW opt = new AdamW(cfg, layout, two);
        double lr = Double.parseDouble(meta.get("adamw.lr")), worst = 0;
        float[] scales = {1f, -0.5f};
        for (int s = 0; s < 2; s++) {
            float[] gs = g.clone();
            for (int i = 0; i < gs.length; i++) gs[i] *= scales[s];
            opt.step(p, gs, lr);
            for (ParameterLayout.Tensor t : layout.tensors()) {
                float[] expected = f.tensors().get("adamw" + (s + 1) + "." + t.name()).data();
                for (int i = 0; i < t.size(); i++) worst = Math.max(worst, Math.abs(p[t.offset() + i] - expected[i]));
            }
        }
        two.close();
        System.out.printf("AdamW vs torch.optim.AdamW, 2 steps, lr %.0e: max abs diff %.3g%n", lr, worst);
        assertThat(opt.steps()).isEqualTo(2);
        assertThat(worst).isLessThan(1e-6);
    }

    @Test void matricesOnlyDecaySparesVectors() {
        Safetensors.Contents f = FixtureAccess.fixture();
        Gpt m = FixtureAccess.model(f);
        float[] p = m.parameters(), before = p.clone(), zeroGrad = new float[p.length];
        new AdamW(new AdamW.Config(0.9, 0.999, 1e-8, 0.5, true), m.layout(), Parallel.SERIAL).step(p, zeroGrad, 0.1);
        ParameterLayout.Tensor bias = m.layout().get("blocks.0.qkv.bias"), w = m.layout().get("blocks.0.qkv.weight");
        assertThat(p[bias.offset()]).isEqualTo(before[bias.offset()]);
        assertThat(p[w.offset()]).isEqualTo(before[w.offset()] * (1f - 0.1f * 0.5f));
    }
}
