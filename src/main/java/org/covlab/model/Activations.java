package org.covlab.model;

/**
 * The buffers of one piece's forward/backward pass (see {@link Pieces#PIECE_TOKENS}), allocated once for a
 * capacity of tokens (B T) and attention entries (B NH T T) and reused by every later pass that fits. What backward needs is kept per layer; the
 * LayerNorm outputs and the GELU output are cheap to recompute, so backward recomputes them into shared
 * scratch instead of keeping 6 C floats per token per layer (the paper's model then trains in 2 GiB).
 * An inference-only instance ({@link #forInference}) keeps only qkv per layer (the KV cache reads keys and
 * values from it) and lets the layers share their other buffers, with no backward scratch.
 */
final class Activations {
    final int tokens;           // capacity B T
    final int attention;        // capacity B NH T T

    // kept for backward: copies of the inputs, so callers may reuse their arrays
    final int[] inputs, targets;  // (B, T)
    final float[] weights;        // (B, T)
    // kept for backward, per layer l
    final float[] encoded;      // (B, T, C)      the input of block 0
    final float[][] ln1Mean, ln1Rstd, ln2Mean, ln2Rstd;  // (B, T)
    final float[][] qkv;        // (B, T, 3C)
    final float[][] att;        // (B, NH, T, T)  attention probabilities
    final float[][] atty;       // (B, T, C)      attention output, before proj
    final float[][] res2;       // (B, T, C)      residual after attention
    final float[][] fch;        // (B, T, 4C)     fc output, before GELU
    final float[][] res3;       // (B, T, C)      residual after the MLP: the block's output
    final float[] lnf, lnfMean, lnfRstd;  // (B, T, C), (B, T), (B, T)
    final float[] logits;       // (B, T, V)      becomes dlogits in backward
    final float[] lse;          // (B, T)         log-normaliser of each logits row

    // scratch shared by all layers
    final float[] ln;           // (B, T, C)      a LayerNorm output
    final float[] gelu;         // (B, T, 4C)     GELU output
    final float[] dres;         // (B, T, C)      gradient of the residual stream
    final float[] dln;          // (B, T, C)      gradient of a LayerNorm output
    final float[] dwide;        // (B, T, 4C)     gradient of the GELU/fc output, then of qkv
    final float[] datty;        // (B, T, C)

    Activations(GptConfig cfg, int tokens, int attention) {
        this(cfg, tokens, attention, true);
    }

    /**
     * Buffers for forward passes only. A block's input is dead once its residual copy is made, so res2 and res3
     * can each be one buffer for all layers; att, atty and fch are rewritten by every layer.
     */
    static Activations forInference(GptConfig cfg, int tokens, int attention) {
        return new Activations(cfg, tokens, attention, false);
    }

    private Activations(GptConfig cfg, int tokens, int attention, boolean training) {
        this.tokens = tokens;
        this.attention = attention;
        int c = cfg.dModel(), n = cfg.layers(), kept = training ? tokens : 0;
        inputs = new int[tokens];
        targets = new int[tokens];
        weights = new float[tokens];
        encoded = new float[tokens * c];
        ln1Mean = new float[n][tokens];
        ln1Rstd = new float[n][tokens];
        ln2Mean = new float[n][tokens];
        ln2Rstd = new float[n][tokens];
        qkv = new float[n][tokens * 3 * c];
        att = perLayer(n, attention, training);
        atty = perLayer(n, tokens * c, training);
        res2 = perLayer(n, tokens * c, training);
        fch = perLayer(n, tokens * 4 * c, training);
        res3 = perLayer(n, tokens * c, training);
        lnf = new float[tokens * c];
        lnfMean = new float[tokens];
        lnfRstd = new float[tokens];
        logits = new float[tokens * cfg.vocab()];
        lse = new float[tokens];
        ln = new float[tokens * c];
        gelu = new float[tokens * 4 * c];
        dres = new float[kept * c];
        dln = new float[kept * c];
        dwide = new float[kept * 4 * c];
        datty = new float[kept * c];
    }

    /** n buffers of a given size, or one buffer seen n times. */
    private static float[][] perLayer(int n, int size, boolean separate) {
        float[][] out = new float[n][];
        for (int l = 0; l < n; l++) out[l] = separate || l == 0 ? new float[size] : out[0];
        return out;
    }

    boolean fits(int batch, int seq, int heads) {
        return (long) batch * seq <= tokens && (long) batch * heads * seq * seq <= attention;
    }

    /** The input of block l: the embeddings, or the previous block's output. */
    float[] blockInput(int l) {
        return l == 0 ? encoded : res3[l - 1];
    }
}
