package org.covlab.model;

import java.util.Arrays;
import org.covlab.tensor.Parallel;

/**
 * How {@link Gpt#forward} cuts a batch: {@link #SHARDS} shards of whole sequences, each with its own gradient
 * buffer, and each shard into pieces of about {@link #PIECE_TOKENS} positions, each with its own
 * {@link Activations}. A piece holds the rows that fit in it by their own lengths and computes only up to the
 * longest of them ({@link #seq(int)}), so padding costs nothing where its rows are equally long (every piece of the
 * graph tasks at H = 8 and 24). The layout depends only on (batch, seq, lengths), never on the thread count.
 */
final class Pieces {
    /**
     * A batch is cut into this many shards of whole sequences (fewer if the batch is smaller). Each shard runs
     * backward on one thread with single-threaded kernels and its own gradient buffer, and the buffers are
     * summed in shard order: the pool synchronises a few times per pass instead of at every kernel, which
     * matters when the cores are shared, and the bits do not depend on the thread count.
     */
    static final int SHARDS = 4;
    /**
     * A shard's sequences go through forward and backward in pieces of about this many positions (at least
     * one sequence), each with its own buffers, so that a piece's intermediate activations stay in a core's L2:
     * two sequences of the benchmark's 128 (512 and 128 measured 10% slower and level in scoring). The forward
     * runs all pieces in parallel; a shard's backward runs its pieces in order into the shard's gradient buffer,
     * so the bits still do not depend on the thread count. {@link ScoringPass} uses the same size.
     */
    static final int PIECE_TOKENS = 256;

    /** Work on one shard or piece, on a worker of the pool (0 when run one by one), with the pool its kernels should use. */
    @FunctionalInterface
    interface Work {
        void run(int index, int worker, Parallel kernels);
    }

    private final GptConfig cfg;
    private final int[] firstPiece = new int[SHARDS + 1];   // shard s holds pieces [firstPiece[s], firstPiece[s + 1])
    private Activations[] buffers = new Activations[0];
    private int[] firstRow = new int[1];                    // piece p holds sequences [firstRow[p], firstRow[p + 1])
    private int[] pieceSeq = new int[0];                    // piece p computes positions [0, pieceSeq[p]) of its rows
    private int shards, count;

    Pieces(GptConfig cfg) {
        this.cfg = cfg;
    }

    /**
     * Lays out a (batch, seq) batch whose row r holds {@code lengths[r]} real positions (null: all seq), and makes
     * sure every piece has buffers that fit it.
     */
    void layOut(int batch, int seq, int[] lengths) {
        shards = Math.min(batch, SHARDS);
        int n = 0;
        for (int s = 0; s < shards; s++) {
            for (int r = rowStart(s, batch); r < rowEnd(s, batch); r = pieceEnd(r, rowEnd(s, batch), seq, lengths)) n++;
        }
        if (firstRow.length < n + 1) firstRow = new int[n + 1];
        if (buffers.length < n) buffers = Arrays.copyOf(buffers, n);
        if (pieceSeq.length < n) pieceSeq = new int[n];
        int p = 0;
        for (int s = 0; s < shards; s++) {
            firstPiece[s] = p;
            for (int r = rowStart(s, batch); r < rowEnd(s, batch); r = pieceEnd(r, rowEnd(s, batch), seq, lengths)) firstRow[p++] = r;
        }
        firstPiece[shards] = p;
        firstRow[p] = batch;
        count = p;
        for (int q = 0; q < p; q++) {
            int longest = 0;
            for (int r = firstRow[q]; r < firstRow[q + 1]; r++) longest = Math.max(longest, length(r, seq, lengths));
            pieceSeq[q] = longest;
            ensureCapacity(q, rows(q), longest);
        }
    }

    /**
     * The end of the piece that starts at row r (rows before end): the rows that follow while the piece, computed up
     * to its longest row, stays within PIECE_TOKENS positions. Cut by the rows' own lengths, not the batch's padded
     * seq, so that short rows share a piece (a fig2 batch at H = 8: two rows of 112 positions) and a piece pads
     * only up to its longest row; without lengths, {@link #sequencesPerPiece} rows.
     */
    private static int pieceEnd(int r, int end, int seq, int[] lengths) {
        int longest = length(r, seq, lengths), q = r + 1;
        while (q < end && (q - r + 1) * Math.max(longest, length(q, seq, lengths)) <= PIECE_TOKENS) {
            longest = Math.max(longest, length(q, seq, lengths));
            q++;
        }
        return q;
    }

    private static int length(int r, int seq, int[] lengths) {
        return lengths == null ? seq : lengths[r];
    }

    /** Whole sequences of length seq in a piece: about PIECE_TOKENS positions, at least one sequence. */
    static int sequencesPerPiece(int seq) {
        return Math.max(1, PIECE_TOKENS / seq);
    }

    int shards() { return shards; }

    int count() { return count; }

    /** The first sequence of piece p, and how many it holds. */
    int firstRow(int p) { return firstRow[p]; }

    int rows(int p) { return firstRow[p + 1] - firstRow[p]; }

    /** The positions piece p computes per sequence: the longest of its sequences. */
    int seq(int p) { return pieceSeq[p]; }

    Activations buffers(int p) { return buffers[p]; }

    /** The pieces of shard s are [firstPiece(s), firstPiece(s + 1)). */
    int firstPiece(int s) { return firstPiece[s]; }

    /**
     * Runs work for index 0..n-1 (shards or pieces): in parallel with single-threaded kernels when there are at
     * least as many as threads, else one by one with the pool inside the kernels.
     */
    static void each(Parallel pool, int n, Work work) {
        if (n >= pool.threads()) {
            pool.forEach(n, (i, worker) -> work.run(i, worker, Parallel.SERIAL));
        } else {
            for (int i = 0; i < n; i++) work.run(i, 0, pool);
        }
    }

    private int rowStart(int shard, int batch) {
        return shard * batch / shards;
    }

    private int rowEnd(int shard, int batch) {
        return (shard + 1) * batch / shards;
    }

    private void ensureCapacity(int piece, int rows, int t) {
        Activations old = buffers[piece];
        if (old != null && old.fits(rows, t, cfg.heads())) return;
        long tokensNeeded = (long) rows * t, attNeeded = (long) rows * cfg.heads() * t * t;
        if (attNeeded > Integer.MAX_VALUE - 16 || tokensNeeded * 4 * cfg.dModel() > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(rows + " sequences x seq " + t + " are too large for one piece");
        }
        int capacity = (int) tokensNeeded, att = (int) attNeeded;
        if (old != null) {
            capacity = Math.max(capacity, old.tokens);
            att = Math.max(att, old.attention);
        }
        buffers[piece] = null;          // let the old buffers go before allocating the new ones
        buffers[piece] = new Activations(cfg, capacity, att);
    }
}
