package org.covlab.decode;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.Gpt;
import org.covlab.model.GptConfig;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;
import org.covlab.tensor.Parallel;

/**
 * What test-time training costs per response: on fig2's prompts, the small model (2 layers, 4 heads, d 64) with
 * seeded random weights samples responses of the task's full length (no end token, so every decoder writes as many
 * tokens) plainly (KV cache) and with {@link TttGpt} at each K, on one thread; each round runs every decoder once,
 * in a rotated order. Prints wall and CPU seconds per response and their ratio to plain decoding.
 * Run: {@code java --add-modules jdk.incubator.vector -cp target/covlab.jar org.covlab.decode.TttBenchmark
 * [H=8] [responses per round=16] [rounds=3] [K list=1,4]}
 */
public final class TttBenchmark {
    private TttBenchmark() {}

    public static void main(String[] args) {
        int h = args.length > 0 ? Integer.parseInt(args[0]) : 8, n = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        String[] ks = (args.length > 3 ? args[3] : "1,4").split(",");
        GraphTask task = GraphTasks.byName(GraphTasks.FIG2, h);
        int len = task.maxResponseLength(), ctx = task.maxPromptLength() + len - 1;
        Gpt gpt = new Gpt(new GptConfig(task.vocabSize(), ctx, 2, 4, 64), Parallel.SERIAL);
        gpt.initialize(new SplittableRandom(1));
        AutoregressiveModel[] decoders = new AutoregressiveModel[ks.length + 1];
        String[] names = new String[decoders.length];
        decoders[0] = gpt;
        names[0] = "plain";
        for (int i = 0; i < ks.length; i++) {
            decoders[i + 1] = new TttGpt(gpt, new TttSettings(Integer.parseInt(ks[i]), 1e-3));
            names[i + 1] = "TTT K=" + ks[i];
        }
        SplittableRandom promptRng = new SplittableRandom(2);
        int[][] prompts = new int[n][];
        for (int i = 0; i < n; i++) prompts[i] = task.samplePrompt(promptRng).tokens();
        System.out.printf("fig2 H = %d: %d responses of %d tokens per decoder and round, prompts of ~%d tokens, small model, 1 thread%n",
                h, n, len, prompts[0].length);
        for (AutoregressiveModel d : decoders) sampleAll(d, prompts, len, 0);   // the JIT compiles every path
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] wall = new double[decoders.length], cpu = new double[decoders.length];
        for (int r = 0; r < rounds; r++) {
            for (int j = 0; j < decoders.length; j++) {
                int d = (j + r) % decoders.length;
                long t0 = System.nanoTime(), c0 = os.getProcessCpuTime();
                sampleAll(decoders[d], prompts, len, r + 1);
                wall[d] += (System.nanoTime() - t0) / 1e9 / n;
                cpu[d] += (os.getProcessCpuTime() - c0) / 1e9 / n;
            }
        }
        for (int d = 0; d < decoders.length; d++) {
            System.out.printf("%-9s %.4f s wall, %.4f s CPU per response (mean of %d rounds): %.1fx plain wall, %.1fx plain CPU%n",
                    names[d], wall[d] / rounds, cpu[d] / rounds, rounds, wall[d] / wall[0], cpu[d] / cpu[0]);
        }
    }

    private static void sampleAll(AutoregressiveModel d, int[][] prompts, int len, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int[] x : prompts) d.sample(x, len, -1, Sampler.ANCESTRAL, rng);
    }
}
