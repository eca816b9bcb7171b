package org.covlab.model;

/**
 * The shape of a GPT-2-style model, as the constructor of {@code GPT} in {@code scripts/covlab_gpt.py} (docs/architecture.md).
 *
 * @param vocab  tokens in the vocabulary
 * @param ctx    the longest sequence (learned absolute positions)
 * @param layers transformer blocks
 * @param heads  attention heads; must divide dModel
 * @param dModel width of the residual stream
 */
public record GptConfig(int vocab, int ctx, int layers, int heads, int dModel) {

    public GptConfig {
        require(vocab >= 1, "vocab must be >= 1, got " + vocab);
        require(ctx >= 1, "ctx must be >= 1, got " + ctx);
        require(layers >= 1, "layers must be >= 1, got " + layers);
        require(heads >= 1, "heads must be >= 1, got " + heads);
        require(dModel >= 1 && dModel % heads == 0, "dModel must be a positive multiple of heads (" + heads + "), got " + dModel);
        require((long) ctx * dModel * 16 < Integer.MAX_VALUE && (long) vocab * dModel < Integer.MAX_VALUE,
                "ctx " + ctx + ", vocab " + vocab + " and dModel " + dModel + " are too large for the float[] buffers "
                        + "(need 16 ctx dModel and vocab dModel below 2^31)");
        double p = parameters(vocab, ctx, layers, dModel);
        require(p <= MAX_PARAMETERS, String.format(java.util.Locale.ROOT, "%d layers of width %d (vocab %d, ctx %d) make %.4g parameters;"
                + " one float[] holds at most %d", layers, dModel, vocab, ctx, p, MAX_PARAMETERS));
    }

    /** The most parameters a model may have: they live in one float[] ({@link ParameterLayout}). */
    public static final int MAX_PARAMETERS = Integer.MAX_VALUE - 16;

    /** The number of parameters, as {@link ParameterLayout#of} lays them out; known without laying them out. */
    public long parameterCount() {
        return (long) parameters(vocab, ctx, layers, dModel);
    }

    /** tok and head (vocab x d), pos (ctx x d), per layer 12 d² + 13 d (qkv, proj, fc, out, two LayerNorms), final LayerNorm. */
    private static double parameters(double vocab, double ctx, double layers, double d) {
        return 2 * vocab * d + ctx * d + layers * (12 * d * d + 13 * d) + 2 * d;
    }

    /** torch_gpt.py's defaults: the benchmark configuration. */
    public static GptConfig torchBenchDefaults() {
        return new GptConfig(104, 128, 4, 4, 128);
    }

    /** The paper's model (section 4.1): 6 layers, 4 heads, width 384, for a given vocabulary and context. */
    public static GptConfig paper(int vocab, int ctx) {
        return new GptConfig(vocab, ctx, 6, 4, 384);
    }

    public int headSize() {
        return dModel / heads;
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }
}
