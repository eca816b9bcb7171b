package org.covlab.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.covlab.decode.Sampler;
import org.covlab.model.AutoregressiveModel;
import org.covlab.task.Prompt;
import org.covlab.task.Task;
import org.covlab.task.Verifier;
import org.covlab.task.WeightedResponse;

/**
 * An enumerable test task: prompts are single tokens, one per group "G0", "G1", ... with the given mixture
 * weights; pi_D is a {@link ToyModel}; responses have a fixed length H over a small vocabulary.
 */
public final class ToyTask implements Task {
    private final ToyModel data;
    private final int horizon;
    private final Map<String, Double> groupWeights = new LinkedHashMap<>();
    private final Verifier verifier;

    public ToyTask(ToyModel data, int horizon, double[] groupWeights, Verifier verifier) {
        this.data = data;
        this.horizon = horizon;
        for (int g = 0; g < groupWeights.length; g++) this.groupWeights.put("G" + g, groupWeights[g]);
        this.verifier = verifier;
    }

    /** The prompt of group g. */
    public static Prompt prompt(int g) {
        return new Prompt(new int[] {g}, "G" + g);
    }

    /** Every response in V^H, in lexicographic order. */
    List<int[]> allResponses() {
        List<int[]> out = new ArrayList<>();
        int v = data.vocabSize();
        long count = (long) Math.pow(v, horizon);
        for (long code = 0; code < count; code++) {
            int[] y = new int[horizon];
            long c = code;
            for (int h = horizon - 1; h >= 0; h--, c /= v) y[h] = (int) (c % v);
            out.add(y);
        }
        return out;
    }

    @Override public String name() { return "toy"; }
    @Override public int vocabSize() { return data.vocabSize(); }
    @Override public int maxResponseLength() { return horizon; }
    @Override public Map<String, Double> groupWeights() { return groupWeights; }

    @Override public Prompt samplePrompt(String group, RandomGenerator rng) {
        return prompt(Integer.parseInt(group.substring(1)));
    }

    @Override public int[] sampleResponse(Prompt x, RandomGenerator rng) {
        return data.sample(x.tokens(), horizon, -1, Sampler.ANCESTRAL, rng);
    }

    @Override public double logProbData(Prompt x, int[] response) {
        return data.sequenceLogProb(x.tokens(), response);
    }

    @Override public Optional<List<WeightedResponse>> support(Prompt x) {
        List<WeightedResponse> out = new ArrayList<>();
        for (int[] y : allResponses()) {
            double lp = logProbData(x, y);
            if (lp > Double.NEGATIVE_INFINITY) out.add(new WeightedResponse(y, Math.min(0, lp)));
        }
        return Optional.of(out);
    }

    @Override public Verifier verifier() { return verifier; }

    @Override public Optional<AutoregressiveModel> dataModel() { return Optional.of(data); }
}
