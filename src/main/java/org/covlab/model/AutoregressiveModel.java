package org.covlab.model;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.covlab.decode.Sampler;

/**
 * A next-token model pi(y_h | x, y_{1:h-1}) over a fixed vocabulary (paper section 1.1):
 * pi(y|x) = prod_h pi(y_h | x, y_{1:h-1}). Everything is in log space; a sequence log-prob of -5000 is normal.
 *
 * <p>Implementations: the autoregressive linear model of Eq. 3, the GPT, and a task's own pi_D.
 * Fast models override the batch methods; the defaults are the obvious reference.
 */
public interface AutoregressiveModel {

    int vocabSize();

    /** log pi(. | x, prefix) over the whole vocabulary. // (vocab) */
    double[] nextTokenLogProbs(int[] prompt, int[] prefix);

    /** log pi(y_h | x, y_{<h}) for each h, by teacher forcing. // (len(response)) */
    default double[] tokenLogProbs(int[] prompt, int[] response) {
        double[] out = new double[response.length];
        for (int h = 0; h < response.length; h++) {
            out[h] = nextTokenLogProbs(prompt, Arrays.copyOf(response, h))[response[h]];
        }
        return out;
    }

    /** log pi(y|x) = sum_h log pi(y_h | x, y_{<h}). */
    default double sequenceLogProb(int[] prompt, int[] response) {
        double s = 0;
        for (double v : tokenLogProbs(prompt, response)) s += v;
        return s;
    }

    /** log pi(y_i | x_i) for a batch of (prompt, response) pairs. // (batch) */
    default double[] sequenceLogProbs(int[][] prompts, int[][] responses) {
        double[] out = new double[prompts.length];
        for (int i = 0; i < prompts.length; i++) out[i] = sequenceLogProb(prompts[i], responses[i]);
        return out;
    }

    /**
     * log pi(y | x_i) for every response y in responses[i], the responses to prompt i (exact evaluation's supports).
     * The GPT runs each prompt once and its responses on the prompt's keys and values; the default scores each
     * prompt's responses in its {@link #open session}. // (prompts.length, responses[i].length)
     */
    default double[][] sequenceLogProbs(int[][] prompts, int[][][] responses) {
        if (prompts.length != responses.length) {
            throw new IllegalArgumentException(prompts.length + " prompts but " + responses.length + " response lists");
        }
        double[][] out = new double[prompts.length][];
        for (int i = 0; i < prompts.length; i++) {
            try (PromptSession s = open(prompts[i])) {
                out[i] = s.sequenceLogProbs(responses[i]);
            }
        }
        return out;
    }

    /**
     * Draws a response token by token until {@code endToken} (included) or {@code maxLength} tokens.
     *
     * @param endToken the end-of-sequence token, or -1 for fixed-length responses
     */
    default int[] sample(int[] prompt, int maxLength, int endToken, Sampler sampler, RandomGenerator rng) {
        int[] y = new int[maxLength];
        int len = 0;
        while (len < maxLength) {
            int next = sampler.sample(nextTokenLogProbs(prompt, Arrays.copyOf(y, len)), rng);
            y[len++] = next;
            if (next == endToken) break;
        }
        return Arrays.copyOf(y, len);
    }

    /**
     * One response per prompt, e.g. many copies of one prompt for Best-of-N. Models with a batched or KV-cached
     * decoder (the GPT) override this; the default draws the rows one after another with {@code rng}, so row i is
     * what the i-th single {@link #sample} call would give. // (prompts.length, <= maxLength)
     */
    default int[][] sample(int[][] prompts, int maxLength, int endToken, Sampler sampler, RandomGenerator rng) {
        int[][] out = new int[prompts.length][];
        for (int i = 0; i < prompts.length; i++) out[i] = sample(prompts[i], maxLength, endToken, sampler, rng);
        return out;
    }

    /**
     * Opens a session on one prompt, for many batches of copies of it (Best-of-N's nested draws). A model with a KV
     * cache (the GPT) runs the prompt once per session instead of once per batch. The model's parameters must not
     * change while the session is open; close it to free what it holds. The default samples each batch with
     * {@link #sample(int[][], int, int, Sampler, RandomGenerator)}, never stops a row early, and scores with
     * {@link #sequenceLogProbs(int[][], int[][])}.
     */
    default PromptSession open(int[] prompt) {
        int[] x = prompt.clone();
        return new PromptSession() {
            @Override public int[][] sample(int copies, int maxLength, int endToken, Sampler sampler, PrefixTest alive, RandomGenerator rng) {
                return AutoregressiveModel.this.sample(copiesOf(x, copies), maxLength, endToken, sampler, rng);
            }

            @Override public double[] sequenceLogProbs(int[][] responses) {
                return AutoregressiveModel.this.sequenceLogProbs(copiesOf(x, responses.length), responses);
            }
        };
    }

    private static int[][] copiesOf(int[] prompt, int n) {
        int[][] rows = new int[n][];
        Arrays.fill(rows, prompt);  // read-only, shared
        return rows;
    }

    /** Copies of one prompt, sampled batch after batch, and responses to it scored; see {@link #open}. */
    interface PromptSession extends AutoCloseable {
        /**
         * {@code copies} responses, exactly those that {@code sample(copies of the prompt, maxLength, endToken,
         * sampler, rng)} gives, except that a model whose rows draw from their own generators may stop a row as soon
         * as {@code alive} rejects it: that row then ends with the token that made {@code alive} false (a prefix of
         * the unstopped response), and the other rows are unchanged. // (copies, <= maxLength)
         */
        int[][] sample(int copies, int maxLength, int endToken, Sampler sampler, PrefixTest alive, RandomGenerator rng);

        /** log pi(y_i | prompt) for each response, by teacher forcing (the GPT: on the session's cached prompt). // (responses.length) */
        double[] sequenceLogProbs(int[][] responses);

        @Override default void close() {}
    }

    /** Whether a row may still be worth finishing: false once no response that starts with response[0..length) can be accepted. */
    @FunctionalInterface
    interface PrefixTest {
        boolean canAccept(int[] response, int length);

        /** Never stops a row. */
        PrefixTest ANY = (response, length) -> true;
    }
}
