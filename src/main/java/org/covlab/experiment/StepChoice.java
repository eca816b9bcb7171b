package org.covlab.experiment;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.covlab.eval.EvalRun;
import org.covlab.report.CsvTable;
import org.covlab.train.Optimizer;

/**
 * Each optimizer's step sizes in gpt-interventions, chosen the way linear-horizon chooses them: per H, the grid step
 * with the lowest score; and one fixed step for every H, the grid step whose worst score over H is lowest ("horizon-free"
 * means the step need not know H). A run's score is its Cov_16 averaged over the evaluation points (the quantity
 * Prop. 5.1 and Thm 5.1 bound); a point a diverged run did not reach counts as 1. Scores are means over the grid
 * seeds only, so the choice reads the same rows in the run and in its report. Ties: the lower mean KL, then the
 * smaller step.
 *
 * @param score  optimizer -> H -> step -> mean score over the grid seeds
 * @param kl     the same for the KL averaged over the evaluation points (+infinity once diverged)
 */
public record StepChoice(Map<Optimizer.Kind, Map<Integer, Map<Double, Double>>> score,
                         Map<Optimizer.Kind, Map<Integer, Map<Double, Double>>> kl) {

    /** The choice read off the plain-decoder rows of the grid seeds ({@code seed < gridSeeds}) of {@code metrics}. */
    static StepChoice of(CsvTable metrics, GptInterventions.Settings s) {
        Map<Optimizer.Kind, Map<Integer, Map<Double, Double>>> score = new EnumMap<>(Optimizer.Kind.class), kl = new EnumMap<>(Optimizer.Kind.class);
        for (GptInterventions.Grid g : s.grids())
            for (int H : s.horizons())
                for (double lr : g.lrs()) {
                    double sc = 0, k = 0;
                    for (int seed = 0; seed < s.gridSeeds(); seed++) {
                        List<CsvTable.Row> rows = GptInterventions.rowsOf(metrics, new GptInterventions.Cell(g.optimizer(), lr, H, seed));
                        sc += averaged(rows, s, EvalRun.covColumn(Fig2Horizon.HEADLINE_N), 1) / s.gridSeeds();
                        k += averaged(rows, s, "kl", Double.POSITIVE_INFINITY) / s.gridSeeds();
                    }
                    score.computeIfAbsent(g.optimizer(), x -> new TreeMap<>()).computeIfAbsent(H, x -> new TreeMap<>()).put(lr, sc);
                    kl.computeIfAbsent(g.optimizer(), x -> new TreeMap<>()).computeIfAbsent(H, x -> new TreeMap<>()).put(lr, k);
                }
        return new StepChoice(score, kl);
    }

    /**
     * {@code column} averaged over the run's evaluation points 0, evalEvery, ..., T: a point without a finite value (the
     * run diverged before it) counts as {@code missing}.
     */
    static double averaged(List<CsvTable.Row> rows, GptInterventions.Settings s, String column, double missing) {
        Map<Long, Double> byStep = new TreeMap<>();
        for (CsvTable.Row r : rows) byStep.put(r.integer("step"), r.number(column));
        List<Integer> points = evaluationSteps(s);
        double sum = 0;
        for (int step : points) {
            Double v = byStep.get((long) step);
            sum += v != null && Double.isFinite(v) ? v : missing;
        }
        return sum / points.size();
    }

    /** The steps where a run is evaluated: 0, every evalEvery, and T. */
    static List<Integer> evaluationSteps(GptInterventions.Settings s) {
        List<Integer> out = new ArrayList<>();
        for (int step = 0; step < s.steps(); step += s.evalEvery()) out.add(step);
        out.add(s.steps());
        return out;
    }

    /** The best grid step of {@code k} at {@code H}. */
    public double best(Optimizer.Kind k, int H) {
        Map<Double, Double> sc = score.get(k).get(H), k2 = kl.get(k).get(H);
        double best = Double.NaN;
        for (double lr : sc.keySet())
            if (Double.isNaN(best) || sc.get(lr) < sc.get(best) || sc.get(lr).equals(sc.get(best)) && k2.get(lr) < k2.get(best)) best = lr;
        return best;
    }

    /** The grid step of {@code k} with the lowest worst score over H (ties: the lower worst KL, then the smaller step). */
    public double fixed(Optimizer.Kind k) {
        double best = Double.NaN, bestScore = 0, bestKl = 0;
        for (double lr : score.get(k).values().iterator().next().keySet()) {
            double worst = score.get(k).values().stream().mapToDouble(m -> m.get(lr)).max().orElseThrow();
            double worstKl = kl.get(k).values().stream().mapToDouble(m -> m.get(lr)).max().orElseThrow();
            if (Double.isNaN(best) || worst < bestScore || worst == bestScore && worstKl < bestKl) {
                best = lr;
                bestScore = worst;
                bestKl = worstKl;
            }
        }
        return best;
    }
}
