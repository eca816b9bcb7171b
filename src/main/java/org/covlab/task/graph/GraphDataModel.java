package org.covlab.task.graph;

import java.util.Arrays;
import java.util.List;
import org.covlab.model.AutoregressiveModel;

/**
 * pi_D(y_h | x, y_{<h}) of a graph task, derived from the support: the mass of the support responses that
 * extend the prefix, split by their next token (the stopped KL of Prop. D.10 needs these conditionals).
 * Its sequence log-prob equals {@link GraphTask#logProbData} for every complete response (one that ends in
 * EOS); for a response without EOS it is the probability of that prefix, as for any autoregressive model.
 *
 * <p>A prefix that no support response extends has probability 0; its row is all -infinity.
 */
final class GraphDataModel implements AutoregressiveModel {

    private final GraphTask task;
    private final String group;  // null: find the class from the prompt's tokens

    GraphDataModel(GraphTask task, String group) {
        this.task = task;
        this.group = group;
    }

    @Override public int vocabSize() { return task.vocabSize(); }

    @Override public double[] nextTokenLogProbs(int[] prompt, int[] prefix) {
        List<int[]> support = task.supportResponses(prompt, group != null ? group : task.classify(prompt));
        double[] count = new double[vocabSize()];  // support responses continuing the prefix, by next token
        int matched = 0;
        for (int[] y : support) {
            if (y.length > prefix.length && Arrays.equals(y, 0, prefix.length, prefix, 0, prefix.length)) {
                count[y[prefix.length]]++;
                matched++;
            }
        }
        double[] out = new double[vocabSize()];  // (vocab)
        for (int v = 0; v < out.length; v++) out[v] = matched == 0 ? Double.NEGATIVE_INFINITY : Math.log(count[v] / matched);
        return out;
    }
}
