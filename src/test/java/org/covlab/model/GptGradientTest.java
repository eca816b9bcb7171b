package org.covlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.covlab.tensor.Parallel;
import org.junit.jupiter.api.Test;

/**
 * The full backward pass against central finite differences of the loss, on a tiny model whose every
 * parameter is random (LayerNorm weights included), so no gradient is trivially zero. The loss is float32,
 * so the step is large (1e-2) and the relative error is floored at 5e-3 in the denominator: a difference
 * quotient carries about 1e-5 of float noise, which would otherwise fail gradients that are exactly zero
 * (the key bias, which softmax ignores).
 */
class GptGradientTest {

    static final GptConfig TINY = new GptConfig(7, 40, 2, 2, 8);

    /** Every parameter N(0, std): larger than the training init so that all paths carry signal. */
    static Gpt randomModel(GptConfig cfg, Parallel pool, long seed, double std) {
        Gpt m = new Gpt(cfg, pool);
        SplittableRandom rng = new SplittableRandom(seed);
        float[] p = m.parameters();
        for (int i = 0; i < p.length; i++) p[i] = (float) (rng.nextGaussian() * std);
        for (ParameterLayout.Tensor t : m.layout().tensors()) {
            if (t.name().contains("ln") && t.name().endsWith("weight")) {
                for (int i = t.offset(); i < t.offset() + t.size(); i++) p[i] += 1f;
            }
        }
        return m;
    }

    @Test void backwardMatchesFiniteDifferencesOnEveryTensor() {
        Gpt m = randomModel(TINY, Parallel.SERIAL, 5, 0.4);
        int b = 2, t = 40;                                      // crosses the attention's query blocks
        SplittableRandom rng = new SplittableRandom(9);
        int[] tokens = new int[b * t], targets = new int[b * t];
        float[] weights = new float[b * t];
        for (int i = 0; i < b * t; i++) {
            tokens[i] = rng.nextInt(TINY.vocab());
            targets[i] = rng.nextInt(TINY.vocab());
            weights[i] = i % 4 == 0 ? 0f : 1f;                 // a mask: some positions carry no loss
        }
        m.zeroGradients();
        m.forward(tokens, b, t);
        m.loss(targets, weights);
        m.backward();
        float[] p = m.parameters(), g = m.gradients().clone();
        double h = 1e-2, worstRel = 0;
        int checked = 0;
        for (ParameterLayout.Tensor tensor : m.layout().tensors()) {
            double tensorWorst = 0;
            for (int s = 0; s < 6; s++) {
                int i = tensor.offset() + rng.nextInt(tensor.size());
                float saved = p[i];
                p[i] = (float) (saved + h);
                double up = lossAt(m, tokens, targets, weights, b, t);
                p[i] = (float) (saved - h);
                double down = lossAt(m, tokens, targets, weights, b, t);
                p[i] = saved;
                double numeric = (up - down) / (2 * h), analytic = g[i];
                double err = Math.abs(numeric - analytic);
                double rel = err / Math.max(Math.abs(numeric) + Math.abs(analytic), 5e-3);
                tensorWorst = Math.max(tensorWorst, rel);
                checked++;
            }
            worstRel = Math.max(worstRel, tensorWorst);
            assertThat(tensorWorst).as(tensor.name()).isLessThan(1e-2);
        }
        System.out.printf("GPT backward vs central differences: %d parameters in %d tensors, max rel error %.3g%n",
                checked, m.layout().tensors().size(), worstRel);
    }

    @Test void maskedPositionsDoNotChangeLossOrGradients() {
        Gpt m = randomModel(TINY, Parallel.SERIAL, 6, 0.3);
        int b = 2, t = 5;
        int[] tokens = {1, 2, 3, 4, 5, 6, 0, 1, 2, 3}, targets = {2, 3, 4, 5, 6, 0, 1, 2, 3, 4};
        float[] weights = {0, 0, 1, 1, 1, 0, 1, 1, 0, 1};
        m.zeroGradients();
        m.forward(tokens, b, t);
        double loss = m.loss(targets, weights);
        m.backward();
        float[] g = m.gradients().clone();
        int[] other = targets.clone();
        other[0] = 6;
        other[5] = 1;
        other[8] = 0;
        m.zeroGradients();
        m.forward(tokens, b, t);
        assertThat(m.loss(other, weights)).isEqualTo(loss);
        m.backward();
        assertThat(m.gradients()).containsExactly(g);
        assertThatThrownBy(m::logits).isInstanceOf(IllegalStateException.class);   // backward reused their memory
        assertThatThrownBy(m::backward).isInstanceOf(IllegalStateException.class);  // needs a new forward and loss
    }

    @Test void trainingStepIsBitIdenticalForOneAndTwoThreads() {
        GptConfig cfg = new GptConfig(11, 40, 2, 2, 48);
        int b = 30, t = 40;         // shards of 7-8 sequences, each in pieces of at most PIECE_TOKENS / t = 6
        SplittableRandom rng = new SplittableRandom(10);
        int[] tokens = new int[b * t], targets = new int[b * t];
        float[] weights = new float[b * t];
        for (int i = 0; i < b * t; i++) {
            tokens[i] = rng.nextInt(cfg.vocab());
            targets[i] = rng.nextInt(cfg.vocab());
            weights[i] = 1f;
        }
        float[][] grads = new float[2][];
        double[] losses = new double[2];
        try (Parallel two = new Parallel(2)) {
            Parallel[] pools = {Parallel.SERIAL, two};
            for (int k = 0; k < 2; k++) {
                Gpt m = randomModel(cfg, pools[k], 8, 0.2);
                m.zeroGradients();
                m.forward(tokens, b, t);
                losses[k] = m.loss(targets, weights);
                m.backward();
                grads[k] = m.gradients().clone();
            }
        }
        assertThat(losses[1]).isEqualTo(losses[0]);
        assertThat(grads[1]).containsExactly(grads[0]);
    }

    @Test void aBatchInShardsAndPiecesGivesTheWeightedSumOfOneSequenceAtATime() {
        GptConfig cfg = new GptConfig(11, 40, 2, 2, 16);
        int b = 19, t = 33;         // shards of 4-5 sequences in pieces of up to 7: uneven shards, one piece each
        int bigT = 40;              // and at t = 40 (pieces of 6) a second batch whose shards have two pieces
        for (int[] shape : new int[][] {{b, t}, {4 * 13, bigT}}) {
            int n = shape[0], len = shape[1];
            SplittableRandom rng = new SplittableRandom(n);
            int[] tokens = new int[n * len], targets = new int[n * len];
            float[] weights = new float[n * len];
            for (int i = 0; i < n * len; i++) {
                tokens[i] = rng.nextInt(cfg.vocab());
                targets[i] = rng.nextInt(cfg.vocab());
                weights[i] = rng.nextInt(3);                     // 0, 1 or 2: masked and weighted positions
            }
            Gpt m = randomModel(cfg, Parallel.SERIAL, 12, 0.2);
            m.zeroGradients();
            m.forward(tokens, n, len);
            double loss = m.loss(targets, weights);
            m.backward();
            float[] batch = m.gradients().clone();
            // the reference: each sequence alone (one shard, one piece), scaled by its share of the total weight
            double total = 0;
            for (float w : weights) total += w;
            double[] expected = new double[batch.length];
            double expectedLoss = 0;
            for (int i = 0; i < n; i++) {
                int[] x = java.util.Arrays.copyOfRange(tokens, i * len, (i + 1) * len);
                int[] y = java.util.Arrays.copyOfRange(targets, i * len, (i + 1) * len);
                float[] w = java.util.Arrays.copyOfRange(weights, i * len, (i + 1) * len);
                double share = 0;
                for (float v : w) share += v / total;
                if (share == 0) continue;
                m.zeroGradients();
                m.forward(x, 1, len);
                expectedLoss += share * m.loss(y, w);
                m.backward();
                float[] g = m.gradients();
                for (int j = 0; j < g.length; j++) expected[j] += share * g[j];
            }
            double worst = 0, scale = 0;
            for (int j = 0; j < batch.length; j++) {
                worst = Math.max(worst, Math.abs(batch[j] - expected[j]));
                scale = Math.max(scale, Math.abs(expected[j]));
            }
            System.out.printf("batch %d x %d in shards and pieces vs one sequence at a time: loss diff %.3g, max grad diff %.3g (max |grad| %.3g)%n",
                    n, len, Math.abs(loss - expectedLoss), worst, scale);
            assertThat(loss).isCloseTo(expectedLoss, org.assertj.core.data.Offset.offset(1e-5));
            assertThat(worst).isLessThan(1e-5 * Math.max(1, scale));
        }
    }

    @Test void paddingLeftUncomputedChangesNeitherLossNorGradients() {
        // Rows of random lengths in a batch padded to the longest; the padding holds random tokens that must not matter.
        GptConfig cfg = new GptConfig(11, 160, 2, 2, 16);
        // random lengths up to 160 (pieces of 1-9 rows of unequal lengths), pieces of 6, and fig2 at H = 8's lengths
        // (112, 151, 160: two rows of 112 share a piece while the padded batch has one row per piece)
        for (int[] shape : new int[][] {{9, 160}, {13, 40}, {12, 160, 112, 151}}) {
            int n = shape[0], len = shape[1];
            SplittableRandom rng = new SplittableRandom(31L * n + len);
            int[] tokens = new int[n * len], targets = new int[n * len], lengths = new int[n];
            float[] weights = new float[n * len];
            for (int r = 0; r < n; r++) {
                lengths[r] = r == 0 ? len : shape.length > 2 ? shape[2 + rng.nextInt(shape.length - 2)] : 1 + rng.nextInt(len);
                for (int t = 0; t < len; t++) {
                    tokens[r * len + t] = rng.nextInt(cfg.vocab());
                    targets[r * len + t] = rng.nextInt(cfg.vocab());
                    weights[r * len + t] = t < lengths[r] ? rng.nextInt(3) : 0;
                }
            }
            double[] loss = new double[3];
            float[][] grads = new float[3][];
            float[][] logits = new float[2][];
            try (Parallel two = new Parallel(2)) {
                for (int k = 0; k < 3; k++) {    // padded; trimmed on one thread; trimmed on two
                    Gpt m = randomModel(cfg, k == 2 ? two : Parallel.SERIAL, 14, 0.2);
                    m.zeroGradients();
                    m.forward(tokens, n, len, k == 0 ? null : lengths);
                    if (k < 2) logits[k] = m.logits().clone();
                    loss[k] = m.loss(targets, weights);
                    m.backward();
                    grads[k] = m.gradients().clone();
                }
            }
            double worstLogit = 0;
            int v = cfg.vocab();
            for (int r = 0; r < n; r++)
                for (int t = 0; t < len; t++)
                    for (int j = 0; j < v; j++) {
                        int i = (r * len + t) * v + j;
                        if (t < lengths[r] || logits[1][i] != 0) worstLogit = Math.max(worstLogit, Math.abs(logits[0][i] - logits[1][i]));
                        // else: padding a piece did not compute reads 0
                    }
            double worst = 0, scale = 0;
            for (int j = 0; j < grads[0].length; j++) {
                worst = Math.max(worst, Math.abs(grads[0][j] - grads[1][j]));
                scale = Math.max(scale, Math.abs(grads[0][j]));
            }
            System.out.printf("batch %d x %d, padding not computed vs computed: loss diff %.3g, max logit diff %.3g, max grad diff %.3g (max |grad| %.3g)%n",
                    n, len, Math.abs(loss[0] - loss[1]), worstLogit, worst, scale);
            assertThat(worstLogit).isLessThan(1e-5);
            assertThat(loss[1]).isCloseTo(loss[0], org.assertj.core.data.Offset.offset(1e-6));
            assertThat(worst).isLessThan(1e-5 * Math.max(1, scale));
            assertThat(loss[2]).as("two threads, the same bits").isEqualTo(loss[1]);
            assertThat(grads[2]).containsExactly(grads[1]);
        }
        Gpt m = randomModel(cfg, Parallel.SERIAL, 14, 0.2);
        m.forward(new int[2 * 10], 2, 10, new int[] {10, 4});
        float[] w = new float[20];
        w[15] = 1;                                                   // row 1, position 5: beyond its length 4
        assertThatThrownBy(() -> m.loss(new int[20], w)).hasMessageContaining("padding position 5 of row 1");
    }

    @Test void piecesAreCutByTheRowsOwnLengths() {
        Pieces p = new Pieces(new GptConfig(11, 160, 1, 1, 8));
        int[] lengths = {112, 112, 112, 160, 112, 112, 40, 40, 40, 40, 40, 40, 40, 100, 112, 112};  // shards of 4 rows
        p.layOut(16, 160, lengths);
        StringBuilder layout = new StringBuilder();
        for (int q = 0; q < p.count(); q++) layout.append(p.firstRow(q)).append('x').append(p.rows(q)).append('@').append(p.seq(q)).append(' ');
        System.out.println("pieces (first row x rows @ positions): " + layout);
        assertThat(layout.toString().trim()).isEqualTo("0x2@112 2x1@112 3x1@160 4x2@112 6x2@40 8x4@40 12x2@100 14x2@112");
        p.layOut(16, 160, null);                                     // no lengths: one row of 160 per piece
        assertThat(p.count()).isEqualTo(16);
        assertThat(p.seq(0)).isEqualTo(160);
    }

    private static double lossAt(Gpt m, int[] tokens, int[] targets, float[] weights, int b, int t) {
        m.forward(tokens, b, t);
        return m.loss(targets, weights);
    }
}
