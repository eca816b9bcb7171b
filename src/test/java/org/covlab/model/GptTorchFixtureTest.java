package org.covlab.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import org.covlab.tensor.Parallel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The Java GPT against PyTorch: the fixture holds scripts/covlab_gpt.py's GPT with fixed weights, a masked batch, and
 * the float64 logits, loss and gradients PyTorch computed for it (made by scripts/make_torch_fixture.py).
 */
class GptTorchFixtureTest {

    private static final Parallel TWO = new Parallel(2);

    @AfterAll static void close() {
        TWO.close();
    }

    static Safetensors.Contents fixture() {
        try {
            return Safetensors.read(Path.of(GptTorchFixtureTest.class.getResource("/fixtures/torch_gpt_small.safetensors").toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static GptConfig config(Map<String, String> meta) {
        return new GptConfig(Integer.parseInt(meta.get("vocab")), Integer.parseInt(meta.get("ctx")),
                Integer.parseInt(meta.get("layers")), Integer.parseInt(meta.get("heads")), Integer.parseInt(meta.get("dmodel")));
    }

    /** A model with the fixture's weights (tensors named exactly as PyTorch's state_dict). */
    static Gpt model(Safetensors.Contents f, Parallel pool) {
        Gpt m = new Gpt(config(f.metadata()), pool);
        for (ParameterLayout.Tensor t : m.layout().tensors()) {
            Safetensors.Tensor x = f.tensors().get(t.name());
            assertThat(x).as(t.name()).isNotNull();
            assertThat(x.shape()).as(t.name()).isEqualTo(t.shape());
            System.arraycopy(x.data(), 0, m.parameters(), t.offset(), t.size());
        }
        return m;
    }

    static int[] ints(Safetensors.Tensor t) {
        int[] out = new int[t.data().length];
        for (int i = 0; i < out.length; i++) out[i] = Math.round(t.data()[i]);
        return out;
    }

    @Test void lossLogitsAndEveryGradientMatchPyTorch() {
        Safetensors.Contents f = fixture();
        for (Parallel pool : new Parallel[] {Parallel.SERIAL, TWO}) {
            Gpt m = model(f, pool);
            int[] tokens = ints(f.tensors().get("input.tokens")), targets = ints(f.tensors().get("input.targets"));
            float[] weights = f.tensors().get("input.weights").data();
            int batch = f.tensors().get("input.tokens").shape().get(0), seq = f.tensors().get("input.tokens").shape().get(1);
            m.zeroGradients();
            m.forward(tokens, batch, seq);
            double logitDiff = maxAbsDiff(m.logits(), 0, f.tensors().get("output.logits").data());
            double loss = m.loss(targets, weights), lossDiff = Math.abs(loss - f.tensors().get("output.loss").data()[0]);
            m.backward();
            double worstGrad = 0;
            String worstName = "";
            for (ParameterLayout.Tensor t : m.layout().tensors()) {
                float[] expected = f.tensors().get("grad." + t.name()).data();
                double scale = 0;
                for (float v : expected) scale = Math.max(scale, Math.abs(v));
                double rel = maxAbsDiff(m.gradients(), t.offset(), expected) / Math.max(scale, 1e-6);
                if (rel > worstGrad) { worstGrad = rel; worstName = t.name(); }
            }
            System.out.printf("GPT vs PyTorch (threads=%d): loss %.7f diff %.2g, logits max abs diff %.2g, "
                    + "gradients max diff / tensor max %.2g (%s)%n", pool.threads(), loss, lossDiff, logitDiff, worstGrad, worstName);
            assertThat(lossDiff).isLessThan(1e-5);
            assertThat(logitDiff).isLessThan(1e-4);
            assertThat(worstGrad).isLessThan(1e-4);
        }
    }

    static double maxAbsDiff(float[] actual, int offset, float[] expected) {
        double d = 0;
        for (int i = 0; i < expected.length; i++) d = Math.max(d, Math.abs(actual[offset + i] - expected[i]));
        return d;
    }
}
