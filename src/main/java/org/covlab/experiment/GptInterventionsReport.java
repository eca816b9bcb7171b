package org.covlab.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.covlab.eval.EvalRun;
import org.covlab.report.CsvTable;
import org.covlab.report.Plot;
import org.covlab.report.Section;
import org.covlab.report.TextTable;
import org.covlab.report.Verdict;
import org.covlab.select.Selector;
import org.covlab.train.Optimizer;

/**
 * Turns gpt-interventions' metrics.csv and selections.csv into the report section: the step-size choice, each
 * optimizer's Cov_16 and KL over training per H, the claims of section 5 and 6.3 with verdicts computed from the
 * numbers. It reads only the CSVs and the settings, so {@code ./covlab report RUN_DIR} rebuilds the same section.
 */
public final class GptInterventionsReport {
    private GptInterventionsReport() {}

    /** Scores across H within this much (absolute), or this fraction of their mean, count as flat (as fig2-horizon). */
    static final double FLAT_ABSOLUTE = Fig2HorizonReport.FLAT_ABSOLUTE, FLAT_RELATIVE = Fig2HorizonReport.FLAT_RELATIVE;
    /** A run whose G_{H,1} Cov_16 ends above this has not learned the task's main class. */
    static final double SATURATED = Fig2HorizonReport.SATURATED;
    /** Q10: the last iterate counts as good as the best checkpoint within this much Cov_16. */
    static final double LAST_VS_BEST = 0.02;
    /**
     * Selection regrets within this much count as equal: with 32-64 prompts per class, Cov_16 moves by about 1e-4 between
     * checkpoints that under-cover the same prompts (the weights of G_{H,3}'s supports), which is no difference in picks.
     */
    static final double SAME_REGRET = 0.005;

    private static final String COV = EvalRun.covColumn(Fig2Horizon.HEADLINE_N);

    /** What the report reads per optimizer, step and H: the runs' figures over seeds. */
    private record Runs(GptInterventions.Settings s, CsvTable plain) {
        List<List<CsvTable.Row>> of(Optimizer.Kind k, double lr, int H) {
            List<List<CsvTable.Row>> out = new ArrayList<>();
            for (int seed = 0; seed < s.seeds(); seed++) {
                List<CsvTable.Row> rows = GptInterventions.rowsOf(plain, new GptInterventions.Cell(k, lr, H, seed));
                if (!rows.isEmpty()) out.add(rows);
            }
            return out;
        }

        /** The median over seeds of a per-run figure. */
        double median(Optimizer.Kind k, double lr, int H, ToDoubleFunction<List<CsvTable.Row>> f) {
            return Quantiles.median(of(k, lr, H).stream().mapToDouble(f).toArray());
        }
    }

    /** Cov_16 averaged over the evaluation points (a diverged run's missing points count as 1): the theorems' quantity. */
    private static ToDoubleFunction<List<CsvTable.Row>> averaged(GptInterventions.Settings s) {
        return rows -> StepChoice.averaged(rows, s, COV, 1);
    }

    /** The value at the last evaluation point; {@code missing} when the run diverged before it. */
    private static ToDoubleFunction<List<CsvTable.Row>> last(String column, double missing) {
        return rows -> {
            double v = rows.get(rows.size() - 1).number(column);
            return Double.isFinite(v) ? v : missing;
        };
    }

    /** The lowest Cov_16 over the run's checkpoints (the oracle's pick). */
    private static double bestCheckpoint(List<CsvTable.Row> rows) {
        return rows.stream().mapToDouble(r -> r.number(COV)).filter(Double::isFinite).min().orElse(1);
    }

    public static Section section(GptInterventions.Tables t, GptInterventions.Settings s, Path dir, Map<String, Object> settings) {
        CsvTable plain = new CsvTable(t.metrics().header());
        for (CsvTable.Row r : t.metrics().rows())
            if (r.get("decoder").equals(GptInterventions.Decoder.PLAIN.cliName())) plain.addRow(plain.header().stream().map(r::get).toArray());
        Runs runs = new Runs(s, plain);
        StepChoice choice = StepChoice.of(plain, s);
        Section.Builder b = Section.builder("gpt-interventions: SGD, normalized SGD, SignSGD and AdamW across H on a GPT (sections 5, 6.3)",
                "Whether the paper's training interventions, proved for the linear model, change a GPT's coverage as the horizon grows on "
                        + "fig2: sequence-level SGD's Cov_16 pays H/T unless its step shrinks with H (Prop. 5.1), the normalized update's "
                        + "does not (Thm 5.1), SignSGD/Adam behave like it (the remark after Eq. 20); which checkpoint to deploy (Q10), "
                        + "and whether the coverage tournament picks the best-covering one as H grows (section 6.3).");
        Map<String, double[]> byRun = perRun(plain);
        java.util.Set<String> informative = new java.util.TreeSet<>();
        byRun.forEach((key, v) -> { if (v[1] > v[0]) informative.add(key); });
        claims(b, runs, choice, s, t.selections(), byRun, informative);
        b.table("Step-size grid: Cov_16 averaged over training (mean over the grid seeds; a diverged run counts 1 where it stopped); "
                + "* the best step at that H, the fixed step is the one whose worst H is lowest", gridTable(choice, s));
        b.table("The chosen steps on " + s.seeds() + " seed(s), medians: Cov_16 averaged over training, at the last update, at the best "
                + "checkpoint, and the final KL", chosenTable(runs, choice, s));
        b.table("At the last update, fixed step, medians: KL and Cov_16 within each class", perClass(runs, choice, s));
        b.table("Selection at N = 16 over each run's checkpoints: Cov_16 of the pick minus the lowest true Cov_16 (regret), mean over the "
                + informative.size() + " runs whose checkpoints differ in Cov_16",
                GptInterventionsSelection.table(t.selections(), informative, s));
        plots(b, runs, choice, s, dir);
        GptInterventionsTtt.report(b, s, t.metrics(), dir);
        settings.forEach(b::setting);
        return b.build();
    }

    /**
     * Per run (optimizer/lr/H/seed): {lowest, highest, last} finite Cov_16 over its checkpoints, and its last step. Only runs
     * whose checkpoints differ in Cov_16 tell anything about selection (a run stuck at 1 ties every pick).
     */
    static Map<String, double[]> perRun(CsvTable plain) {
        Map<String, double[]> byRun = new TreeMap<>();
        for (CsvTable.Row r : plain.rows()) {
            double c = r.number(COV);
            if (!Double.isFinite(c)) continue;
            double[] v = byRun.computeIfAbsent(GptInterventionsSelection.runKey(r.get("optimizer"), GptInterventions.label(r.number("lr")), r.get("H"), r.get("seed")),
                    x -> new double[] {1, 0, 0, -1});
            v[0] = Math.min(v[0], c);
            v[1] = Math.max(v[1], c);
            if (r.integer("step") > v[3]) {
                v[2] = c;
                v[3] = r.integer("step");
            }
        }
        return byRun;
    }

    private static void claims(Section.Builder b, Runs runs, StepChoice choice, GptInterventions.Settings s, CsvTable selections,
                               Map<String, double[]> byRun, java.util.Set<String> informative) {
        int h0 = s.horizons().get(0), h1 = s.horizons().get(s.horizons().size() - 1);
        Map<Optimizer.Kind, Map<Integer, Double>> fixed = new TreeMap<>();
        for (Optimizer.Kind k : GptInterventions.OPTIMIZERS)
            for (int H : s.horizons()) fixed.computeIfAbsent(k, x -> new TreeMap<>()).put(H, runs.median(k, choice.fixed(k), H, averaged(s)));
        Map<Optimizer.Kind, Boolean> learned = new TreeMap<>();
        for (Optimizer.Kind k : GptInterventions.OPTIMIZERS)
            learned.put(k, s.horizons().stream().anyMatch(H -> runs.median(k, choice.best(k, H), H, last(COV + "_G1", 1)) <= SATURATED));
        String notLearned = " (G_{H,1} is not learned at any H with any step of the grid: nothing to compare)";

        Map<Integer, Double> sgd = fixed.get(Optimizer.Kind.SGD);
        double sgdGrowth = sgd.get(h1) - sgd.get(h0);
        List<Double> bestSgd = s.horizons().stream().map(H -> choice.best(Optimizer.Kind.SGD, H)).toList();
        boolean shrinks = bestSgd.get(bestSgd.size() - 1) < bestSgd.get(0);
        for (int i = 1; i < bestSgd.size(); i++) shrinks &= bestSgd.get(i) <= bestSgd.get(i - 1);
        boolean grows = sgdGrowth > FLAT_ABSOLUTE;
        b.claim("Prop. 5.1: SGD with one fixed step pays H/T (its Cov_16 grows with H at a fixed T); its best step shrinks as H grows",
                "SGD at its fixed step " + GptInterventions.label(choice.fixed(Optimizer.Kind.SGD)) + ": Cov_16 averaged over training "
                        + byH(sgd) + "; best step per H " + byH(s, bestSgd) + "; the largest grid step that did not diverge "
                        + byH(s, s.horizons().stream().map(H -> stable(choice, Optimizer.Kind.SGD, H)).toList())
                        + (learned.get(Optimizer.Kind.SGD) ? "" : notLearned),
                !learned.get(Optimizer.Kind.SGD) ? Verdict.INCONCLUSIVE
                        : grows && shrinks ? Verdict.REPRODUCED : grows || shrinks ? Verdict.PARTLY : Verdict.NOT_REPRODUCED);
        horizonFree(b, "Thm 5.1: normalized SGD with one fixed step is horizon-free (its Cov_16 does not grow with H)", Optimizer.Kind.NORMALIZED,
                fixed, learned, sgdGrowth, choice, h0, h1, notLearned);
        horizonFree(b, "Remark after Eq. 20: SignSGD (and AdamW, which reduces to it) with one fixed step is horizon-free like the "
                + "normalized update", Optimizer.Kind.SIGN, fixed, learned, sgdGrowth, choice, h0, h1, notLearned);

        List<String> gaps = new ArrayList<>();
        int within = 0, learnedRuns = 0;
        for (Optimizer.Kind k : GptInterventions.OPTIMIZERS) {
            double[] gap = byRun.entrySet().stream().filter(e -> e.getKey().startsWith(k.cliName() + "/") && e.getValue()[0] <= SATURATED)
                    .mapToDouble(e -> e.getValue()[2] - e.getValue()[0]).toArray();
            if (gap.length == 0) continue;
            learnedRuns += gap.length;
            double worst = java.util.Arrays.stream(gap).max().orElse(0);
            if (worst <= LAST_VS_BEST) within++;
            gaps.add(k.cliName() + " " + fmt(Quantiles.median(gap)) + " (worst " + fmt(worst) + ", " + gap.length + " runs)");
        }
        b.claim("Q10 (which iterate to deploy; the theorems bound the average over iterates): the last iterate's Cov_16 is within "
                        + LAST_VS_BEST + " of the best checkpoint's",
                learnedRuns == 0 ? "no run's best checkpoint has Cov_16 <= " + SATURATED
                        : "last minus best checkpoint's Cov_16 over the runs whose best is <= " + SATURATED + ", median per optimizer: "
                        + String.join("; ", gaps),
                learnedRuns == 0 ? Verdict.INCONCLUSIVE : within == gaps.size() ? Verdict.REPRODUCED : within > 0 ? Verdict.PARTLY
                        : Verdict.NOT_REPRODUCED);

        Map<Integer, Double> tour = GptInterventionsSelection.regret(selections, Selector.TOURNAMENT, informative), ce = GptInterventionsSelection.regret(selections, Selector.MIN_CE, informative),
                offset = GptInterventionsSelection.regret(selections, Selector.OFFSET, informative);
        int better = 0, worse = 0;
        for (int H : tour.keySet()) {
            if (tour.get(H) < ce.get(H) - SAME_REGRET) better++;
            if (tour.get(H) > ce.get(H) + SAME_REGRET) worse++;
        }
        b.claim("Section 6.3: the coverage tournament picks a checkpoint with a lower Cov_16 than min-CE's (regrets within "
                        + SAME_REGRET + " count as equal; equal at every H is inconclusive)",
                "over the " + informative.size() + " runs whose checkpoints differ in Cov_16, mean regret (Cov_16 of the pick minus "
                        + "the oracle's) of the tournament " + byH(tour) + ", offset " + byH(offset) + ", min-CE " + byH(ce),
                better + worse == 0 ? Verdict.INCONCLUSIVE : worse == 0 ? Verdict.REPRODUCED : better > 0 ? Verdict.PARTLY : Verdict.NOT_REPRODUCED);
    }

    /** The largest grid step of {@code k} whose runs at H did not diverge on the grid seeds (NaN: all did). */
    private static double stable(StepChoice choice, Optimizer.Kind k, int H) {
        return choice.kl().get(k).get(H).entrySet().stream().filter(e -> Double.isFinite(e.getValue())).mapToDouble(Map.Entry::getKey)
                .max().orElse(Double.NaN);
    }

    private static void horizonFree(Section.Builder b, String claim, Optimizer.Kind k, Map<Optimizer.Kind, Map<Integer, Double>> fixed,
                                    Map<Optimizer.Kind, Boolean> learned, double sgdGrowth, StepChoice choice, int h0, int h1, String notLearned) {
        Map<Integer, Double> v = fixed.get(k);
        double spread = Quantiles.spread(v.values()), growth = v.get(h1) - v.get(h0);
        boolean flat = spread <= FLAT_ABSOLUTE || spread <= FLAT_RELATIVE * Quantiles.mean(v.values().stream().mapToDouble(x -> x).toArray());
        List<String> others = new ArrayList<>();
        for (Optimizer.Kind o : GptInterventions.OPTIMIZERS)
            if (o != k) others.add(o.cliName() + " " + byH(fixed.get(o)));
        b.claim(claim, k.cliName() + " at its fixed step " + GptInterventions.label(choice.fixed(k)) + ": Cov_16 averaged over training "
                        + byH(v) + " (spread " + fmt(spread) + "); the others at theirs: " + String.join("; ", others)
                        + (learned.get(k) ? "" : notLearned),
                !learned.get(k) ? Verdict.INCONCLUSIVE : flat ? Verdict.REPRODUCED : growth < sgdGrowth ? Verdict.PARTLY : Verdict.NOT_REPRODUCED);
    }

    private static TextTable gridTable(StepChoice choice, GptInterventions.Settings s) {
        List<String> h = new ArrayList<>(List.of("optimizer", "step"));
        for (int H : s.horizons()) h.add("H = " + H);
        h.add("fixed");
        TextTable table = new TextTable(h);
        for (GptInterventions.Grid g : s.grids())
            for (double lr : g.lrs()) {
                List<Object> row = new ArrayList<>(List.of(g.optimizer().cliName(), GptInterventions.label(lr)));
                for (int H : s.horizons())
                    row.add(fmt(choice.score().get(g.optimizer()).get(H).get(lr)) + (choice.best(g.optimizer(), H) == lr ? " *" : ""));
                row.add(choice.fixed(g.optimizer()) == lr ? "yes" : "");
                table.row(row.toArray());
            }
        return table;
    }

    private static TextTable chosenTable(Runs runs, StepChoice choice, GptInterventions.Settings s) {
        TextTable table = TextTable.withHeader("optimizer", "H", "fixed step", "averaged", "last", "best checkpoint", "final KL", "best step",
                "averaged (best step)", "last (best step)");
        for (Optimizer.Kind k : GptInterventions.OPTIMIZERS)
            for (int H : s.horizons()) {
                double f = choice.fixed(k), best = choice.best(k, H);
                table.row(k.cliName(), H, GptInterventions.label(f), fmt(runs.median(k, f, H, averaged(s))), fmt(runs.median(k, f, H, last(COV, 1))),
                        fmt(runs.median(k, f, H, GptInterventionsReport::bestCheckpoint)), fmt(runs.median(k, f, H, last("kl", Double.NaN))),
                        GptInterventions.label(best), fmt(runs.median(k, best, H, averaged(s))), fmt(runs.median(k, best, H, last(COV, 1))));
            }
        return table;
    }

    private static TextTable perClass(Runs runs, StepChoice choice, GptInterventions.Settings s) {
        List<String> h = new ArrayList<>(List.of("optimizer", "H"));
        for (String c : Fig2Horizon.CLASSES) h.add("KL " + c);
        for (String c : Fig2Horizon.CLASSES) h.add("Cov_16 " + c);
        TextTable table = new TextTable(h);
        for (Optimizer.Kind k : GptInterventions.OPTIMIZERS)
            for (int H : s.horizons()) {
                List<Object> row = new ArrayList<>(List.of(k.cliName(), H));
                for (String c : Fig2Horizon.CLASSES) row.add(fmt(runs.median(k, choice.fixed(k), H, last("kl_" + c, Double.NaN))));
                for (String c : Fig2Horizon.CLASSES) row.add(fmt(runs.median(k, choice.fixed(k), H, last(COV + "_" + c, 1))));
                table.row(row.toArray());
            }
        return table;
    }

    private static void plots(Section.Builder b, Runs runs, StepChoice choice, GptInterventions.Settings s, Path dir) {
        List<String> names = GptInterventions.OPTIMIZERS.stream().map(Optimizer.Kind::cliName).toList();
        String band = s.seeds() > 1 ? "median over " + s.seeds() + " seeds, shaded between the 1/16 and 15/16 quantiles" : "one seed";
        for (String[] y : new String[][] {{COV, "Cov_16", "cov16"}, {"kl", "KL", "kl"}})
            for (int H : s.horizons()) {
                Plot p = Plot.titled(y[1] + " over training at H = " + H + ", each optimizer at its fixed step").xTitle("update")
                        .yTitle(y[1]).colors(names);
                for (Optimizer.Kind k : GptInterventions.OPTIMIZERS) {
                    double lr = choice.fixed(k);
                    String label = GptInterventions.label(lr);
                    double[][] q = MetricsView.quantileBand(runs.plain(), r -> r.get("optimizer").equals(k.cliName()) && r.integer("H") == H
                            && GptInterventions.label(r.number("lr")).equals(label), "step", r -> r.number(y[0]), Fig2HorizonReport.LO,
                            Fig2HorizonReport.HI);
                    p.band(k.cliName(), q[0], q[1], q[2], q[3]);
                }
                b.plot(p.write(dir, y[2] + "_vs_step_H" + H), y[1] + " (mixed) against update at H = " + H + ", each optimizer at its "
                        + "one fixed step (" + band + ").");
            }
        double[] hx = s.horizons().stream().mapToDouble(Integer::doubleValue).toArray();
        Plot fin = Plot.titled("Cov_16 at the last update against H").xTitle("H").yTitle("Cov_16 (lower is better)").colors(names);
        for (Optimizer.Kind k : GptInterventions.OPTIMIZERS)
            fin.line(k.cliName(), hx, s.horizons().stream().mapToDouble(H -> runs.median(k, choice.fixed(k), H, last(COV, 1))).toArray());
        for (Optimizer.Kind k : GptInterventions.OPTIMIZERS)
            fin.dashed(k.cliName() + ", best step per H", hx,
                    s.horizons().stream().mapToDouble(H -> runs.median(k, choice.best(k, H), H, last(COV, 1))).toArray());
        b.plot(fin.write(dir, "final_cov16_vs_H"), "Cov_16 at the last update against H, median over seeds: solid at each optimizer's "
                + "fixed step, dashed at its best step per H (a diverged run counts 1).");
    }

    private static String byH(Map<Integer, Double> m) {
        List<String> parts = new ArrayList<>();
        m.forEach((H, v) -> parts.add(fmt(v) + " (H=" + H + ")"));
        return String.join(", ", parts);
    }

    private static String byH(GptInterventions.Settings s, List<Double> steps) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++)
            parts.add((steps.get(i).isNaN() ? "none" : GptInterventions.label(steps.get(i))) + " (H=" + s.horizons().get(i) + ")");
        return String.join(", ", parts);
    }

    private static String fmt(double v) { return MetricsView.fmt(v); }
}
