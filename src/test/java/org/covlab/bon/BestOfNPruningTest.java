package org.covlab.bon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.covlab.decode.Sampler;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.Gpt;
import org.covlab.model.GptConfig;
import org.covlab.task.Prompt;
import org.covlab.task.Task;
import org.covlab.task.Verifier;
import org.covlab.tensor.Parallel;
import org.junit.jupiter.api.Test;

/**
 * {@link BestOfN#draw} on a GPT, with a session per prompt and rows stopped by the verifier's prefix test, against the
 * plain loop it replaces (a fresh {@code sample(int[][] ...)} call per batch, every row drawn to the end, then the
 * verifier): the same first accepted index and the same number of draws at every prompt.
 */
class BestOfNPruningTest {

    private static final int H = 7, EOS = 12, MAX_DRAWS = 200;

    /** Accepts H tokens, all in 8..11 (so no EOS); a prefix with any other token can never be accepted. */
    private static final Verifier HIGH_TOKENS = new Verifier() {
        @Override public boolean accepts(Prompt x, int[] y) { return y.length == H && canAccept(x, y, H); }

        @Override public boolean canAccept(Prompt x, int[] y, int length) {
            for (int i = 0; i < length; i++) if (y[i] < 8 || y[i] == EOS) return false;
            return true;
        }
    };

    /** Random prompts of 2-20 tokens; pi_D is not needed by draw(). */
    private record RandomPrompts(Verifier verifier) implements Task {
        @Override public String name() { return "random-prompts"; }
        @Override public int vocabSize() { return 13; }
        @Override public int maxResponseLength() { return H; }
        @Override public int endToken() { return EOS; }

        @Override public Prompt samplePrompt(String group, RandomGenerator rng) {
            int[] x = new int[2 + rng.nextInt(19)];
            for (int i = 0; i < x.length; i++) x[i] = rng.nextInt(vocabSize());
            return new Prompt(x, group);
        }

        @Override public int[] sampleResponse(Prompt x, RandomGenerator rng) { throw new UnsupportedOperationException(); }
        @Override public double logProbData(Prompt x, int[] response) { throw new UnsupportedOperationException(); }
    }

    @Test void prunedDrawsMatchThePlainLoop() {
        try (Parallel two = new Parallel(2)) {
            Gpt gpt = new Gpt(new GptConfig(13, 40, 2, 2, 16), two);
            SplittableRandom init = new SplittableRandom(11);
            float[] p = gpt.parameters();
            for (int i = 0; i < p.length; i++) p[i] = (float) (init.nextGaussian() * 0.15);
            Task task = new RandomPrompts(HIGH_TOKENS);
            SplittableRandom prompts = new SplittableRandom(5);
            int accepted = 0, large = 0;
            for (int j = 0; j < 40; j++) {
                Prompt x = task.samplePrompt("all", prompts);
                BestOfN.Draws got = BestOfN.draw(task, gpt, x, MAX_DRAWS, new SplittableRandom(j));
                BestOfN.Draws want = plainLoop(task, gpt, x, new SplittableRandom(j));
                assertThat(got).as("prompt %d", j).isEqualTo(want);
                if (want.firstAccepted() <= MAX_DRAWS) accepted++;
                if (want.drawn() > 16) large++;
            }
            System.out.printf("pruned Best-of-N on a GPT: 40 prompts identical to the plain loop (%d accepted, %d with batches > 8)%n",
                    accepted, large);
            assertThat(accepted).isBetween(5, 35);
            assertThat(large).isGreaterThan(5);
        }
    }

    /** BestOfN.draw before sessions and pruning. */
    private static BestOfN.Draws plainLoop(Task task, AutoregressiveModel model, Prompt x, RandomGenerator rng) {
        int done = 0, batch = 1;
        while (done < MAX_DRAWS) {
            int size = Math.min(batch, MAX_DRAWS - done);
            int[][] copies = new int[size][];
            Arrays.fill(copies, x.tokens());
            int[][] ys = model.sample(copies, task.maxResponseLength(), task.endToken(), Sampler.ANCESTRAL, rng);
            for (int i = 0; i < size; i++) if (task.verifier().accepts(x, ys[i])) return new BestOfN.Draws(done + i + 1, done + size);
            done += size;
            if (done > 1) batch = Math.min(2 * batch, BestOfN.MAX_BATCH);
        }
        return new BestOfN.Draws(MAX_DRAWS + 1, MAX_DRAWS);
    }
}
