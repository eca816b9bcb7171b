package org.covlab.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.covlab.eval.EvalRun;
import org.covlab.report.CsvTable;
import org.covlab.report.Plot;
import org.covlab.report.Section;
import org.covlab.report.TextTable;
import org.covlab.report.Verdict;
import org.covlab.train.TrainingMethods;

/**
 * Turns a linear-horizon {@code metrics.csv} into plots and the report section, with verdicts computed from the
 * numbers. It reads only the CSV, so {@code ./covlab report RUN_DIR} rebuilds the same section later.
 */
public final class LinearHorizonReport {
    private LinearHorizonReport() {}

    /** How much KL must grow from the smallest to the largest H (as a fraction of the H ratio) to call it "grows". */
    static final double GROWTH_FRACTION = 0.25;
    /** Cov_16 changes smaller than this (absolute) across H count as "flat". */
    static final double FLAT_COVERAGE = 0.02;

    /** The mean over seeds of a column at the final step, per H (an estimate of E[metric], as the theorems bound). */
    static Map<Integer, Double> finalByH(CsvTable t, String instance, String method, String column) {
        return byH(t, instance, method, column, true);
    }

    /** The mean over seeds of a column's mean over the evaluation points (the theorems' average over iterates). */
    static Map<Integer, Double> averageByH(CsvTable t, String instance, String method, String column) {
        return byH(t, instance, method, column, false);
    }

    private static Map<Integer, Double> byH(CsvTable t, String instance, String method, String column, boolean lastOnly) {
        Map<Integer, Map<Long, List<double[]>>> perHSeed = new TreeMap<>(); // H -> seed -> (step, value)
        for (CsvTable.Row r : t.rows()) {
            if (!r.get("instance").equals(instance) || !r.get("method").equals(method)) continue;
            perHSeed.computeIfAbsent((int) r.integer("H"), k -> new TreeMap<>())
                    .computeIfAbsent(r.integer("seed"), k -> new ArrayList<>())
                    .add(new double[] {r.number("step"), r.number(column)});
        }
        Map<Integer, Double> out = new TreeMap<>();
        perHSeed.forEach((H, seeds) -> out.put(H, Quantiles.mean(seeds.values().stream().mapToDouble(points -> {
            if (lastOnly) return points.stream().max((a, b) -> Double.compare(a[0], b[0])).orElseThrow()[1];
            return Quantiles.mean(points.stream().mapToDouble(p -> p[1]).toArray());
        }).toArray())));
        return out;
    }

    /** Mean and min-max band over seeds of a column against the step, at one (instance, method, H). */
    static double[][] curve(CsvTable t, String instance, String method, int H, String column) {
        return MetricsView.band(t, r -> r.get("instance").equals(instance) && r.get("method").equals(method) && r.integer("H") == H,
                "step", column);
    }

    /** Builds the plots into {@code dir} and returns the report section. */
    public static Section section(LinearHorizon.Tables tables, Path dir, Map<String, Object> settings) {
        CsvTable t = tables.metrics();
        List<String> instances = distinct(t, "instance");
        List<String> methods = TrainingMethods.NAMES.stream().filter(distinct(t, "method")::contains).toList();
        String cov = EvalRun.covColumn(LinearHorizon.HEADLINE_N);
        Section.Builder s = Section.builder("Linear testbed: KL and coverage as the horizon H grows",
                "Does cross-entropy pay for the sequence length H while coverage does not, under each of the paper's "
                        + "training methods (Prop. 3.2, Thm 4.2, Prop. 5.1, Thm 5.1, 6.1, 6.2)?");
        claims(t, atTheoryStep(tables.tuning()), s);
        for (String instance : instances) {
            int maxH = distinct(t, "H").stream().mapToInt(Integer::parseInt).filter(H -> hasH(t, instance, H)).max().orElseThrow();
            Plot kl = Plot.titled(instance + ": final KL against H").xTitle("H").yTitle("sequence KL (nats)").logX().colors(methods);
            Plot cv = Plot.titled(instance + ": final Cov_16 against H").xTitle("H").yTitle("Cov_16").logX().colors(methods);
            Plot step = Plot.titled(instance + ": Cov_16 over training, H = " + maxH).xTitle("samples seen").yTitle("Cov_16")
                    .logX().colors(methods);
            TextTable table = new TextTable(header(t, instance));
            for (String m : methods) {
                Map<Integer, Double> k = finalByH(t, instance, m, "kl"), c = finalByH(t, instance, m, cov);
                if (k.isEmpty()) continue;
                kl.line(m, keys(k), values(k));
                cv.line(m, keys(c), values(c));
                double[][] curve = curve(t, instance, m, maxH, cov);
                step.band(m, curve[0], curve[1], curve[2], curve[3]);
                List<Object> row = new ArrayList<>(List.of(m));
                k.values().forEach(v -> row.add(fmt(v)));
                c.values().forEach(v -> row.add(fmt(v)));
                table.row(row.toArray());
            }
            if (instance.equals("prop3.2")) {
                long samples = t.rows().stream().mapToLong(r -> r.integer("step")).max().orElseThrow();
                double[] hs = distinct(t, "H").stream().mapToDouble(Double::parseDouble).toArray();
                kl.dashed("H/(4n) bound", hs,
                        java.util.Arrays.stream(hs).map(H -> H / (4.0 * samples)).toArray());
            }
            s.plot(kl.write(dir, "kl_vs_H_" + instance), instance + ": sequence KL at the end of training (mean over seeds)."
                    + (instance.equals("prop3.2") ? " Dashed: Prop. 3.2's lower bound H/(4n) for proper estimators (w.p. >= 1/4);"
                    + " methods with the same data and no sample of the rare prompt coincide." : ""))
             .plot(cv.write(dir, "cov16_vs_H_" + instance), instance + ": Cov_16 at the end of training (mean over seeds).")
             .plot(step.write(dir, "cov16_vs_step_" + instance), instance + ": Cov_16 against samples at H = " + maxH
                     + " (mean, band from min to max over seeds).")
             .table(instance + ": final KL and Cov_16 per H (mean over seeds)", table);
        }
        if (has(t, "prop5.1", "normalized-sgd") && has(tables.tuning(), "prop5.1", "sgd")) {
            CsvTable theory = atTheoryStep(tables.tuning());
            int maxH = distinct(theory, "H").stream().mapToInt(Integer::parseInt).max().orElseThrow();
            Plot profile = Plot.titled("prop5.1: SGD at its theory step, the coverage profile over training, H = " + maxH)
                    .xTitle("samples seen").yTitle("Cov_N").logX();
            for (double n : LinearHorizon.NS) {
                double[][] c = curve(theory, "prop5.1", "sgd", maxH, EvalRun.covColumn(n));
                profile.band(EvalRun.covColumn(n).replace("cov@", "N = "), c[0], c[1], c[2], c[3]);
            }
            s.plot(profile.write(dir, "cov_profile_vs_step_sgd_theory_prop5.1"),
                    "prop5.1: Cov_N for N = 2, 4, 16, 256 against samples, SGD at its theory step (mean, band min to max over seeds).");
            s.plot(perH(theory, "prop5.1", "sgd at its theory step", cov).write(dir, "cov16_per_H_sgd_theory_prop5.1"),
                    "prop5.1: SGD at its theory step 1/(2HB^2): Cov_16 against samples, one line per H. Prop. 5.1: it pays H/T.")
             .plot(perH(t, "prop5.1", "normalized-sgd", cov).write(dir, "cov16_per_H_normalized_prop5.1"),
                    "prop5.1: normalized SGD (best step per H): Cov_16 against samples, one line per H. Thm 5.1: horizon-free.");
        }
        settings.forEach(s::setting);
        return s.build();
    }

    /** Mean Cov against samples of one method, one line per H. */
    private static Plot perH(CsvTable t, String instance, String label, String column) {
        String method = label.split(" ")[0];
        Plot p = Plot.titled(instance + ": " + label + ", " + column.replace("cov@", "Cov_") + " per H").xTitle("samples seen")
                .yTitle(column.replace("cov@", "Cov_")).logX();
        for (String H : distinct(t, "H")) {
            if (!hasH(t, instance, Integer.parseInt(H))) continue;
            double[][] c = curve(t, instance, method, Integer.parseInt(H), column);
            p.band("H = " + H, c[0], c[1], c[2], c[3]);
        }
        return p;
    }

    /** The grid runs at each method's theory step size (multiple 1), where the theorems' rates apply as stated. */
    static CsvTable atTheoryStep(CsvTable tuning) {
        CsvTable out = new CsvTable(tuning.header());
        for (CsvTable.Row r : tuning.rows())
            if (r.number("eta_scale") == 1.0) out.addRow(tuning.header().stream().map(r::get).toArray());
        return out;
    }

    private static void claims(CsvTable t, CsvTable theory, Section.Builder s) {
        String cov = EvalRun.covColumn(LinearHorizon.HEADLINE_N);
        if (has(t, "prop3.2", "mle")) {
            Map<Integer, Double> kl = finalByH(t, "prop3.2", "mle", "kl"), c = finalByH(t, "prop3.2", "mle", cov);
            int hMin = first(kl.keySet()), hMax = last(kl.keySet());
            long samples = t.rows().stream().mapToLong(r -> r.integer("step")).max().orElseThrow();
            boolean grows = kl.get(hMax) > 0 && kl.get(hMax) >= GROWTH_FRACTION * (hMax / (double) hMin) * kl.get(hMin);
            boolean flat = Quantiles.spread(c.values()) <= FLAT_COVERAGE;
            s.claim("Prop. 3.2 / Thm 4.2: the MLE's KL grows with H, its Cov_N does not",
                    "KL " + range(kl) + " (the bound H/(4n) is " + fmt(hMax / (4.0 * samples)) + " at H=" + hMax + ", w.p. >= 1/4); Cov_16 "
                            + range(c), grows && flat ? Verdict.REPRODUCED : grows || flat ? Verdict.PARTLY : Verdict.NOT_REPRODUCED);
            if (has(t, "prop3.2", "token-sgd-ttt")) {
                Map<Integer, Double> ttt = finalByH(t, "prop3.2", "token-sgd-ttt", "kl");
                s.claim("Thm 6.1: TTT decoding (improper) beats the proper estimators' KL lower bound of Prop. 3.2",
                        "KL of TTT " + range(ttt) + " vs MLE " + fmt(kl.get(hMax)) + " at H=" + hMax,
                        ttt.get(hMax) < kl.get(hMax) ? Verdict.REPRODUCED : Verdict.NOT_REPRODUCED);
            }
        }
        if (has(theory, "prop5.1", "sgd")) {
            Map<Integer, Double> sgd = averageByH(theory, "prop5.1", "sgd", cov);
            s.claim("Prop. 5.1: SGD at its theory step (eta <= 1/(2HB^2)) pays H/T",
                    "mean Cov_16 over training: " + range(sgd), grows(sgd) ? Verdict.REPRODUCED : Verdict.NOT_REPRODUCED);
        }
        if (has(t, "prop5.1", "sgd")) {
            Map<Integer, Double> sgd = averageByH(t, "prop5.1", "sgd", cov);
            s.claim("Prop. 5.1 (lower bound): SGD with its best constant step per H still pays H/T",
                    "mean Cov_16 over training: " + range(sgd), grows(sgd) ? Verdict.REPRODUCED : Verdict.NOT_REPRODUCED);
        }
        if (has(t, "prop5.1", "normalized-sgd")) {
            Map<Integer, Double> norm = averageByH(t, "prop5.1", "normalized-sgd", cov);
            s.claim("Thm 5.1: normalized SGD (best step per H) is horizon-free",
                    "mean Cov_16 over training: " + range(norm), Quantiles.spread(norm.values()) <= FLAT_COVERAGE ? Verdict.REPRODUCED
                            : grows(norm) ? Verdict.NOT_REPRODUCED : Verdict.PARTLY);
        }
        for (String m : List.of("token-sgd-ttt", "distill-truncated")) {
            List<String> measured = new ArrayList<>();
            boolean allFlat = true, any = false;
            for (String instance : distinct(t, "instance")) {
                if (!has(t, instance, m)) continue;
                Map<Integer, Double> c = finalByH(t, instance, m, cov);
                measured.add(instance + " " + range(c));
                allFlat &= Quantiles.spread(c.values()) <= FLAT_COVERAGE;
                any = true;
            }
            if (!any) continue;
            s.claim((m.startsWith("token") ? "Thm 6.1: TTT decoding" : "Thm 6.2: truncated distillation") + " is horizon-free in Cov_N",
                    "final Cov_16: " + String.join("; ", measured), allFlat ? Verdict.REPRODUCED : Verdict.PARTLY);
        }
    }

    /** Cov grows from the smallest to the largest H by more than the flat margin. */
    private static boolean grows(Map<Integer, Double> m) {
        return m.get(last(m.keySet())) - m.get(first(m.keySet())) > FLAT_COVERAGE;
    }

    private static List<String> header(CsvTable t, String instance) {
        List<String> h = new ArrayList<>(List.of("method"));
        List<String> hs = distinct(t, "H").stream().filter(H -> hasH(t, instance, Integer.parseInt(H))).toList();
        hs.forEach(H -> h.add("KL H=" + H));
        hs.forEach(H -> h.add("Cov16 H=" + H));
        return h;
    }

    private static List<String> distinct(CsvTable t, String column) { return MetricsView.distinct(t, column); }

    private static boolean has(CsvTable t, String instance, String method) {
        return t.rows().stream().anyMatch(r -> r.get("instance").equals(instance) && r.get("method").equals(method));
    }

    private static boolean hasH(CsvTable t, String instance, int H) {
        return t.rows().stream().anyMatch(r -> r.get("instance").equals(instance) && r.integer("H") == H);
    }

    private static String range(Map<Integer, Double> m) {
        return fmt(m.get(first(m.keySet()))) + " (H=" + first(m.keySet()) + ") to " + fmt(m.get(last(m.keySet())))
                + " (H=" + last(m.keySet()) + ")";
    }

    private static int first(java.util.Set<Integer> s) { return s.iterator().next(); }

    private static int last(java.util.Set<Integer> s) { return s.stream().reduce((a, b) -> b).orElseThrow(); }

    private static double[] keys(Map<Integer, Double> m) { return m.keySet().stream().mapToDouble(Integer::doubleValue).toArray(); }

    private static double[] values(Map<Integer, Double> m) { return m.values().stream().mapToDouble(Double::doubleValue).toArray(); }

    private static String fmt(double v) { return MetricsView.fmt(v); }
}
