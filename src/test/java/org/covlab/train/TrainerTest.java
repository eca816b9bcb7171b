package org.covlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.covlab.model.Gpt;
import org.covlab.model.GptConfig;
import org.covlab.tensor.Parallel;
import org.junit.jupiter.api.Test;

class TrainerTest {

    @Test void sameSeedGivesTheSameBitsForAnyThreadCount() {
        float[] reference = null;
        for (int threads : new int[] {1, 2, 3}) {
            try (Parallel pool = new Parallel(threads)) {
                TrainConfig cfg = TinyRuns.config(11, 6);
                Trainer t = new Trainer(Trainer.initialModel(TinyRuns.GPT, cfg.seed(), pool), TinyRuns.FIG2, cfg);
                t.train(6, (tr, s) -> { });
                if (reference == null) reference = t.model().parameters().clone();
                else assertThat(t.model().parameters()).as("threads=" + threads).isEqualTo(reference);
            }
        }
    }

    /** With the loss on responses, the targets of prompt positions and everything at padding change nothing. */
    @Test void promptTargetsAndPaddingDoNotChangeTheGradient() {
        TaskData data = new TaskData(TinyRuns.FIG2, 5, TaskData.ONLINE, TaskData.LossOn.RESPONSE);
        TaskData.Batch b = data.next(4);
        Gpt m = Trainer.initialModel(TinyRuns.GPT, 5, Parallel.SERIAL);
        float[] g = gradient(m, b.inputs(), b.targets(), b.weights(), b);
        int[] inputs = b.inputs().clone(), targets = b.targets().clone();
        SplittableRandom rng = new SplittableRandom(1);
        int zeroWeight = 0, padding = 0;
        for (int r = 0; r < b.rows(); r++) {
            boolean inPadding = false;
            for (int t = 0; t < b.seq(); t++) {
                int i = r * b.seq() + t;
                if (b.weights()[i] != 0) { inPadding = true; continue; }    // after the response starts, weight 0 = padding
                zeroWeight++;
                targets[i] = rng.nextInt(TinyRuns.GPT.vocab());
                if (inPadding) { inputs[i] = rng.nextInt(TinyRuns.GPT.vocab()); padding++; }
            }
        }
        assertThat(zeroWeight).isGreaterThan(300);
        assertThat(padding).isGreaterThan(0);
        float[] g2 = gradient(m, inputs, targets, b.weights(), b);
        System.out.printf("masked positions: %d (padding %d), max |gradient difference| %.3g%n", zeroWeight, padding, maxDiff(g, g2));
        assertThat(g2).isEqualTo(g);

        TaskData.Batch all = TaskData.pack(pairsOf(b), TaskData.LossOn.ALL);   // the same rows with the loss on every token
        assertThat(maxDiff(g, gradient(m, all.inputs(), all.targets(), all.weights(), all))).isGreaterThan(1e-4);
    }

    /**
     * Eq. 18: theta += eta ĝ / (lambda + ||ĝ||) with ĝ the batch-mean sequence log-likelihood gradient. Checks the
     * update against the formula with ĝ = -s g, and the sign and scale of that ĝ against central differences of
     * the mean sequence log-likelihood (scored by teacher forcing, a code path apart from the loss).
     */
    @Test void normalizedUpdateFollowsEq18() {
        double lambda = 0.7, lr = 0.05;
        TrainConfig cfg = new TrainConfig(2, 1, 4, LrSchedule.constant(lr), Optimizer.Settings.of(Optimizer.Kind.NORMALIZED, 0.01, lambda),
                TaskData.LossOn.RESPONSE, TaskData.ONLINE);
        Gpt m = Trainer.initialModel(TinyRuns.GPT, 2, Parallel.SERIAL);
        float[] before = m.parameters().clone();
        TaskData.Batch b = new TaskData(TinyRuns.FIG2, 2, TaskData.ONLINE, TaskData.LossOn.RESPONSE).next(4);
        float[] g = gradient(m, b.inputs(), b.targets(), b.weights(), b);
        double gNorm = Trainer.norm(g, Parallel.SERIAL), s = b.weightSum() / b.rows();

        // ĝ = -s g: the directional derivative of the mean sequence log-likelihood along u = g / ||g|| is -s ||g||.
        int[][][] pairs = pairsOf(b);
        double eps = 1e-2;
        float[] p = m.parameters();
        for (int i = 0; i < p.length; i++) p[i] = (float) (before[i] + eps * g[i] / gNorm);
        double up = meanSequenceLogLik(m, pairs);
        for (int i = 0; i < p.length; i++) p[i] = (float) (before[i] - eps * g[i] / gNorm);
        double down = meanSequenceLogLik(m, pairs);
        System.arraycopy(before, 0, p, 0, p.length);
        double numeric = (up - down) / (2 * eps), analytic = -s * gNorm;
        System.out.printf("d/du mean log-lik: central difference %.6g, -s||g|| %.6g, relative difference %.2g%n",
                numeric, analytic, Math.abs(numeric - analytic) / Math.abs(analytic));
        assertThat(Math.abs(numeric - analytic)).isLessThan(0.02 * Math.abs(analytic));

        Trainer t = new Trainer(m, TinyRuns.FIG2, cfg);
        StepStats st = t.update();
        assertThat(st.gradNorm()).isEqualTo(gNorm);
        double worst = 0, step = 0;
        for (int i = 0; i < p.length; i++) {
            double ghat = -s * g[i];
            double expected = before[i] + lr * ghat / (lambda + s * gNorm);
            worst = Math.max(worst, Math.abs(p[i] - expected));
            step += (p[i] - before[i]) * (double) (p[i] - before[i]);
        }
        System.out.printf("normalized update: max |theta - Eq. 18| %.3g, step length %.6g (eta ||ĝ|| / (lambda + ||ĝ||) = %.6g)%n",
                worst, Math.sqrt(step), lr * s * gNorm / (lambda + s * gNorm));
        assertThat(worst).isLessThan(1e-7);
        assertThat(Math.sqrt(step)).isCloseTo(lr * s * gNorm / (lambda + s * gNorm), org.assertj.core.api.Assertions.within(1e-5));
    }

    /**
     * Eq. 14 with a mini-batch: theta += eta ĝ = theta - eta s g, a step on the batch-mean summed (not averaged)
     * sequence log-loss, so its length is eta s ||g|| and grows with the response length (the sign and scale of ĝ = -s g
     * are checked against central differences in {@link #normalizedUpdateFollowsEq18}).
     */
    @Test void sgdUpdateFollowsEq14() {
        double lr = 0.01;
        OneStep o = OneStep.of(Optimizer.Kind.SGD, lr, 3);
        float[] before = o.before(), g = o.g();
        Gpt m = o.model();
        double s = o.batch().weightSum() / o.batch().rows(), gNorm = Trainer.norm(g, Parallel.SERIAL);
        o.trainer().update();
        float f = (float) (lr * s);
        double step = 0;
        for (int i = 0; i < g.length; i++) {
            assertThat(m.parameters()[i]).isEqualTo(before[i] - f * g[i]);
            step += (m.parameters()[i] - before[i]) * (double) (m.parameters()[i] - before[i]);
        }
        System.out.printf("sgd update: s = %.3g scored tokens per sequence, step length %.6g (eta s ||g|| = %.6g), max difference 0%n",
                s, Math.sqrt(step), lr * s * gNorm);
        assertThat(s).as("the step is on the summed log-loss: s tokens per sequence").isGreaterThan(1);
        assertThat(Math.sqrt(step)).isCloseTo(lr * s * gNorm, org.assertj.core.api.Assertions.within(1e-4 * lr * s * gNorm));
    }

    /** Eq. 20: theta += eta sign(ĝ) = theta - eta sign(g), exactly in float. */
    @Test void signUpdateFollowsEq20() {
        double lr = 1e-3;
        OneStep o = OneStep.of(Optimizer.Kind.SIGN, lr, 4);
        float[] before = o.before(), g = o.g();
        Gpt m = o.model();
        o.trainer().update();
        int zeros = 0;
        for (int i = 0; i < g.length; i++) {
            assertThat(m.parameters()[i]).isEqualTo(before[i] - (float) lr * Math.signum(g[i]));
            if (g[i] == 0) zeros++;
        }
        System.out.printf("sign update: %d parameters, %d with zero gradient left unchanged, max difference 0%n", g.length, zeros);
    }

    /** A short real run on fig2 H = 8: the response loss falls well below its start (uniform over the vocabulary). */
    @Test void lossDecreasesOnFig2() {
        try (Parallel pool = new Parallel(2)) {
            GptConfig small = new GptConfig(TinyRuns.FIG2.vocabSize(), TinyRuns.CTX, 1, 2, 32);
            TrainConfig cfg = new TrainConfig(1, 80, 8, new LrSchedule(3e-3, 5, false, 0), Optimizer.Settings.adamw(),
                    TaskData.LossOn.RESPONSE, TaskData.ONLINE);
            Trainer t = new Trainer(Trainer.initialModel(small, 1, pool), TinyRuns.FIG2, cfg);
            List<Double> losses = new ArrayList<>();
            t.train(80, (tr, s) -> losses.add(s.loss()));
            double first = losses.get(0), last = losses.subList(70, 80).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            System.out.printf("fig2 H=8, 80 steps of batch 8: loss %.3f -> %.3f (mean of the last 10)%n", first, last);
            assertThat(first).isCloseTo(Math.log(TinyRuns.FIG2.vocabSize()), org.assertj.core.api.Assertions.within(0.3));
            assertThat(last).isLessThan(first - 0.3);   // ln 104 = 4.64 to about 4.2: responses are node ids; copying them takes longer
        }
    }

    /** A tiny model's weights and gradient g on the batch its trainer's first update of {@code kind} at {@code lr} will read. */
    private record OneStep(Gpt model, float[] before, TaskData.Batch batch, float[] g, Trainer trainer) {
        static OneStep of(Optimizer.Kind kind, double lr, long seed) {
            TrainConfig cfg = new TrainConfig(seed, 1, 4, LrSchedule.constant(lr), Optimizer.Settings.of(kind, 0.01, 1),
                    TaskData.LossOn.RESPONSE, TaskData.ONLINE);
            Gpt m = Trainer.initialModel(TinyRuns.GPT, seed, Parallel.SERIAL);
            TaskData.Batch b = new TaskData(TinyRuns.FIG2, seed, TaskData.ONLINE, TaskData.LossOn.RESPONSE).next(4);
            float[] before = m.parameters().clone(), g = gradient(m, b.inputs(), b.targets(), b.weights(), b);
            return new OneStep(m, before, b, g, new Trainer(m, TinyRuns.FIG2, cfg));
        }
    }

    private static float[] gradient(Gpt m, int[] inputs, int[] targets, float[] weights, TaskData.Batch shape) {
        m.forward(inputs, shape.rows(), shape.seq());
        m.loss(targets, weights);
        m.zeroGradients();
        m.backward();
        return m.gradients().clone();
    }

    /** The (prompt, response) pairs of a response-masked batch, from its rows. */
    private static int[][][] pairsOf(TaskData.Batch b) {
        int[][][] out = new int[b.rows()][][];
        for (int r = 0; r < b.rows(); r++) {
            int first = -1, last = -1;
            for (int t = 0; t < b.seq(); t++) if (b.weights()[r * b.seq() + t] != 0) { if (first < 0) first = t; last = t; }
            int promptLen = first + 1, len = last + 2;
            int[] full = new int[len];
            for (int t = 0; t < len - 1; t++) full[t] = b.inputs()[r * b.seq() + t];
            full[len - 1] = b.targets()[r * b.seq() + last];
            out[r] = new int[][] {java.util.Arrays.copyOf(full, promptLen), java.util.Arrays.copyOfRange(full, promptLen, len)};
        }
        return out;
    }

    private static double meanSequenceLogLik(Gpt m, int[][][] pairs) {
        int[][] x = new int[pairs.length][], y = new int[pairs.length][];
        for (int i = 0; i < pairs.length; i++) { x[i] = pairs[i][0]; y[i] = pairs[i][1]; }
        double sum = 0;
        for (double v : m.sequenceLogProbs(x, y)) sum += v;
        return sum / pairs.length;
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }
}
