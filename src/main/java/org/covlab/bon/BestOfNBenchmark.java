package org.covlab.bon;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.covlab.decode.Sampler;
import org.covlab.model.AutoregressiveModel;
import org.covlab.task.LinearInstance;
import org.covlab.task.LinearInstances;
import org.covlab.task.Prompt;
import org.covlab.task.Task;
import org.covlab.task.Verifier;
import org.covlab.task.WeightedResponse;
import org.covlab.util.Timing;

/**
 * Times Best-of-N's sampling on the linear models: the model's batch sampler alone (one thread), and the whole
 * {@link BestOfN#measure} at the spec's size, 1024 prompts x 1024 draws, with a verifier that accepts nothing so that
 * every draw is made (the worst case). The figures go in docs/performance.md ("Best-of-N").
 *
 * <pre>
 * mvn -B -q -DskipTests package
 * COVLAB_PROGRESS=none java --add-modules jdk.incubator.vector -cp target/covlab.jar org.covlab.bon.BestOfNBenchmark
 * </pre>
 */
public final class BestOfNBenchmark {
    private BestOfNBenchmark() {}

    private static final int H = 8;

    public static void main(String[] args) {
        System.out.printf(Locale.ROOT, "cores %d, H = %d, model = pi_D of each instance%n", Runtime.getRuntime().availableProcessors(), H);
        for (String name : List.of("bernoulli", "pivotal", "prop4.1a")) {
            LinearInstance in = LinearInstances.byName(name, H);
            AutoregressiveModel model = in.dataModel();
            int[][] copies = new int[BestOfN.MAX_BATCH][];
            Arrays.fill(copies, in.task().prompts().get(0).tokens());
            int batches = 400;
            double[] seconds = Timing.medianAndMin(() -> {
                RandomGenerator rng = new SplittableRandom(1);
                for (int b = 0; b < batches; b++) model.sample(copies, H, -1, Sampler.ANCESTRAL, rng);
            });
            double draws = (double) batches * copies.length;
            long bytes = allocatedBytes();
            model.sample(copies, H, -1, Sampler.ANCESTRAL, new SplittableRandom(2));
            double perDraw = (allocatedBytes() - bytes) / (double) copies.length;
            System.out.printf(Locale.ROOT, "sample  %-9s |V|=%-2d d=%-2d 1 thread: %.3g draws/s (%.3g tokens/s), best %.3g draws/s, "
                    + "%.0f bytes allocated per draw%n", name, in.task().vocabSize(), in.d(), draws / seconds[0], draws * H / seconds[0],
                    draws / seconds[1], perDraw);
        }
        LinearInstance in = LinearInstances.byName("pivotal", H);
        Task none = new RejectAll(in.task());
        int[] ns = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
        for (int threads : new int[] {1, 2}) {
            BestOfNResult r = BestOfN.measure(none, in.dataModel(), new BestOfN.Settings(ns, 1024, 1, threads));
            System.out.printf(Locale.ROOT, "measure pivotal 1024 prompts x 1024 draws, %d thread(s): %d draws in %.2f s = %.3g draws/s%n",
                    threads, r.drawn(), r.drawSeconds(), r.drawsPerSecond());
        }
    }

    /** Bytes this thread has allocated so far (HotSpot's counter). */
    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /** A task whose verifier accepts nothing, so Best-of-N makes every draw; everything else is the wrapped task's. */
    private record RejectAll(Task task) implements Task {
        @Override public String name() { return task.name() + "/reject-all"; }
        @Override public int vocabSize() { return task.vocabSize(); }
        @Override public int maxResponseLength() { return task.maxResponseLength(); }
        @Override public int endToken() { return task.endToken(); }
        @Override public Map<String, Double> groupWeights() { return task.groupWeights(); }
        @Override public Prompt samplePrompt(String group, RandomGenerator rng) { return task.samplePrompt(group, rng); }
        @Override public Prompt samplePrompt(RandomGenerator rng) { return task.samplePrompt(rng); }
        @Override public int[] sampleResponse(Prompt x, RandomGenerator rng) { return task.sampleResponse(x, rng); }
        @Override public double logProbData(Prompt x, int[] response) { return task.logProbData(x, response); }
        @Override public Optional<List<WeightedResponse>> support(Prompt x) { return task.support(x); }
        @Override public Verifier verifier() { return (x, y) -> false; }
    }
}
