package org.covlab.decode;

import java.util.Arrays;
import java.util.Locale;
import java.util.random.RandomGenerator;
import org.covlab.model.AutoregressiveModel.PrefixTest;
import org.covlab.model.Gpt;
import org.covlab.tensor.Parallel;
import org.covlab.tensor.Softmax;
import org.covlab.train.DivergedException;

/**
 * One decode of {@link TttGpt}: a private copy vartheta of the GPT's weights (serial kernels) and the context
 * x ++ y_{<h} it has adapted on. {@link #start} resets vartheta to theta; {@link #adapt} takes the K SGD steps on the
 * next token and appends it. The forward pass that scores a token is the first step's forward too. Non-finite logits
 * (eta too large) throw {@link DivergedException}. One thread at a time.
 */
final class TttState {
    private final Gpt base, copy;
    private final TttSettings settings;
    private final int[] context, targets;
    private final float[] weights;
    private int length;             // tokens in context
    private int start;              // of them, the prompt's
    private boolean forwarded;      // copy's logits are those of vartheta on context[0, length)

    TttState(Gpt base, TttSettings settings) {
        this.base = base;
        this.settings = settings;
        this.copy = new Gpt(base.config(), Parallel.SERIAL);
        int ctx = base.config().ctx();
        this.context = new int[ctx];
        this.targets = new int[ctx];
        this.weights = new float[ctx];
    }

    /** vartheta = theta, context = x. */
    void start(int[] prompt) {
        if (prompt.length == 0) throw new IllegalArgumentException("empty prompt: the model has no start token");
        if (prompt.length > context.length) throw new IllegalArgumentException("prompt of " + prompt.length + " tokens, ctx is " + context.length);
        System.arraycopy(base.parameters(), 0, copy.parameters(), 0, copy.parameters().length);
        System.arraycopy(prompt, 0, context, 0, prompt.length);
        length = start = prompt.length;
        forwarded = false;
    }

    /** log pi_vartheta(. | context). // (vocab) */
    double[] nextTokenLogProbs() {
        forward();
        int v = base.config().vocab(), row = (length - 1) * v;
        float[] logits = copy.logits();
        double lse = Softmax.logSumExp(logits, row, v);
        if (!Double.isFinite(lse)) {
            throw new DivergedException(String.format(Locale.ROOT, "test-time training diverged (K = %d, eta = %.3g): non-finite logits after "
                    + "%d adapted tokens; a smaller eta keeps the weights finite", settings.steps(), settings.lr(), length - start));
        }
        double[] out = new double[v];
        for (int i = 0; i < v; i++) out[i] = logits[row + i] - lse;
        return out;
    }

    /** K steps vartheta += eta ∇ log pi_vartheta(token | context), then token joins the context. */
    void adapt(int token) {
        checkToken(token);
        if (length == context.length) throw new IllegalArgumentException("context longer than ctx " + context.length);
        if (!settings.off()) {
            Arrays.fill(weights, 0, length, 0f);
            weights[length - 1] = 1f;                     // loss = -log pi(token | context): the last position only
            targets[length - 1] = token;
            float[] p = copy.parameters(), g = copy.gradients();
            for (int k = 0; k < settings.steps(); k++) {
                forward();
                copy.zeroGradients();
                copy.loss(targets, weights);
                copy.backward();
                for (int i = 0; i < p.length; i++) p[i] = (float) (p[i] - settings.lr() * g[i]);
                forwarded = false;
            }
        }
        context[length++] = token;
        forwarded = false;
    }

    /** logprob_TTT from theta: log pi_vartheta(y_h | x, y_{<h}) for each h, adapting on y_h unless it is the last. */
    double[] tokenLogProbs(int[] prompt, int[] response) {
        start(prompt);
        double[] out = new double[response.length];
        for (int h = 0; h < response.length; h++) {
            out[h] = nextTokenLogProbs()[checkToken(response[h])];
            if (h + 1 < response.length) adapt(response[h]);
        }
        return out;
    }

    /** sample_TTT from theta; stops after endToken, maxLength tokens, or the first token that {@code alive} rejects. */
    int[] sample(int[] prompt, int maxLength, int endToken, Sampler sampler, PrefixTest alive, RandomGenerator rng) {
        start(prompt);
        int[] y = new int[maxLength];
        for (int h = 0; h < maxLength; h++) {
            y[h] = sampler.sample(nextTokenLogProbs(), rng);
            if (y[h] == endToken || !alive.canAccept(y, h + 1)) return Arrays.copyOf(y, h + 1);
            if (h + 1 < maxLength) adapt(y[h]);
        }
        return y;
    }

    /** The weights vartheta, live. */
    float[] parameters() {
        return copy.parameters();
    }

    private int checkToken(int token) {
        if (token < 0 || token >= base.config().vocab()) throw new IllegalArgumentException("token " + token + " outside vocab " + base.config().vocab());
        return token;
    }

    private void forward() {
        if (!forwarded) copy.forward(context, 1, length);
        forwarded = true;
    }
}
