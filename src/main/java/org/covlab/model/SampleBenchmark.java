package org.covlab.model;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.covlab.decode.Sampler;
import org.covlab.tensor.Parallel;

/**
 * Best-of-N sampling throughput of the GPT, in the shape {@code covlab bon} asks of it (issue 5, section 1):
 * each prompt gets a session and batches of 1, 1, 2, 4, ... up to 256 copies until {@code draws} responses are
 * drawn, as {@code BestOfN.draw} does, with no end token and no row ever stopped (the worst case: every response
 * has full length, as for a model that is wrong only at its last token). Prompts are
 * split among {@code callers} threads calling {@link Gpt#sample} at once, as {@code BestOfN.measure} does.
 * Run: {@code java --add-modules jdk.incubator.vector -cp target/covlab.jar org.covlab.model.SampleBenchmark}
 */
public final class SampleBenchmark {
    private SampleBenchmark() {}

    /** Best-of-N's largest batch ({@code BestOfN.MAX_BATCH}). */
    static final int MAX_BATCH = 256;

    /** Generated tokens per second, and the seconds one prompt's draws took on average (wall time / prompts). */
    public record Result(double tokensPerS, double secondsPerPrompt) {}

    public static Result bestOfN(GptConfig cfg, int promptLength, int responseLength, int draws, int prompts, int callers,
                                 Parallel pool, long seed) {
        Gpt model = new Gpt(cfg, pool);
        SplittableRandom rng = new SplittableRandom(seed);
        model.initialize(rng);
        int[][] promptTokens = new int[prompts][promptLength];
        for (int[] p : promptTokens) for (int i = 0; i < promptLength; i++) p[i] = rng.nextInt(cfg.vocab());
        AtomicInteger next = new AtomicInteger();
        Runnable caller = () -> {
            for (int j = next.getAndIncrement(); j < prompts; j = next.getAndIncrement()) {
                SplittableRandom draw = new SplittableRandom(seed + j);
                try (AutoregressiveModel.PromptSession session = model.open(promptTokens[j])) {
                    for (int done = 0, batch = 1; done < draws; ) {
                        int size = Math.min(batch, draws - done);
                        session.sample(size, responseLength, -1, Sampler.ANCESTRAL, AutoregressiveModel.PrefixTest.ANY, draw);
                        done += size;
                        if (done > 1) batch = Math.min(2 * batch, MAX_BATCH);
                    }
                }
            }
        };
        long t0 = System.nanoTime();
        Thread[] threads = new Thread[callers - 1];
        for (int i = 0; i < threads.length; i++) (threads[i] = new Thread(caller)).start();
        caller.run();
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result((double) prompts * draws * responseLength / seconds, seconds / prompts);
    }

    public static void main(String[] args) {
        // callers (each a session with serial kernels, as covlab bon's workers), prompts
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2, prompts = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int promptLength = 128, response = 11, draws = 1024;     // fig2 at H = 8: prompts of 100-150 tokens, H + 3 response tokens
        GptConfig[] models = {new GptConfig(104, 160, 4, 4, 128), GptConfig.paper(104, 160)};
        try (Parallel pool = new Parallel(threads)) {
            for (GptConfig cfg : models) {
                bestOfN(cfg, promptLength, response, draws, 1, threads, pool, 0);              // warm-up
                Result r = bestOfN(cfg, promptLength, response, draws, prompts, threads, pool, 1);
                System.out.printf("%d layers d %d, prompt %d, %d x %d-token draws per prompt, %d callers: %.0f tokens/s, "
                                + "%.2f s per prompt, so 1024 prompts take %.0f s%n", cfg.layers(), cfg.dModel(), promptLength, draws,
                        response, threads, r.tokensPerS(), r.secondsPerPrompt(), 1024 * r.secondsPerPrompt());
            }
        }
    }
}
