package org.covlab.model;

import org.covlab.tensor.Gemm;
import org.covlab.tensor.Parallel;

/**
 * The Linear layers' weights packed for the GEMM ({@link Gemm.Packed}) once per forward pass, so that its shards
 * share one copy instead of each packing every weight again (a tenth of a scoring pass at two sequences per
 * shard). Refilled from the parameters by {@link #repack} at the start of each pass: the optimizer may have
 * changed them since.
 */
final class PackedWeights {
    private final Gpt model;
    final Gemm.Packed[] qkv, proj, fc, out;     // per block: W stored (out, in), packed as Wᵀ (in, out)
    final Gemm.Packed head;

    PackedWeights(Gpt model) {
        this.model = model;
        GptConfig cfg = model.config();
        int c = cfg.dModel(), n = cfg.layers();
        qkv = new Gemm.Packed[n];
        proj = new Gemm.Packed[n];
        fc = new Gemm.Packed[n];
        out = new Gemm.Packed[n];
        for (int l = 0; l < n; l++) {
            qkv[l] = new Gemm.Packed(c, 3 * c);
            proj[l] = new Gemm.Packed(c, c);
            fc[l] = new Gemm.Packed(c, 4 * c);
            out[l] = new Gemm.Packed(4 * c, c);
        }
        head = new Gemm.Packed(c, cfg.vocab());
    }

    /** Packs every weight matrix from the model's current parameters, one matrix per task on the pool. */
    PackedWeights repack(Parallel pool) {
        int n = qkv.length;
        float[] params = model.parameters();
        pool.forEach(4 * n + 1, (task, worker) -> {
            if (task == 4 * n) {
                Gemm.pack(true, params, model.head, model.config().dModel(), head);
                return;
            }
            Gpt.Block p = model.blocks[task / 4];
            switch (task % 4) {
                case 0 -> Gemm.pack(true, params, p.qkvW(), model.config().dModel(), qkv[task / 4]);
                case 1 -> Gemm.pack(true, params, p.projW(), model.config().dModel(), proj[task / 4]);
                case 2 -> Gemm.pack(true, params, p.fcW(), model.config().dModel(), fc[task / 4]);
                default -> Gemm.pack(true, params, p.outW(), 4 * model.config().dModel(), out[task / 4]);
            }
        });
        return this;
    }
}
