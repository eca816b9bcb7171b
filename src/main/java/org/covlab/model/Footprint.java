package org.covlab.model;

/**
 * The bytes a {@link Gpt} will hold, estimated from its config before anything is allocated, so that commands can
 * weigh a request against the heap ({@link org.covlab.util.Heap#require}) instead of failing halfway. Upper
 * estimates: sequences are taken at the full context length. ModelFootprintTest checks them against the bytes a
 * real model allocates.
 */
public final class Footprint {
    private Footprint() {}

    /** What any model holds besides its own arrays: the kernels' per-thread scratch (1 MB each) and the task's tables. */
    static final double OVERHEAD = 16 << 20;

    /** A model to run: parameters, gradients and the packed weight matrices (4 bytes each). */
    public static double model(GptConfig cfg) {
        return OVERHEAD + 3 * 4.0 * cfg.parameterCount();
    }

    /**
     * Training at {@code batch} sequences: the model, each shard's gradient buffer, AdamW's two moments, and the
     * activations {@link Activations} keeps for backward (per token 6 + V + 14 C + L (4 + 10 C) floats, per
     * sequence L NH T² attention probabilities), with T = ctx.
     */
    public static double training(GptConfig cfg, int batch, boolean adamw) {
        double c = cfg.dModel(), layers = cfg.layers(), t = cfg.ctx();
        double shards = Math.min(batch, Pieces.SHARDS);
        double weights = 4.0 * cfg.parameterCount() * (3 + (shards - 1) + (adamw ? 2 : 0));
        double tokens = 1.1 * batch * t;   // pieces keep the largest capacity they needed: a little over batch x T in all
        double perToken = 6 + cfg.vocab() + 14 * c + layers * (4 + 10 * c);
        double attention = layers * batch * cfg.heads() * t * t;
        return OVERHEAD + weights + 4 * (tokens * perToken + attention);
    }
}
