package org.covlab.train;

import java.util.List;
import java.util.Map;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.ParameterSet;
import org.covlab.task.LinearInstance;
import org.covlab.util.Seeds;

/**
 * Maximum likelihood, Eq. 2: {@code theta_hat = argmax_{theta in Theta} Σ_i log pi_theta(y_i | x_i)}. The objective
 * is concave, so accelerated projected gradient ascent (FISTA with backtracking and gradient restart) converges to
 * the optimum; on a finite Theta (Prop. 4.1(b)) it is the exact argmax over the members. Over training it refits on
 * the first t samples at each eval point t, warm-started from the previous fit; the callback sees theta_hat(t).
 * With no data every theta ties: a convex Theta reports theta = 0, a finite one its first member (for prop4.1b, theta*).
 * Settings: "tolerance", "maxIterations".
 */
public final class Mle implements TrainingMethod {
    public static final String NAME = "mle";
    private static final List<String> KEYS = List.of("tolerance", "maxIterations");

    private final Map<String, Double> overrides;

    public Mle(Map<String, Double> overrides) {
        new Settings(NAME, KEYS, overrides);
        this.overrides = Map.copyOf(overrides);
    }

    @Override public String name() { return NAME; }

    @Override public Map<String, Double> settings(LinearInstance instance, TrainingPlan plan) {
        Settings s = new Settings(NAME, KEYS, overrides);
        s.resolve("tolerance", TheoryDefaults.MLE_TOLERANCE);
        s.resolve("maxIterations", TheoryDefaults.MLE_MAX_ITERATIONS);
        return s.map();
    }

    @Override public AutoregressiveModel train(LinearInstance instance, TrainingPlan plan, Seeds seeds, EvalCallback callback) {
        Map<String, Double> s = settings(instance, plan);
        DataStream data = new DataStream(instance.task(), seeds);
        TokenCounts counts = new TokenCounts(instance.dataModel());
        double[] theta = new double[instance.d()];
        for (long t : plan.evalAt()) {
            theta = fitOn(counts, data, t, theta, instance, s);
            callback.onEval(t, instance.model(theta));
        }
        theta = fitOn(counts, data, plan.samples(), theta, instance, s);
        return instance.model(theta);
    }

    private static double[] fitOn(TokenCounts counts, DataStream data, long t, double[] start, LinearInstance in, Map<String, Double> s) {
        boolean grew = data.drawn() < t;
        while (data.drawn() < t) {
            DataStream.Sample z = data.next();
            counts.add(z.prompt(), z.response());
        }
        if (!grew && counts.sequences() > 0) return start;
        return fit(counts, in.theta(), start, s.get("tolerance"), (int) Math.round(s.get("maxIterations")));
    }

    /** argmax over Theta of the average log-likelihood in {@code counts}, from {@code start}. */
    static double[] fit(TokenCounts counts, ParameterSet set, double[] start, double tolerance, int maxIterations) {
        double[] grad = new double[start.length];
        if (set.members().isPresent()) {
            double[] best = null;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (double[] m : set.members().get()) {
                double v = counts.averageLogLik(m, grad);
                if (v > bestValue) { bestValue = v; best = m; } // ties keep the first member listed
            }
            return best;
        }
        return fista(counts, set, start, tolerance, maxIterations);
    }

    /** FISTA for the concave objective: ascent on the extrapolated point, Armijo backtracking on L, restart on a bad turn. */
    private static double[] fista(TokenCounts counts, ParameterSet set, double[] start, double tolerance, int maxIterations) {
        int d = start.length;
        double[] x = start.clone(), y = start.clone(), grad = new double[d], next = new double[d], scratch = new double[d];
        double L = 1, t = 1;
        for (int it = 0; it < maxIterations; it++) {
            double fy = counts.averageLogLik(y, grad);
            while (true) { // backtrack until the quadratic lower model holds at the projected step
                for (int j = 0; j < d; j++) next[j] = y[j] + grad[j] / L;
                set.project(next);
                double fNext = counts.averageLogLik(next, scratch), model = fy;
                for (int j = 0; j < d; j++) model += grad[j] * (next[j] - y[j]) - L / 2 * (next[j] - y[j]) * (next[j] - y[j]);
                if (fNext >= model - 1e-15 * Math.abs(fy)) break;
                L *= 2;
            }
            double move = 0, turn = 0;
            for (int j = 0; j < d; j++) {
                move = Math.max(move, Math.abs(next[j] - x[j]));
                turn += (y[j] - next[j]) * (next[j] - x[j]); // > 0: momentum points downhill, restart
            }
            double tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
            for (int j = 0; j < d; j++) y[j] = next[j] + (turn > 0 ? 0 : (t - 1) / tNext * (next[j] - x[j]));
            t = turn > 0 ? 1 : tNext;
            System.arraycopy(next, 0, x, 0, d);
            if (move <= tolerance) break;
            L = Math.max(L / 1.5, 1e-12); // let the step grow again
        }
        return x;
    }
}
