package org.covlab.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.covlab.metric.LogRatioRecord;
import org.covlab.model.AutoregressiveModel;
import org.covlab.task.Prompt;
import org.covlab.task.Task;
import org.covlab.task.WeightedResponse;

/**
 * Turns a task and a model into log-ratio records (paper notes section 3.0): pick the responses, either by
 * enumerating supp pi_D(.|x) with weights pi_D(y|x) (exact) or by sampling y ~ pi_D (Monte Carlo, weight 1),
 * then score each by teacher forcing: log pi_D(y|x) from the task, log pi_hat(y|x) from the model.
 */
public final class Evaluation {
    private Evaluation() {}

    /**
     * The whole support of pi_D(.|x_j) for each prompt, weight pi_D(y|x_j) / |prompts|, so that each prompt
     * counts equally (the prompts stand for mu). Ids are "x{j}/y{k}".
     *
     * @throws IllegalArgumentException when the task cannot enumerate a prompt's support
     */
    public static List<WeightedSequence> enumerate(Task task, List<Prompt> prompts) {
        List<WeightedSequence> out = new ArrayList<>();
        for (int j = 0; j < prompts.size(); j++) {
            Prompt x = prompts.get(j);
            List<WeightedResponse> support = task.support(x).orElseThrow(() ->
                    new IllegalArgumentException(task.name() + " cannot enumerate the support of " + x));
            for (int k = 0; k < support.size(); k++) {
                WeightedResponse y = support.get(k);
                out.add(new WeightedSequence("x" + j + "/y" + k, x, y.tokens(),
                        Math.exp(y.logProb()) / prompts.size()));
            }
        }
        return out;
    }

    /** {@code perPrompt} draws y ~ pi_D(.|x_j) for each prompt, weight 1. Ids are "x{j}/s{m}". */
    public static List<WeightedSequence> sample(Task task, List<Prompt> prompts, int perPrompt, RandomGenerator rng) {
        if (perPrompt < 1) throw new IllegalArgumentException("perPrompt must be >= 1, got " + perPrompt);
        List<WeightedSequence> out = new ArrayList<>(prompts.size() * perPrompt);
        for (int j = 0; j < prompts.size(); j++) {
            for (int m = 0; m < perPrompt; m++) {
                out.add(new WeightedSequence("x" + j + "/s" + m, prompts.get(j),
                        task.sampleResponse(prompts.get(j), rng), 1.0));
            }
        }
        return out;
    }

    /**
     * One record per sequence: log pi_D(y|x) from {@link Task#logProbData}, log pi_hat(y|x) by teacher forcing
     * (one batched {@link AutoregressiveModel#sequenceLogProbs} call), the prompt's group and the weight.
     */
    public static List<LogRatioRecord> records(Task task, AutoregressiveModel model, List<WeightedSequence> sequences) {
        int n = sequences.size();
        int[][] prompts = new int[n][];    // (n, prompt length)
        int[][] responses = new int[n][];  // (n, response length)
        for (int i = 0; i < n; i++) {
            prompts[i] = sequences.get(i).prompt().tokens();
            responses[i] = sequences.get(i).response();
        }
        double[] logpModel = model.sequenceLogProbs(prompts, responses);  // (n)
        List<LogRatioRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            WeightedSequence s = sequences.get(i);
            out.add(new LogRatioRecord(s.id(), s.prompt().group(), s.weight(),
                    task.logProbData(s.prompt(), responses[i]), logpModel[i]));
        }
        return out;
    }
}
