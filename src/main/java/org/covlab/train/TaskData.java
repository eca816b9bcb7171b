package org.covlab.train;

import java.util.SplittableRandom;
import org.covlab.task.Prompt;
import org.covlab.task.Task;
import org.covlab.util.Seeds;

/**
 * Next-token-prediction data for a {@link Task}: pairs x ~ mu, y ~ pi_D(.|x), packed into teacher-forced batches.
 *
 * <p>Sample i is drawn from {@code Seeds(seed).stream("data", i)} alone, so any sample can be made again from its
 * index and nothing is stored:
 * <ul>
 *   <li>online ({@code datasetSize = 0}): fresh samples every batch, samples 0, 1, 2, ... in order;</li>
 *   <li>a fixed dataset of D samples (the paper: 8 x 64,000 prompts): samples 0..D-1, visited epoch by epoch in
 *       the order of a permutation drawn from {@code stream("shuffle", epoch)}.</li>
 * </ul>
 * The position (epoch, index) is therefore the whole state of the data and of its random streams; checkpoints
 * save it and {@link #seek} restores it.
 */
public final class TaskData {

    /** {@code datasetSize} for fresh samples every batch. */
    public static final int ONLINE = 0;

    /** Which target tokens carry loss weight 1 (the rest get 0; padding always 0). */
    public enum LossOn {
        /** Only the response tokens y (EOS included): the part pi_D describes (docs/tasks.md, Q5). */
        RESPONSE,
        /** Every target token: prompt tokens after the first, and the response. */
        ALL
    }

    /**
     * Where the data stands: the next sample is item {@code index} of epoch {@code epoch} (online: epoch 0 and
     * index = samples drawn so far).
     */
    public record Position(long epoch, long index) {
        public Position {
            if (epoch < 0 || index < 0) throw new IllegalArgumentException("position must be >= 0, got (" + epoch + ", " + index + ")");
        }
    }

    /**
     * A teacher-forced batch, right-padded to its longest pair: row r is x ++ y without its last token as input
     * and without its first token as target, {@code lengths[r]} positions, then padding.
     * // inputs, targets, weights: (rows, seq) row-major; lengths: (rows)
     */
    public record Batch(int[] inputs, int[] targets, float[] weights, int[] lengths, int rows, int seq) {
        /** Positions that hold a pair's tokens (padding left out): what a training step computes. */
        public int tokens() {
            int n = 0;
            for (int r = 0; r < rows; r++) n += lengths[r];
            return n;
        }

        /** Sum of the loss weights: the number of scored tokens. */
        public double weightSum() {
            double s = 0;
            for (float w : weights) s += w;
            return s;
        }
    }

    private final Task task;
    private final Seeds seeds;
    private final int datasetSize;
    private final LossOn lossOn;
    private long epoch, index;
    private int[] order;            // the current epoch's permutation of 0..D-1; null online

    public TaskData(Task task, long seed, int datasetSize, LossOn lossOn) {
        if (datasetSize < 0) throw new IllegalArgumentException("dataset size must be >= 0 (0 = online), got " + datasetSize);
        this.task = task;
        this.seeds = new Seeds(seed);
        this.datasetSize = datasetSize;
        this.lossOn = lossOn;
        seek(new Position(0, 0));
    }

    public Task task() { return task; }

    public boolean online() { return datasetSize == ONLINE; }

    public int datasetSize() { return datasetSize; }

    public LossOn lossOn() { return lossOn; }

    public Position position() { return new Position(epoch, index); }

    /** Continues from a saved position. */
    public void seek(Position p) {
        if (online() && p.epoch() != 0) throw new IllegalArgumentException("online data has only epoch 0, got " + p.epoch());
        if (!online() && p.index() >= datasetSize) throw new IllegalArgumentException("index " + p.index() + " outside the dataset of " + datasetSize);
        boolean newEpoch = order == null || epoch != p.epoch();
        epoch = p.epoch();
        index = p.index();
        if (!online() && newEpoch) order = permutation(epoch);
    }

    /** Sample i of the stream: x ~ mu, then y ~ pi_D(.|x), both from {@code stream("data", i)}. // {prompt, response} */
    public int[][] sample(long i) {
        SplittableRandom rng = seeds.stream("data", i);
        Prompt x = task.samplePrompt(rng);
        return new int[][] {x.tokens(), task.sampleResponse(x, rng)};
    }

    /** The next {@code rows} samples, packed; advances the position (across epochs when needed). */
    public Batch next(int rows) {
        if (rows < 1) throw new IllegalArgumentException("batch must be >= 1, got " + rows);
        int[][][] pairs = new int[rows][][];
        for (int r = 0; r < rows; r++) pairs[r] = sample(nextIndex());
        return pack(pairs, lossOn);
    }

    /** The sample id at the current position, then one step on. */
    private long nextIndex() {
        if (online()) return index++;
        long id = order[(int) index++];
        if (index == datasetSize) seek(new Position(epoch + 1, 0));
        return id;
    }

    /** Fisher-Yates on 0..D-1 with the epoch's own stream. */
    private int[] permutation(long e) {
        int[] p = new int[datasetSize];
        for (int i = 0; i < p.length; i++) p[i] = i;
        SplittableRandom rng = seeds.stream("shuffle", e);
        for (int i = p.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /**
     * Packs (prompt, response) pairs for teacher forcing: inputs are tokens[0..L-2], targets tokens[1..L-1] of
     * x ++ y, padded with token 0 and weight 0 to the longest pair. The target at input position t is a
     * response token when t >= len(x) - 1.
     */
    public static Batch pack(int[][][] pairs, LossOn lossOn) {
        int rows = pairs.length, seq = 1;
        for (int[][] p : pairs) {
            if (p[0].length == 0 || p[1].length == 0) throw new IllegalArgumentException("empty prompt or response");
            seq = Math.max(seq, p[0].length + p[1].length - 1);
        }
        int[] inputs = new int[rows * seq], targets = new int[rows * seq];
        float[] weights = new float[rows * seq];
        int[] lengths = new int[rows];
        for (int r = 0; r < rows; r++) {
            int[] x = pairs[r][0], y = pairs[r][1];
            int len = x.length + y.length, base = r * seq;
            lengths[r] = len - 1;
            for (int t = 0; t < len - 1; t++) {
                inputs[base + t] = t < x.length ? x[t] : y[t - x.length];
                targets[base + t] = t + 1 < x.length ? x[t + 1] : y[t + 1 - x.length];
                weights[base + t] = lossOn == LossOn.ALL || t >= x.length - 1 ? 1f : 0f;
            }
        }
        return new Batch(inputs, targets, weights, lengths, rows, seq);
    }
}
