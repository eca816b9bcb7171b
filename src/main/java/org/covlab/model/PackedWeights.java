package org.covlab.model;

import java.util.ArrayList;
import java.util.List;
import org.covlab.tensor.Gemm;
import org.covlab.tensor.Parallel;

/**
 * The Linear layers' weights packed for the GEMM ({@link Gemm.Packed}) once per forward pass, so that its shards
 * share one copy instead of each packing every weight again (a tenth of a scoring pass at two sequences per
 * shard). Refilled from the parameters by {@link #repack} at the start of each pass: the optimizer may have
 * changed them since.
 */
final class PackedWeights {
    final Gemm.Packed[] qkv, proj, fc, out;     // per block: W stored (out, in), packed as Wᵀ (in, out)
    final Gemm.Packed head;
    private final float[] params;
    private final List<Matrix> matrices = new ArrayList<>();    // every weight matrix, with where it is packed

    /** A weight matrix at params[offset], stored (out, in), and its packed copy. */
    private record Matrix(int offset, int in, Gemm.Packed packed) {}

    PackedWeights(Gpt model) {
        GptConfig cfg = model.config();
        int c = cfg.dModel(), n = cfg.layers();
        params = model.parameters();
        qkv = new Gemm.Packed[n];
        proj = new Gemm.Packed[n];
        fc = new Gemm.Packed[n];
        out = new Gemm.Packed[n];
        for (int l = 0; l < n; l++) {
            Gpt.Block p = model.blocks[l];
            qkv[l] = add(p.qkvW(), c, 3 * c);
            proj[l] = add(p.projW(), c, c);
            fc[l] = add(p.fcW(), c, 4 * c);
            out[l] = add(p.outW(), 4 * c, c);
        }
        head = add(model.head, c, cfg.vocab());
    }

    private Gemm.Packed add(int offset, int in, int outC) {
        Gemm.Packed packed = new Gemm.Packed(in, outC);
        matrices.add(new Matrix(offset, in, packed));
        return packed;
    }

    /** Packs every weight matrix from the model's current parameters, one matrix per task on the pool. */
    PackedWeights repack(Parallel pool) {
        pool.forEach(matrices.size(), (task, worker) -> {
            Matrix m = matrices.get(task);
            Gemm.pack(true, params, m.offset(), m.in(), m.packed());
        });
        return this;
    }
}
