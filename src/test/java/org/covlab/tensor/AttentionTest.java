package org.covlab.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.covlab.tensor.GemmTest.maxAbsDiff;
import static org.covlab.tensor.GemmTest.random;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The blocked causal attention against the definition, on head sizes that do and do not fill a panel. */
class AttentionTest {

    private static final Parallel TWO = new Parallel(2);

    @AfterAll static void close() {
        TWO.close();
    }

    @Test void forwardAndBackwardMatchTheDefinition() {
        SplittableRandom rng = new SplittableRandom(21);
        double fwd = 0, probs = 0, bwd = 0;
        int[][] shapes = {{1, 32, 4}, {7, 48, 2}, {33, 128, 4}, {64, 80, 2}, {70, 24, 3}, {130, 64, 2}};  // t, C, NH
        for (int[] shape : shapes) {
            int b = 2, t = shape[0], c = shape[1], nh = shape[2];
            float[] qkv = random(rng, b * t * 3 * c), dout = random(rng, b * t * c);
            for (int i = 0; i < qkv.length; i++) qkv[i] *= 3;                // peaked softmax rows
            float[] out = new float[b * t * c], att = random(rng, b * nh * t * t), dqkv = random(rng, qkv.length);
            float[] out2 = new float[out.length], att2 = new float[att.length], dqkv2 = new float[qkv.length];
            Parallel pool = t % 2 == 0 ? TWO : Parallel.SERIAL;
            Attention.forward(pool, out, att, qkv, b, t, c, nh);
            Attention.backward(pool, dqkv, dout, att, qkv, b, t, c, nh);
            Reference.attentionForward(out2, att2, qkv, b, t, c, nh);
            Reference.attentionBackward(dqkv2, dout, att2, qkv, b, t, c, nh);
            fwd = Math.max(fwd, maxAbsDiff(out, out2));
            probs = Math.max(probs, maxAbsDiff(att, att2));
            bwd = Math.max(bwd, maxAbsDiff(dqkv, dqkv2));
        }
        System.out.printf("attention fast vs naive: output max abs diff %.3g, probabilities %.3g, dqkv %.3g%n",
                fwd, probs, bwd);
        assertThat(fwd).isLessThan(1e-5);
        assertThat(probs).isLessThan(1e-6);
        assertThat(bwd).isLessThan(1e-4);
    }

    @Test void resultsAreBitIdenticalForAnyThreadCount() {
        SplittableRandom rng = new SplittableRandom(22);
        int b = 3, t = 45, c = 64, nh = 2;
        float[] qkv = random(rng, b * t * 3 * c), dout = random(rng, b * t * c);
        float[] out1 = new float[b * t * c], att1 = new float[b * nh * t * t], d1 = new float[qkv.length];
        float[] out2 = out1.clone(), att2 = att1.clone(), d2 = d1.clone();
        Attention.forward(Parallel.SERIAL, out1, att1, qkv, b, t, c, nh);
        Attention.backward(Parallel.SERIAL, d1, dout, att1, qkv, b, t, c, nh);
        Attention.forward(TWO, out2, att2, qkv, b, t, c, nh);
        Attention.backward(TWO, d2, dout, att2, qkv, b, t, c, nh);
        assertThat(out2).containsExactly(out1);
        assertThat(d2).containsExactly(d1);
    }
}
