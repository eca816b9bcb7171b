package org.covlab.train;

import java.util.SplittableRandom;
import org.covlab.decode.Sampler;
import org.covlab.model.Gpt;
import org.covlab.model.GptConfig;
import org.covlab.tensor.GemmBenchmark;
import org.covlab.tensor.Parallel;

/**
 * Throughput of the GPT on the shape of {@code shared/bench/torch_gpt.py}, measured the way that script
 * measures PyTorch: warm-up steps (3, as the script, and at least {@link #WARMUP_SECONDS} for the JIT), then
 * {@code steps} timed steps on a fixed random batch.
 * Training is forward + backward + AdamW; scoring is a forward pass without backward buffers and the
 * log-softmax of every target (torch_gpt.py's no_grad score step);
 * sampling decodes {@code batch} prompts of ctx / 2 tokens for ctx / 2 new tokens with the KV cache.
 */
public final class GptBenchmark {
    private final Runnable train, score, sample;
    private final int tokens, sampled;
    private final java.util.Set<Runnable> warm = new java.util.HashSet<>();

    /** A model of this shape with seeded random weights, a fixed random batch, and batch prompts for sampling. */
    public GptBenchmark(GptConfig cfg, int batch, Parallel pool, long seed) {
        Gpt model = new Gpt(cfg, pool);
        SplittableRandom rng = new SplittableRandom(seed);
        model.initialize(rng);
        int t = cfg.ctx(), n = batch * t;
        int[] x = new int[n], y = new int[n];
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.nextInt(cfg.vocab());
            y[i] = rng.nextInt(cfg.vocab());
            w[i] = 1f;
        }
        AdamW opt = new AdamW(AdamW.Config.torchDefaults(), model.layout(), pool);
        train = () -> {
            model.forward(x, batch, t);
            model.loss(y, w);
            model.zeroGradients();
            model.backward();
            opt.step(model.parameters(), model.gradients(), 1e-4);
        };
        score = () -> model.targetLogProbs(x, y, batch, t);
        int half = Math.max(1, t / 2);
        int[][] prompts = new int[batch][half];
        for (int[] p : prompts) for (int i = 0; i < half; i++) p[i] = rng.nextInt(cfg.vocab());
        sample = () -> model.sample(prompts, t - half + 1, -1, Sampler.ANCESTRAL, new SplittableRandom(seed));
        tokens = n;
        sampled = batch * (t - half + 1);
    }

    /** Training tokens/s over {@code steps} timed steps (the optimizer changes the weights, as in torch_gpt.py). */
    public double trainTokensPerS(int steps) {
        return tokens / time(train, steps);
    }

    public double scoreTokensPerS(int steps) {
        return tokens / time(score, steps);
    }

    /** Sampling tokens/s over max(1, steps / 5) calls, each decoding every prompt to its end. */
    public double sampleTokensPerS(int steps) {
        return sampled / time(sample, Math.max(1, steps / 5));
    }

    /**
     * Warm-up before timing: torch_gpt.py's 3 calls, and the first time at least {@link #WARMUP_SECONDS} for the JIT
     * (a fresh JVM's first 20 scoring calls ran 20% below its later ones).
     */
    static final double WARMUP_SECONDS = 3;

    /** Seconds per call, after 3 warm-up calls (and at least {@link #WARMUP_SECONDS} the first time). */
    private double time(Runnable r, int steps) {
        double warmUp = warm.add(r) ? WARMUP_SECONDS * 1e9 : 0;
        long start = System.nanoTime();
        for (int i = 0; i < 3 || System.nanoTime() - start < warmUp; i++) r.run();
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) r.run();
        return (System.nanoTime() - t0) / 1e9 / steps;
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2, steps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        try (Parallel pool = new Parallel(threads)) {
            GptBenchmark b = new GptBenchmark(GptConfig.torchBenchDefaults(), 32, pool, 0);
            System.out.printf("threads=%d train %.0f tok/s, score %.0f tok/s, sample %.0f tok/s%n",
                    threads, b.trainTokensPerS(steps), b.scoreTokensPerS(steps), b.sampleTokensPerS(steps));
            try (Parallel one = new Parallel(1)) {
                System.out.printf("gemm 256^3 one core %.1f GFLOP/s; %d threads: 256^3 %.1f, 1024^3 %.1f GFLOP/s%n",
                        GemmBenchmark.gflops(one, 256, 1.0), threads, GemmBenchmark.gflops(pool, 256, 1.0),
                        GemmBenchmark.gflops(pool, 1024, 1.0));
            }
        }
    }
}
