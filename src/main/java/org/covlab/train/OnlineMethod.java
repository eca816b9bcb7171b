package org.covlab.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.LinearSoftmaxModel;
import org.covlab.task.LinearInstance;
import org.covlab.train.DataStream.Sample;
import org.covlab.util.Seeds;

/**
 * The shared loop of the single-pass methods: theta_1 = 0; each step draws a fresh batch of K samples and updates
 * theta; at the plan's eval points the callback sees the current iterate (or the running mean of the iterates).
 * Subclasses give the settings and the update rule.
 */
abstract class OnlineMethod implements TrainingMethod {

    private final String name;
    private final List<String> keys;
    private final Map<String, Double> overrides;

    OnlineMethod(String name, List<String> keys, Map<String, Double> overrides) {
        new Settings(name, keys, overrides); // validates the keys now, not at train time
        this.name = name;
        this.keys = keys;
        this.overrides = Map.copyOf(overrides);
    }

    /** Resolves the settings in order; a default may depend on settings resolved before it. */
    abstract void configure(Settings s, LinearInstance instance, TrainingPlan plan);

    /** One step: theta (in place, projected) from a batch; {@code model} is pi_theta before the step. */
    abstract void update(Map<String, Double> s, LinearInstance instance, LinearSoftmaxModel model, List<Sample> batch, double[] theta);

    /** The model measured for parameters theta: pi_theta, or pi^TTT_theta for the TTT method. */
    AutoregressiveModel output(Map<String, Double> s, LinearInstance instance, double[] theta) { return instance.model(theta); }

    @Override public String name() { return name; }

    @Override public Map<String, Double> settings(LinearInstance instance, TrainingPlan plan) {
        Settings s = new Settings(name, keys, overrides);
        configure(s, instance, plan);
        return s.map();
    }

    @Override public final AutoregressiveModel train(LinearInstance instance, TrainingPlan plan, Seeds seeds, EvalCallback callback) {
        if (instance.theta().members().isPresent())
            throw new IllegalArgumentException(name + " needs a convex Theta; " + instance.name() + " is a finite class (use mle)");
        Map<String, Double> s = settings(instance, plan);
        double k = s.getOrDefault("batch", 1.0);
        if (k != Math.rint(k) || k < 1) throw new IllegalArgumentException(name + ": batch must be a positive integer, got " + k);
        int K = (int) k;
        DataStream data = new DataStream(instance.task(), seeds);
        double[] theta = new double[instance.d()];   // (d) theta_1 = 0
        double[] sum = theta.clone();                // (d) Σ of the iterates so far
        long iterates = 1;
        long[] evalAt = plan.evalAt();
        int next = 0;
        List<Sample> batch = new ArrayList<>(K);
        while (true) {
            for (; next < evalAt.length && evalAt[next] <= data.drawn(); next++)
                callback.onEval(data.drawn(), reported(s, instance, plan, theta, sum, iterates));
            if (data.drawn() + K > plan.samples()) break;
            batch.clear();
            for (int i = 0; i < K; i++) batch.add(data.next());
            update(s, instance, instance.model(theta), batch, theta);
            for (int j = 0; j < theta.length; j++) sum[j] += theta[j];
            iterates++;
        }
        for (; next < evalAt.length; next++) callback.onEval(data.drawn(), reported(s, instance, plan, theta, sum, iterates));
        return reported(s, instance, plan, theta, sum, iterates);
    }

    private AutoregressiveModel reported(Map<String, Double> s, LinearInstance instance, TrainingPlan plan,
                                         double[] theta, double[] sum, long iterates) {
        if (plan.iterate() == TrainingPlan.Iterate.LAST) return output(s, instance, theta);
        double[] mean = new double[sum.length];
        for (int j = 0; j < mean.length; j++) mean[j] = sum[j] / iterates;
        return output(s, instance, mean);
    }

    /** ĝ = (1/|D|) Σ_{(x,y) in D} ∇ log pi_theta(y|x), the mini-batch sequence gradient of Eq. 17. // (d) */
    static double[] meanSequenceGradient(LinearSoftmaxModel model, List<Sample> batch) {
        double[] g = new double[model.dim()];
        for (Sample z : batch) model.addSequenceGradient(z.prompt(), z.response(), 1.0 / batch.size(), g);
        return g;
    }
}
