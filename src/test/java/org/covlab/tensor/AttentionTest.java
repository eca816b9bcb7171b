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

    /**
     * Rows continuing a shared prefix against {@link Attention#forward} on each row's whole sequence (prefix ++ its
     * tokens), bit for bit: prefixes across the GEMM's 256-deep blocks and the softmax's vector width, rows padded
     * after their tokens, head sizes 8-96, 1 and 2 threads.
     */
    @Test void rowsOnAPrefixEqualTheirWholeSequencesBitForBit() {
        SplittableRandom rng = new SplittableRandom(23);
        int[][] shapes = {{1, 5, 32, 4}, {17, 9, 48, 2}, {250, 12, 64, 4}, {300, 26, 384, 4}, {129, 3, 80, 2}, {40, 33, 40, 5}};  // p, T, C, NH
        int compared = 0, differing = 0;
        for (int[] shape : shapes) {
            int p = shape[0], t = shape[1], c = shape[2], nh = shape[3], b = 4, c3 = 3 * c;
            int[] lengths = {t, t - 1, 0, Math.max(1, t / 2)};
            float[] prefix = random(rng, p * c3), qkv = random(rng, b * t * c3);
            for (int i = 0; i < prefix.length; i++) prefix[i] *= 3;                 // peaked softmax rows
            for (int i = 0; i < qkv.length; i++) qkv[i] *= 3;
            for (Parallel pool : new Parallel[] {Parallel.SERIAL, TWO}) {
                float[] out = random(rng, b * t * c);
                Attention.forwardOnPrefix(pool, out, qkv, b, t, lengths, prefix, p, c, nh);
                for (int r = 0; r < b; r++) {
                    int n = p + lengths[r];
                    float[] whole = new float[n * c3], want = new float[n * c];
                    System.arraycopy(prefix, 0, whole, 0, p * c3);
                    System.arraycopy(qkv, r * t * c3, whole, p * c3, lengths[r] * c3);
                    Attention.forward(Parallel.SERIAL, want, new float[nh * n * n], whole, 1, n, c, nh);
                    for (int j = 0; j < lengths[r] * c; j++) {
                        if (Float.floatToIntBits(out[r * t * c + j]) != Float.floatToIntBits(want[p * c + j])) differing++;
                        compared++;
                    }
                }
            }
        }
        System.out.printf("attention on a shared prefix vs each whole sequence: %d of %d outputs differ in any bit%n", differing, compared);
        assertThat(compared).isGreaterThan(50_000);
        assertThat(differing).isZero();
    }
}
