package org.covlab.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.covlab.tensor.GemmTest.maxAbsDiff;
import static org.covlab.tensor.GemmTest.random;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every fused kernel against its naive reference, on awkward sizes, with one and two threads. */
class KernelsTest {

    private static final Parallel TWO = new Parallel(2);
    private static final int[] ROWS = {1, 7, 33, 129};
    private static final int[] COLS = {1, 7, 16, 33, 129, 384};

    @AfterAll static void close() {
        TWO.close();
    }

    @Test void vectorExpHasFloatAccuracy() {
        double worst = 0;
        float[] x = new float[4096], y = new float[4096];
        for (int i = 0; i < x.length; i++) x[i] = -86f + 173f * i / x.length;
        for (int i = 0; i < x.length; i += VectorMath.L) {
            VectorMath.exp(FloatVector.fromArray(VectorMath.S, x, i)).intoArray(y, i);
        }
        for (int i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(y[i] / Math.exp(x[i]) - 1));
        System.out.printf("vector exp vs Math.exp on [-86, 87]: max rel diff %.3g%n", worst);
        assertThat(worst).isLessThan(1e-6);
    }

    @Test void layerNormForwardAndBackwardMatchTheReference() {
        SplittableRandom rng = new SplittableRandom(11);
        double fwd = 0, bwd = 0;
        for (int n : ROWS) {
            for (int c : COLS) {
                Parallel pool = (n + c) % 2 == 0 ? TWO : Parallel.SERIAL;
                float[] inp = random(rng, n * c), w = random(rng, c + 3), b = random(rng, c + 5), dout = random(rng, n * c);
                for (int i = 0; i < inp.length; i++) inp[i] = inp[i] * 3 + 1;     // a non-zero mean
                float[] out = new float[n * c], mean = new float[n], rstd = new float[n];
                float[] out2 = new float[n * c], mean2 = new float[n], rstd2 = new float[n];
                LayerNorm.forward(pool, out, mean, rstd, inp, w, 3, b, 5, n, c);
                Reference.layerNormForward(out2, mean2, rstd2, inp, w, 3, b, 5, n, c);
                fwd = Math.max(fwd, Math.max(maxAbsDiff(out, out2), maxAbsDiff(rstd, rstd2)));
                float[] dinp = random(rng, n * c), dinp2 = dinp.clone();
                float[] dw = random(rng, c + 3), dw2 = dw.clone(), db = random(rng, c + 5), db2 = db.clone();
                LayerNorm.backward(pool, dinp, dw, 3, db, 5, dout, inp, w, 3, mean, rstd, n, c);
                Reference.layerNormBackward(dinp2, dw2, 3, db2, 5, dout, inp, w, 3, mean, rstd, n, c);
                bwd = Math.max(bwd, Math.max(maxAbsDiff(dinp, dinp2), Math.max(maxAbsDiff(dw, dw2), maxAbsDiff(db, db2))));
            }
        }
        System.out.printf("LayerNorm fast vs naive: forward max abs diff %.3g, backward %.3g%n", fwd, bwd);
        assertThat(fwd).isLessThan(1e-5);
        assertThat(bwd).isLessThan(1e-4);
    }

    @Test void geluForwardAndBackwardMatchTheTanhFormula() {
        SplittableRandom rng = new SplittableRandom(12);
        int n = 10_007;
        float[] x = random(rng, n), dout = random(rng, n);
        for (int i = 0; i < n; i++) x[i] *= 8;                                 // covers both tails
        float[] y = new float[n], y2 = new float[n], d = new float[n], d2 = new float[n];
        Gelu.forward(TWO, y, x, n);
        Reference.geluForward(y2, x, n);
        Gelu.backward(TWO, d, x, dout, n);
        Reference.geluBackward(d2, x, dout, n);
        double fwd = maxAbsDiff(y, y2), bwd = maxAbsDiff(d, d2);
        System.out.printf("GELU fast vs naive: forward max abs diff %.3g, backward %.3g%n", fwd, bwd);
        assertThat(fwd).isLessThan(2e-6);
        assertThat(bwd).isLessThan(2e-6);
        float[] inPlace = dout.clone();
        Gelu.backward(Parallel.SERIAL, inPlace, x, inPlace, n);
        assertThat(inPlace).containsExactly(d);
    }

    @Test void causalSoftmaxMatchesTheFullJacobian() {
        SplittableRandom rng = new SplittableRandom(13);
        double fwd = 0, bwd = 0, lse = 0;
        for (int t : new int[] {1, 7, 33, 70}) {
            int ld = t + 4, off = 3;
            float scale = 0.37f;
            float[] att = random(rng, off + t * ld), att2 = att.clone();
            for (int i = 0; i < att.length; i++) { att[i] *= 20; att2[i] = att[i]; }
            Softmax.causalForward(att, off, 0, t / 2, t, ld, scale);             // in two row ranges
            Softmax.causalForward(att, off, t / 2, t, t, ld, scale);
            Reference.causalSoftmaxForward(att2, off, t, ld, scale);
            fwd = Math.max(fwd, maxAbsDiff(att, att2));
            float[] dAtt = random(rng, 2 + t * ld), dAtt2 = dAtt.clone();
            Softmax.causalBackward(dAtt, 2, att, off, t, ld, scale);
            Reference.causalSoftmaxBackward(dAtt2, 2, att, off, t, ld, scale);
            bwd = Math.max(bwd, maxAbsDiff(dAtt, dAtt2));
            float[] logits = random(rng, 5 + 3 * t);
            for (int i = 0; i < logits.length; i++) logits[i] *= 30;
            lse = Math.max(lse, Math.abs(Softmax.logSumExp(logits, 5, 3 * t) - Reference.logSumExp(logits, 5, 3 * t)));
        }
        System.out.printf("causal softmax fast vs naive: forward %.3g, backward %.3g, logsumexp %.3g%n", fwd, bwd, lse);
        assertThat(fwd).isLessThan(1e-6);
        assertThat(bwd).isLessThan(1e-6);
        assertThat(lse).isLessThan(1e-5);
    }

    @Test void biasAddAndReduceMatchTheReference() {
        SplittableRandom rng = new SplittableRandom(14);
        double worst = 0;
        for (int rows : ROWS) {
            for (int cols : COLS) {
                float[] out = random(rng, rows * cols), out2 = out.clone(), bias = random(rng, cols + 2);
                Elementwise.addBias(TWO, out, bias, 2, rows, cols);
                Reference.addBias(out2, bias, 2, rows, cols);
                float[] db = random(rng, cols + 1), db2 = db.clone();
                Elementwise.biasGrad(TWO, db, 1, out, rows, cols);
                Reference.biasGrad(db2, 1, out, rows, cols);
                float[] y = random(rng, cols + 3), y2 = y.clone();
                Elementwise.axpy(y, 3, 0.7f, out, 0, cols);
                Reference.axpy(y2, 3, 0.7f, out, 0, cols);
                worst = Math.max(worst, Math.max(maxAbsDiff(y, y2), Math.max(maxAbsDiff(out, out2), maxAbsDiff(db, db2))));
                worst = Math.max(worst, Math.abs(Elementwise.dot(out, 0, y, 2, cols) - Reference.dot(out, 0, y, 2, cols)));
            }
        }
        System.out.printf("bias add/reduce, axpy and dot fast vs naive: max abs diff %.3g%n", worst);
        assertThat(worst).isLessThan(1e-4);
    }

    @Test void adamwMatchesTheTorchFormula() {
        SplittableRandom rng = new SplittableRandom(15);
        int n = 5000;
        float[] p = random(rng, n), g = random(rng, n), m = random(rng, n), v = random(rng, n);
        for (int i = 0; i < n; i++) v[i] = Math.abs(v[i]);
        float[] p2 = p.clone(), m2 = m.clone(), v2 = v.clone();
        for (int step = 1; step <= 3; step++) {
            Elementwise.adamw(TWO, p, g, m, v, 7, n - 9, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, step);
            Reference.adamw(p2, g, m2, v2, 7, n - 9, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, step);
        }
        double worst = Math.max(maxAbsDiff(p, p2), Math.max(maxAbsDiff(m, m2), maxAbsDiff(v, v2)));
        System.out.printf("AdamW fast vs naive after 3 steps: max abs diff %.3g%n", worst);
        assertThat(worst).isLessThan(1e-6);
    }

    @Test void resultsAreBitIdenticalForAnyThreadCount() {
        SplittableRandom rng = new SplittableRandom(16);
        int m = 200, n = 130, k = 300;
        float[] a = random(rng, m * k), b = random(rng, n * k), c1 = new float[m * n], c2 = new float[m * n];
        Gemm.mulTransB(Parallel.SERIAL, c1, a, b, m, n, k, false);
        Gemm.mulTransB(TWO, c2, a, b, m, n, k, false);
        assertThat(c2).containsExactly(c1);
        float[] dw1 = new float[k], db1 = new float[k], dw2 = new float[k], db2 = new float[k], mean = new float[m], rstd = new float[m];
        float[] out = new float[m * k], dinp1 = new float[m * k], dinp2 = new float[m * k];
        LayerNorm.forward(TWO, out, mean, rstd, a, b, 0, b, 1, m, k);
        LayerNorm.backward(Parallel.SERIAL, dinp1, dw1, 0, db1, 0, a, out, b, 0, mean, rstd, m, k);
        LayerNorm.backward(TWO, dinp2, dw2, 0, db2, 0, a, out, b, 0, mean, rstd, m, k);
        assertThat(dinp2).containsExactly(dinp1);
        assertThat(dw2).containsExactly(dw1);
        assertThat(db2).containsExactly(db1);
    }
}
