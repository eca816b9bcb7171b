package org.covlab.model;

import static org.covlab.model.Layers.NO_BIAS;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import java.util.random.RandomGenerator;
import org.covlab.decode.Sampler;
import org.covlab.tensor.Attention;
import org.covlab.tensor.Elementwise;
import org.covlab.tensor.Gelu;
import org.covlab.tensor.LayerNorm;
import org.covlab.tensor.Parallel;

/**
 * A GPT-2-style transformer on the CPU, the architecture of {@code scripts/covlab_gpt.py} (docs/architecture.md): token plus
 * learned position embeddings, pre-LayerNorm blocks (fused qkv with bias, causal attention, output projection,
 * 4x MLP with tanh-GELU), a final LayerNorm and an untied LM head without bias. It is the model pi_hat of
 * the paper's experiments (section 4.1), trained by next-token prediction: the MLE objective of Eq. 2,
 * sum_h log pi(y_h | x, y_{<h}), here as a weighted mean cross-entropy ({@link #loss}).
 *
 * <p>Parameters and gradients are one flat float[] each, laid out by {@link ParameterLayout} with PyTorch's
 * state_dict names. Training is {@link #forward}, {@link #loss}, {@link #backward}, then an optimizer on
 * {@link #parameters()} and {@link #gradients()}. Not thread-safe: one pass at a time (inside, the
 * {@link Parallel} pool runs the batch's shards and their pieces, or the kernels when the batch is too small).
 */
public final class Gpt implements AutoregressiveModel {

    /** nanoGPT's init: N(0, 0.02) for weights and embeddings, scaled by 1/sqrt(2 layers) on residual outputs. */
    public static final double INIT_STD = 0.02;
    private final GptConfig cfg;
    private final ParameterLayout layout;
    private final Parallel pool;
    private final float[] params, grads;
    final int tok, pos, lnfW, lnfB, head;        // offsets, read by KvCache too
    final Block[] blocks;
    private final Pieces pieces;                                // the last forward's shards and pieces, with buffers
    private final float[][] shardGrads = new float[Pieces.SHARDS][];   // [0] unused: shard 0 adds into grads
    private double[] partialLoss = new double[0];
    private float[] logitsAll;          // (B, T, V) gathered from the pieces on request
    private int batch, seq;             // shape of the last forward; 0 before the first
    private boolean logitsReady;        // the pieces hold logits (not yet gradients)
    private boolean lossReady;          // loss() ran after the last forward, so backward() may run
    private double weightSum;
    private final ConcurrentLinkedDeque<KvCache> idleCaches = new ConcurrentLinkedDeque<>();  // reused by sample()
    private final AtomicBoolean poolClaimed = new AtomicBoolean();   // a sample() call is running kernels on the pool
    private final ScoringPass scoringPass;                          // forward passes without backward buffers
    private PackedWeights packedWeights;                            // created by the first pass that packs

    /** Offsets of one block's tensors in the flat arrays. */
    record Block(int ln1W, int ln1B, int ln2W, int ln2B, int qkvW, int qkvB, int projW, int projB,
                 int fcW, int fcB, int outW, int outB) {
        static Block of(ParameterLayout p, int l) {
            String b = "blocks." + l + ".";
            return new Block(p.offset(b + "ln1.weight"), p.offset(b + "ln1.bias"), p.offset(b + "ln2.weight"),
                    p.offset(b + "ln2.bias"), p.offset(b + "qkv.weight"), p.offset(b + "qkv.bias"),
                    p.offset(b + "proj.weight"), p.offset(b + "proj.bias"), p.offset(b + "fc.weight"),
                    p.offset(b + "fc.bias"), p.offset(b + "out.weight"), p.offset(b + "out.bias"));
        }
    }

    /** A model with all parameters zero; call {@link #initialize} or load weights. */
    public Gpt(GptConfig cfg, Parallel pool) {
        this.cfg = cfg;
        this.pool = pool;
        this.layout = ParameterLayout.of(cfg);
        this.params = new float[layout.size()];
        this.grads = new float[layout.size()];
        tok = layout.offset("tok.weight");
        pos = layout.offset("pos.weight");
        lnfW = layout.offset("ln.weight");
        lnfB = layout.offset("ln.bias");
        head = layout.offset("head.weight");
        blocks = new Block[cfg.layers()];
        for (int l = 0; l < blocks.length; l++) blocks[l] = Block.of(layout, l);
        scoringPass = new ScoringPass(this);
        pieces = new Pieces(cfg);
    }

    /** GPT-2 / nanoGPT initialisation: weights N(0, 0.02), proj/out weights N(0, 0.02 / sqrt(2 L)), LN (1, 0). */
    public void initialize(SplittableRandom rng) {
        double residualStd = INIT_STD / Math.sqrt(2.0 * cfg.layers());
        for (ParameterLayout.Tensor t : layout.tensors()) {
            String name = t.name();
            boolean lnWeight = name.endsWith("ln1.weight") || name.endsWith("ln2.weight") || name.equals("ln.weight");
            double std = name.endsWith("proj.weight") || name.endsWith("out.weight") ? residualStd : INIT_STD;
            for (int i = t.offset(); i < t.offset() + t.size(); i++) {
                params[i] = lnWeight ? 1f : t.isMatrix() ? (float) (rng.nextGaussian() * std) : 0f;
            }
        }
    }

    public GptConfig config() { return cfg; }

    public ParameterLayout layout() { return layout; }

    public Parallel pool() { return pool; }

    /** The flat parameter array, laid out by {@link #layout()}; live, not a copy. */
    public float[] parameters() { return params; }

    /** The flat gradient array, same layout; {@link #backward} adds into it. */
    public float[] gradients() { return grads; }

    public void zeroGradients() {
        Arrays.fill(grads, 0f);
    }

    @Override public int vocabSize() { return cfg.vocab(); }

    // ---- forward ------------------------------------------------------------------------------------------

    /** Runs the model on tokens (batch, seq), row-major; the logits are then in {@link #logits()}. */
    public void forward(int[] tokens, int batch, int seq) {
        forward(tokens, batch, seq, null);
    }

    /**
     * Runs the model on tokens (batch, seq), row-major, where row r holds {@code lengths[r]} real positions and
     * padding after them (null: no padding). Causal attention makes a row's first positions independent of what
     * follows, so the padding is not computed where a piece holds one sequence ({@link Pieces}); its logits read
     * as 0 and its loss weights must be 0.
     */
    public void forward(int[] tokens, int batch, int seq, int[] lengths) {
        checkTokens(tokens, batch, seq);
        if (lengths != null) {
            if (lengths.length < batch) throw new IllegalArgumentException("need a length per row, got " + lengths.length);
            for (int r = 0; r < batch; r++)
                if (lengths[r] < 1 || lengths[r] > seq) throw new IllegalArgumentException("row " + r + " length " + lengths[r] + " outside [1, " + seq + "]");
        }
        this.batch = batch;
        this.seq = seq;
        pieces.layOut(batch, seq, lengths);
        PackedWeights w = packedWeights().repack(pool);
        Pieces.each(pool, pieces.count(), (p, worker, kernels) -> {
            Activations a = pieces.buffers(p);
            int ps = pieces.seq(p);
            for (int r = 0; r < pieces.rows(p); r++) System.arraycopy(tokens, (pieces.firstRow(p) + r) * seq, a.inputs, r * ps, ps);
            forwardShard(a, kernels, pieces.rows(p), ps, w);
        });
        logitsReady = true;
        lossReady = false;
    }

    /**
     * log pi(targets[i] | the tokens of its sequence up to i) at every position, from a forward pass that keeps
     * nothing for backward (PyTorch's no_grad scoring); the training pass's buffers and {@link #logits()} are left
     * as they were. Same values as {@link #forward} then the log-softmax of its logits. // tokens, targets: (batch, seq)
     */
    public synchronized double[] targetLogProbs(int[] tokens, int[] targets, int batch, int seq) {
        checkTokens(tokens, batch, seq);
        checkTokens(targets, batch, seq);
        double[] out = new double[batch * seq];
        scoringPass.targetLogProbs(tokens, targets, batch, seq, out);
        return out;
    }

    /**
     * The buffers for the packed weights, shared by forward() and the scoring pass (42 MB for the paper's model):
     * each pass repacks them first, and passes run one at a time.
     */
    PackedWeights packedWeights() {
        if (packedWeights == null) packedWeights = new PackedWeights(this);
        return packedWeights;
    }

    private void checkTokens(int[] tokens, int batch, int seq) {
        if (seq < 1 || seq > cfg.ctx()) throw new IllegalArgumentException("seq must be in [1, ctx=" + cfg.ctx() + "], got " + seq);
        if (batch < 1 || tokens.length < batch * seq) throw new IllegalArgumentException("need batch * seq tokens, got " + tokens.length);
        for (int i = 0; i < batch * seq; i++) {
            if (tokens[i] < 0 || tokens[i] >= cfg.vocab()) throw new IllegalArgumentException("token " + tokens[i] + " outside vocab " + cfg.vocab());
        }
    }

    /**
     * One shard's forward pass over its rows (batch, seq) of a.inputs, with the weights packed in w (null: each
     * GEMM packs them). Reads only the parameters and w, so calls on different Activations may run concurrently
     * (the shards of a pass, and the KV cache's prefill, which passes null).
     */
    void forwardShard(Activations a, Parallel kp, int rows, int seq, PackedWeights w) {
        forwardShard(a, kp, rows, seq, w, 0, l -> Attention.forward(kp, a.atty[l], a.att[l], a.qkv[l], rows, seq, cfg.dModel(), cfg.heads()));
    }

    /**
     * {@link #forwardShard(Activations, Parallel, int, int, PackedWeights)} with the rows' tokens at positions
     * {@code first}.. and layer l's attention done by {@code attention.accept(l)} (from a.qkv[l] into a.atty[l]):
     * responses that continue a prompt whose keys and values are kept ({@link PromptScoring}).
     */
    void forwardShard(Activations a, Parallel kp, int rows, int seq, PackedWeights w, int first, IntConsumer attention) {
        int bt = rows * seq, c = cfg.dModel();
        Layers.encoderForward(a.encoded, a.inputs, params, tok, pos + first * c, rows, seq, c);
        for (int l = 0; l < blocks.length; l++) {
            Block p = blocks[l];
            float[] x = a.blockInput(l);
            LayerNorm.forward(kp, a.ln, a.ln1Mean[l], a.ln1Rstd[l], x, params, p.ln1W, params, p.ln1B, bt, c);
            Layers.linearForward(kp, a.qkv[l], false, a.ln, params, p.qkvW, w == null ? null : w.qkv[l], p.qkvB, bt, c, 3 * c);
            attention.accept(l);
            System.arraycopy(x, 0, a.res2[l], 0, bt * c);                       // res2 = x + proj(atty)
            Layers.linearForward(kp, a.res2[l], true, a.atty[l], params, p.projW, w == null ? null : w.proj[l], p.projB, bt, c, c);
            LayerNorm.forward(kp, a.ln, a.ln2Mean[l], a.ln2Rstd[l], a.res2[l], params, p.ln2W, params, p.ln2B, bt, c);
            Layers.linearForward(kp, a.fch[l], false, a.ln, params, p.fcW, w == null ? null : w.fc[l], p.fcB, bt, c, 4 * c);
            Gelu.forward(kp, a.gelu, a.fch[l], bt * 4 * c);
            System.arraycopy(a.res2[l], 0, a.res3[l], 0, bt * c);               // res3 = res2 + out(gelu)
            Layers.linearForward(kp, a.res3[l], true, a.gelu, params, p.outW, w == null ? null : w.out[l], p.outB, bt, 4 * c, c);
        }
        LayerNorm.forward(kp, a.lnf, a.lnfMean, a.lnfRstd, a.res3[blocks.length - 1], params, lnfW, params, lnfB, bt, c);
        Layers.linearForward(kp, a.logits, false, a.lnf, params, head, w == null ? null : w.head, NO_BIAS, bt, c, cfg.vocab());
    }

    /**
     * The logits of the last {@link #forward}, (batch * seq, vocab) row-major; 0 at padding positions that were not
     * computed. The array is reused: it is valid until the next forward or backward.
     */
    public float[] logits() {
        if (!logitsReady) throw new IllegalStateException("no logits: call forward() (backward() reuses their memory)");
        if (pieces.count() == 1 && pieces.seq(0) == seq) return pieces.buffers(0).logits;
        int v = cfg.vocab();
        if (logitsAll == null || logitsAll.length < batch * seq * v) logitsAll = new float[batch * seq * v];
        Arrays.fill(logitsAll, 0, batch * seq * v, 0f);
        for (int p = 0; p < pieces.count(); p++) {
            int ps = pieces.seq(p);
            for (int r = 0; r < pieces.rows(p); r++)
                System.arraycopy(pieces.buffers(p).logits, r * ps * v, logitsAll, (pieces.firstRow(p) + r) * seq * v, ps * v);
        }
        return logitsAll;
    }

    /**
     * The weighted mean cross-entropy of the last forward, -sum w log pi(target) / sum w (Eq. 2 divided by the
     * number of scored tokens when the weights are 0/1). A weight of 0 leaves a position out (e.g. prompt
     * tokens when the loss is on responses only); targets there may be anything. // targets, weights: (batch, seq)
     */
    public double loss(int[] targets, float[] weights) {
        int bt = batch * seq;
        if (!logitsReady) throw new IllegalStateException("loss() needs a forward() first");
        double sum = 0;
        for (int i = 0; i < bt; i++) {
            if (!(weights[i] >= 0)) throw new IllegalArgumentException("weights must be >= 0, got " + weights[i]);
            if (weights[i] != 0 && (targets[i] < 0 || targets[i] >= cfg.vocab())) {
                throw new IllegalArgumentException("target " + targets[i] + " outside vocab " + cfg.vocab());
            }
            sum += weights[i];
        }
        if (partialLoss.length < pieces.count()) partialLoss = new double[pieces.count()];
        double[] partial = partialLoss;
        for (int p = 0; p < pieces.count(); p++)
            for (int r = pieces.firstRow(p); r < pieces.firstRow(p) + pieces.rows(p); r++)
                for (int t = pieces.seq(p); t < seq; t++)
                    if (weights[r * seq + t] != 0) throw new IllegalArgumentException("weight at padding position " + t + " of row " + r + " must be 0");
        Pieces.each(pool, pieces.count(), (p, worker, kernels) -> {
            Activations a = pieces.buffers(p);
            int ps = pieces.seq(p), n = pieces.rows(p) * ps;
            for (int r = 0; r < pieces.rows(p); r++) {
                System.arraycopy(targets, (pieces.firstRow(p) + r) * seq, a.targets, r * ps, ps);
                System.arraycopy(weights, (pieces.firstRow(p) + r) * seq, a.weights, r * ps, ps);
            }
            partial[p] = Layers.crossEntropyForward(kernels, a.lse, a.logits, a.targets, a.weights, n, cfg.vocab());
        });
        double total = 0;
        for (int p = 0; p < pieces.count(); p++) total += partial[p];            // in piece order: deterministic
        this.weightSum = sum;
        this.lossReady = true;
        return sum == 0 ? 0 : total / sum;
    }

    // ---- backward -----------------------------------------------------------------------------------------

    /** Adds d loss / d parameters to {@link #gradients()}. Needs {@link #loss} after the last forward. */
    public void backward() {
        if (!lossReady) throw new IllegalStateException("backward() needs forward() then loss()");
        lossReady = false;
        logitsReady = false;                                                 // the logits become their gradients
        if (weightSum == 0) return;
        int shards = pieces.shards();
        for (int s = 1; s < shards; s++) if (shardGrads[s] == null) shardGrads[s] = new float[params.length];
        Pieces.each(pool, shards, (s, worker, kernels) -> {
            float[] g = s == 0 ? grads : shardGrads[s];
            if (s > 0) Arrays.fill(g, 0f);
            for (int p = pieces.firstPiece(s); p < pieces.firstPiece(s + 1); p++) {
                backwardPiece(pieces.buffers(p), kernels, g, pieces.rows(p), pieces.seq(p));
            }
        });
        for (int s = 1; s < shards; s++) Elementwise.add(pool, grads, grads, shardGrads[s], grads.length);
    }

    /** One piece's backward pass over its (rows, seq) positions, adding its parameter gradients into g. */
    private void backwardPiece(Activations a, Parallel kp, float[] g, int rows, int seq) {
        int bt = rows * seq, c = cfg.dModel();
        Layers.crossEntropyBackward(kp, a.logits, a.lse, a.targets, a.weights, weightSum, bt, cfg.vocab());
        Layers.linearBackward(kp, a.dln, false, g, a.logits, a.lnf, params, head, NO_BIAS, bt, c, cfg.vocab());
        Arrays.fill(a.dres, 0, bt * c, 0f);
        LayerNorm.backward(kp, a.dres, g, lnfW, g, lnfB, a.dln, a.res3[blocks.length - 1], params, lnfW,
                a.lnfMean, a.lnfRstd, bt, c);
        for (int l = blocks.length - 1; l >= 0; l--) {
            Block p = blocks[l];
            float[] x = a.blockInput(l);
            // MLP: res3 = res2 + out(gelu(fc(ln2(res2)))); dres holds d res3
            LayerNorm.forward(kp, a.ln, a.ln2Mean[l], a.ln2Rstd[l], a.res2[l], params, p.ln2W, params, p.ln2B, bt, c);
            Gelu.forward(kp, a.gelu, a.fch[l], bt * 4 * c);
            Layers.linearBackward(kp, a.dwide, false, g, a.dres, a.gelu, params, p.outW, p.outB, bt, 4 * c, c);
            Gelu.backward(kp, a.dwide, a.fch[l], a.dwide, bt * 4 * c);
            Layers.linearBackward(kp, a.dln, false, g, a.dwide, a.ln, params, p.fcW, p.fcB, bt, c, 4 * c);
            LayerNorm.backward(kp, a.dres, g, p.ln2W, g, p.ln2B, a.dln, a.res2[l], params, p.ln2W,
                    a.ln2Mean[l], a.ln2Rstd[l], bt, c);
            // attention: res2 = x + proj(attn(qkv(ln1(x)))); dres now holds d res2
            Layers.linearBackward(kp, a.datty, false, g, a.dres, a.atty[l], params, p.projW, p.projB, bt, c, c);
            Attention.backward(kp, a.dwide, a.datty, a.att[l], a.qkv[l], rows, seq, c, cfg.heads());
            LayerNorm.forward(kp, a.ln, a.ln1Mean[l], a.ln1Rstd[l], x, params, p.ln1W, params, p.ln1B, bt, c);
            Layers.linearBackward(kp, a.dln, false, g, a.dwide, a.ln, params, p.qkvW, p.qkvB, bt, c, 3 * c);
            LayerNorm.backward(kp, a.dres, g, p.ln1W, g, p.ln1B, a.dln, x, params, p.ln1W,
                    a.ln1Mean[l], a.ln1Rstd[l], bt, c);
        }
        Layers.encoderBackward(g, tok, pos, a.dres, a.inputs, rows, seq, c);
    }

    // ---- AutoregressiveModel -------------------------------------------------------------------------------
    // Scoring runs forward passes without backward buffers (ScoringPass), one call at a time (synchronized);
    // sampling borrows a KV cache per call or session, so it may run on several threads at once.

    @Override public synchronized double[] nextTokenLogProbs(int[] prompt, int[] prefix) {
        return Scoring.nextTokenLogProbs(this, prompt, prefix);
    }

    @Override public synchronized double[] tokenLogProbs(int[] prompt, int[] response) {
        return Scoring.tokenLogProbs(this, new int[][] {prompt}, new int[][] {response})[0];
    }

    /** Per-token log-probs of many (prompt, response) pairs, teacher-forced in batches. // (n, len(response_i)) */
    public synchronized double[][] tokenLogProbs(int[][] prompts, int[][] responses) {
        return Scoring.tokenLogProbs(this, prompts, responses);
    }

    @Override public double[] sequenceLogProbs(int[][] prompts, int[][] responses) {
        double[][] perToken = tokenLogProbs(prompts, responses);
        double[] out = new double[perToken.length];
        for (int i = 0; i < out.length; i++) for (double v : perToken[i]) out[i] += v;
        return out;
    }

    /**
     * log pi(y | prompts[i]) for every y in responses[i], each prompt run once and its responses on its keys and values
     * ({@link PromptScoring}): exact evaluation's supports. Prompts run side by side, one per thread.
     */
    @Override public synchronized double[][] sequenceLogProbs(int[][] prompts, int[][][] responses) {
        if (prompts.length != responses.length) {
            throw new IllegalArgumentException(prompts.length + " prompts but " + responses.length + " response lists");
        }
        for (int i = 0; i < prompts.length; i++) PromptScoring.check(cfg, prompts[i], responses[i]);
        return scoringPass.sequenceLogProbs(prompts, responses);
    }

    @Override public int[] sample(int[] prompt, int maxLength, int endToken, Sampler sampler, RandomGenerator rng) {
        return sample(new int[][] {prompt}, maxLength, endToken, sampler, rng)[0];
    }

    /**
     * Samples a response for each prompt with a KV cache: responses stop after {@code endToken} (included,
     * -1 for none) or {@code maxLength} tokens. Each prompt gets its own generator seeded from {@code rng} in
     * prompt order, so results do not depend on the thread count. Equal prompts (Best-of-N's copies) are run
     * once and share their keys and values; all rows then decode together with batched GEMMs.
     * Safe to call from several threads at once: each call has its own cache, and only one at a time uses the pool.
     */
    public int[][] sample(int[][] prompts, int maxLength, int endToken, Sampler sampler, RandomGenerator rng) {
        return KvSampling.sample(this, prompts, maxLength, endToken, sampler, rng);
    }

    /**
     * Copies of one prompt, batch after batch (Best-of-N), with the prompt run once per session instead of once per
     * batch; rows that the call's {@code alive} test rejects stop early. Same samples as {@link #sample(int[][], int,
     * int, Sampler, RandomGenerator)} otherwise. One thread per session, with serial kernels; several sessions may
     * run at once, one per thread.
     */
    @Override public PromptSession open(int[] prompt) {
        return new KvSession(this, prompt);
    }

    /** A KV cache for one sampling call (or one thread of it), reusing the buffers of an earlier call. */
    KvCache borrowCache() {
        KvCache cache = idleCaches.poll();
        return cache != null ? cache : new KvCache(this);
    }

    void returnCache(KvCache cache) {
        idleCaches.push(cache);
    }

    /** Claims the pool for a sampling call's chunks; false if another sample() call holds it. */
    boolean claimPool() {
        return poolClaimed.compareAndSet(false, true);
    }

    void releasePool() {
        poolClaimed.set(false);
    }
}
