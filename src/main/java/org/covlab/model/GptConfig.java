package org.covlab.model;

/**
 * The shape of a GPT-2-style model, as the constructor of {@code GPT} in {@code shared/bench/torch_gpt.py}.
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
                "model too large for float[] buffers");
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
