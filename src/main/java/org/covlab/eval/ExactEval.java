package org.covlab.eval;

import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covlab.eval.WeightedSequence;
import org.covlab.metric.CoverageProfile;
import org.covlab.metric.LogRatioRecord;
import org.covlab.metric.PassAtN;
import org.covlab.model.AutoregressiveModel;
import org.covlab.task.Prompt;
import org.covlab.task.Task;
import org.covlab.task.WeightedResponse;
import org.covlab.util.Seeds;

/**
 * Exact metrics of a model on a task whose pi_D(.|x) can be enumerated (paper notes section 3.0; Fig. 2's protocol):
 * P validation prompts per class, every response in the support of pi_D(.|x) scored by teacher forcing, and
 * <ul>
 *   <li>per class: CE = E[-log pi_hat(y|x)], KL = E[log pi_D(y|x) - log pi_hat(y|x)], Cov_N = P[log pi_D - log pi_hat
 *       >= log N] (Def. 1.1; the mass the model under-covers by a factor N or more, lower is better), and
 *       Pass@k = E_x[1 - (1 - pi_hat(correct|x))^k] with pi_hat(correct|x) the model's mass on the support;</li>
 *   <li>mixed: the same figures averaged over the classes with the task's weights mu~ (Fig. 2: 0.94, 0.05, 0.01).</li>
 * </ul>
 * Each record's weight is mu~(class) / P * pi_D(y|x), so the records alone give every figure: the mixed ones over
 * all records, the per-class ones over a class's records ({@code ./covlab coverage --records} reproduces them).
 */
public final class ExactEval {
    private ExactEval() {}

    /** The name of the class-weighted mixture in tables ({@code group} column). */
    public static final String MIXED = "mixed";

    /** One row of figures: a class, or {@link #MIXED}. {@code coverage[i]} is Cov at ns[i], {@code passAtK[j]} at ks[j]. */
    public record Figures(String group, double crossEntropy, double kl, double[] coverage, double[] passAtK) {}

    /**
     * {@code perClass} prompts of each class of the task, class c from {@code Seeds(seed).stream("validation", c)},
     * in the task's class order. The stream is apart from training's "data" stream.
     */
    public static Map<String, List<Prompt>> validationPrompts(Task task, int perClass, long seed) {
        if (perClass < 1) throw new IllegalArgumentException("prompts per class must be >= 1, got " + perClass);
        Seeds seeds = new Seeds(seed);
        Map<String, List<Prompt>> out = new LinkedHashMap<>();
        int c = 0;
        for (String group : task.groupWeights().keySet()) {
            var rng = seeds.stream("validation", c++);
            List<Prompt> ps = new ArrayList<>(perClass);
            for (int j = 0; j < perClass; j++) ps.add(task.samplePrompt(group, rng));
            out.put(group, ps);
        }
        return out;
    }

    /** Every (x, y) with y in the support of pi_D(.|x), weight mu~(class) / P * pi_D(y|x); ids "G1/x17/y0". */
    public static List<WeightedSequence> supportSequences(Task task, Map<String, List<Prompt>> prompts) {
        List<WeightedSequence> out = new ArrayList<>();
        Map<String, Double> mu = task.groupWeights();
        prompts.forEach((group, ps) -> {
            for (int j = 0; j < ps.size(); j++) {
                Prompt x = ps.get(j);
                List<WeightedResponse> support = task.support(x).orElseThrow(() ->
                        new IllegalArgumentException(task.name() + " cannot enumerate the support of pi_D(.|x)"));
                for (int k = 0; k < support.size(); k++) {
                    WeightedResponse y = support.get(k);
                    out.add(new WeightedSequence(group + "/x" + j + "/y" + k, x, y.tokens(),
                            mu.get(group) / ps.size() * Math.exp(y.logProb())));
                }
            }
        });
        return out;
    }

    /**
     * Scores every sequence with the model in one batch call, the sequences grouped by prompt (equal tokens): the GPT
     * runs each prompt once and its support's responses on the prompt's keys and values
     * ({@link AutoregressiveModel#sequenceLogProbs(int[][], int[][][])}). Returns the records in the sequences' order;
     * log pi_D comes from the task.
     */
    public static List<LogRatioRecord> records(Task task, AutoregressiveModel model, List<WeightedSequence> seqs) {
        Map<IntBuffer, List<Integer>> byPrompt = new LinkedHashMap<>();      // prompt tokens -> sequences, first-seen order
        for (int i = 0; i < seqs.size(); i++) {
            byPrompt.computeIfAbsent(IntBuffer.wrap(seqs.get(i).prompt().tokens()), k -> new ArrayList<>()).add(i);
        }
        int[][] prompts = new int[byPrompt.size()][];
        int[][][] responses = new int[byPrompt.size()][][];
        int g = 0;
        for (Map.Entry<IntBuffer, List<Integer>> e : byPrompt.entrySet()) {
            prompts[g] = e.getKey().array();
            responses[g++] = e.getValue().stream().map(i -> seqs.get(i).response()).toArray(int[][]::new);
        }
        double[][] logp = model.sequenceLogProbs(prompts, responses);
        LogRatioRecord[] out = new LogRatioRecord[seqs.size()];
        g = 0;
        for (List<Integer> members : byPrompt.values()) {
            for (int k = 0; k < members.size(); k++) {
                WeightedSequence s = seqs.get(members.get(k));
                out[members.get(k)] = new LogRatioRecord(s.id(), s.prompt().group(), s.weight(),
                        task.logProbData(s.prompt(), responses[g][k]), logp[g][k]);
            }
            g++;
        }
        return List.of(out);
    }

    /** The mixed figures, then each class's, in first-seen order. */
    public static List<Figures> figures(List<LogRatioRecord> records, double[] ns, int[] ks) {
        Map<String, List<LogRatioRecord>> byGroup = new LinkedHashMap<>();
        for (LogRatioRecord r : records) byGroup.computeIfAbsent(r.group(), g -> new ArrayList<>()).add(r);
        List<Figures> out = new ArrayList<>();
        out.add(figures(MIXED, records, ns, ks));
        byGroup.forEach((g, rs) -> out.add(figures(g, rs, ns, ks)));
        return out;
    }

    private static Figures figures(String group, List<LogRatioRecord> records, double[] ns, int[] ks) {
        CoverageProfile profile = CoverageProfile.of(records);
        double[] pass = PassAtN.overSupport(records, LogRatioRecord::promptId, ks);
        return new Figures(group, CoverageProfile.crossEntropy(records), CoverageProfile.kl(records), profile.coverage(ns), pass);
    }
}
