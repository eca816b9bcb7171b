package org.covlab.eval;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.covlab.eval.WeightedSequence;
import org.covlab.metric.LogRatioRecord;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.Gpt;
import org.covlab.model.GptConfig;
import org.covlab.task.Prompt;
import org.covlab.task.Task;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;
import org.covlab.tensor.Parallel;

/**
 * Exact evaluation's cost, the two paths in one JVM: Fig. 2's protocol (P prompts per class, each with its whole
 * support: 1, 1 and 16 responses) scored by {@link ExactEval#records} (each prompt run once, its support on its keys
 * and values) and by {@link #recordsOneByOne} (every (x, y) from scratch, as ExactEval scored before), on models of
 * the paper's size (6 layers, 4 heads, d 384) and the small one (2 layers, 4 heads, d 64) with seeded random weights
 * (the cost does not depend on them). Each round runs both paths, the new one first in even rounds; it prints the
 * positions each path runs through the model, the wall-clock and CPU seconds of each and their ratios, and the
 * largest log-prob difference.
 * Run: {@code java --add-modules jdk.incubator.vector -cp target/covlab.jar org.covlab.eval.ExactEvalBenchmark
 * [threads=2] [rounds=3] [prompts per class=1024] [H=24] [models=small,paper]}
 */
public final class ExactEvalBenchmark {
    private ExactEvalBenchmark() {}

    /**
     * The records as {@link ExactEval#records} gave them before it shared prompts: every sequence scored from scratch
     * with the model's batch scorer, longest first (so batches pad little); the reference of the new path.
     */
    public static List<LogRatioRecord> recordsOneByOne(Task task, AutoregressiveModel model, List<WeightedSequence> seqs) {
        int n = seqs.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> -(seqs.get(i).prompt().tokens().length + seqs.get(i).response().length)));
        int[][] prompts = new int[n][], responses = new int[n][];
        for (int r = 0; r < n; r++) {
            prompts[r] = seqs.get(order[r]).prompt().tokens();
            responses[r] = seqs.get(order[r]).response();
        }
        double[] sorted = model.sequenceLogProbs(prompts, responses);
        LogRatioRecord[] out = new LogRatioRecord[n];
        for (int r = 0; r < n; r++) {
            WeightedSequence s = seqs.get(order[r]);
            out[order[r]] = new LogRatioRecord(s.id(), s.prompt().group(), s.weight(), task.logProbData(s.prompt(), responses[r]), sorted[r]);
        }
        return List.of(out);
    }

    /**
     * Positions run through the model, without padding: {old, new}. Old: |x| + |y| - 1 per sequence. New: per prompt,
     * |x| + |y| - 1 for its first response and |y| - 1 for each other.
     */
    static long[] positions(List<WeightedSequence> seqs) {
        long old = 0, shared = 0;
        Prompt last = null;
        for (WeightedSequence s : seqs) {
            int p = s.prompt().tokens().length, y = Math.max(0, s.response().length - 1);
            old += p + y;
            shared += s.prompt().equals(last) ? y : p + y;   // supportSequences lists a prompt's support together
            last = s.prompt();
        }
        return new long[] {old, shared};
    }

    /** {old, new} from the first and the second run of a round. */
    private static double[] order(boolean newFirst, double first, double second) {
        return newFirst ? new double[] {second, first} : new double[] {first, second};
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2, rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int perClass = args.length > 2 ? Integer.parseInt(args[2]) : 1024, h = args.length > 3 ? Integer.parseInt(args[3]) : 24;
        List<String> models = List.of((args.length > 4 ? args[4] : "small,paper").split(","));
        GraphTask task = GraphTasks.byName(GraphTasks.FIG2, h);
        Map<String, List<Prompt>> prompts = ExactEval.validationPrompts(task, perClass, 0);
        List<WeightedSequence> seqs = ExactEval.supportSequences(task, prompts);
        List<WeightedSequence> warmUp = ExactEval.supportSequences(task, ExactEval.validationPrompts(task, 16, 1));   // every class
        long[] pos = positions(seqs);
        System.out.printf("fig2 H = %d, %d prompts per class, %d sequences; positions run through the model: old %,d, new %,d (%.2fx fewer)%n",
                h, perClass, seqs.size(), pos[0], pos[1], (double) pos[0] / pos[1]);
        int ctx = task.maxPromptLength() + task.maxResponseLength() - 1;
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Parallel pool = new Parallel(threads)) {
            for (String name : models) {
                GptConfig cfg = name.equals("paper") ? GptConfig.paper(task.vocabSize(), ctx) : new GptConfig(task.vocabSize(), ctx, 2, 4, 64);
                Gpt model = new Gpt(cfg, pool);
                model.initialize(new SplittableRandom(1));
                ExactEval.records(task, model, warmUp);                                  // the JIT compiles both paths
                recordsOneByOne(task, model, warmUp);
                for (int r = 0; r < rounds; r++) {
                    double load = os.getSystemLoadAverage();
                    boolean newFirst = r % 2 == 0;
                    long t0 = System.nanoTime(), c0 = os.getProcessCpuTime();
                    List<LogRatioRecord> a = newFirst ? ExactEval.records(task, model, seqs) : recordsOneByOne(task, model, seqs);
                    long t1 = System.nanoTime(), c1 = os.getProcessCpuTime();
                    List<LogRatioRecord> b = newFirst ? recordsOneByOne(task, model, seqs) : ExactEval.records(task, model, seqs);
                    long t2 = System.nanoTime(), c2 = os.getProcessCpuTime();
                    double[] wall = order(newFirst, (t1 - t0) / 1e9, (t2 - t1) / 1e9), cpu = order(newFirst, (c1 - c0) / 1e9, (c2 - c1) / 1e9);
                    double worst = 0;
                    for (int i = 0; i < a.size(); i++) worst = Math.max(worst, Math.abs(a.get(i).logpModel() - b.get(i).logpModel()));
                    System.out.printf("%s model (%d layers, d %d), %d threads, round %d (%s first), load %.1f: old %.1f s, new %.1f s, "
                                    + "ratio %.2fx (CPU time %.1f s / %.1f s: %.2fx); max |diff| log-prob %.2g%n", name, cfg.layers(),
                            cfg.dModel(), threads, r + 1, newFirst ? "new" : "old", load, wall[0], wall[1], wall[0] / wall[1],
                            cpu[0], cpu[1], cpu[0] / cpu[1], worst);
                }
            }
        }
    }
}
