package org.covlab.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.covlab.eval.EvalRun;
import org.covlab.report.CsvTable;
import org.covlab.report.Plot;
import org.covlab.report.Section;
import org.covlab.report.TextTable;
import org.covlab.report.Verdict;
import org.covlab.select.Selector;

/**
 * Turns a fig1-selection run's CSVs (metrics.csv, selections.csv, pass_check.csv, pretrain.csv) into the paper's
 * Fig. 1 panels and the report section, with verdicts computed from the numbers; {@code ./covlab report} rebuilds it.
 */
public final class Fig1SelectionReport {
    private Fig1SelectionReport() {}

    /**
     * Cov_N "turns": its 3-checkpoint moving average moves by at least this much. Checkpoint-to-checkpoint noise of the
     * mixed Cov_N with 128 prompts per class was about 0.02-0.03 in our runs, and G2's whole weight is 0.1.
     */
    static final double TURN = 0.02;
    /** KL to the fine-tuning pi_D of the Bayes-optimal pre-trained model: 5/12 on each class's path (notes section 4.2). */
    static final double CONVERGED_PRETRAIN_KL = Math.log(12.0 / 5);
    /** The model "gives up G2" when the KL within G2 rises by at least this much (nats) during fine-tuning. */
    static final double G2_RISE = 0.5;
    /** KL "keeps falling" when its rank correlation with the step is at most this. */
    static final double FALLING = -0.8;

    /** Builds the plots into {@code dir} and returns the report section. */
    public static Section section(Fig1Selection.Tables t, Path dir, Map<String, Object> settings) {
        CsvTable m = t.metrics();
        List<Long> seeds = m.rows().stream().map(r -> r.integer("seed")).distinct().toList();
        Section.Builder s = Section.builder("fig1-selection: coverage, KL and checkpoint selection for Best-of-N (Fig. 1)",
                "Whether, over the checkpoints of a fine-tuning run, coverage predicts Pass@N better than KL, and whether the coverage "
                        + "tournament (Eq. 29) picks a checkpoint with better Pass@N than the minimum-KL one (paper App. C.2, Fig. 1).");
        claims(s, t, seeds);
        String across = seeds.size() > 1 ? " (median over " + seeds.size() + " seeds, band from min to max)" : "";
        Plot kl = Plot.titled("KL over fine-tuning").xTitle("fine-tuning iteration").yTitle("sequence KL (nats)");
        line(kl, m, "KL (mixed)", r -> r.number("kl"));
        for (String c : Fig1Selection.CLASSES) line(kl, m, "KL within " + c, r -> r.number("kl_" + c));
        Plot cov = Plot.titled("Cov_N over fine-tuning").xTitle("fine-tuning iteration").yTitle("Cov_N (lower is better)");
        for (double n : Fig1Selection.NS) line(cov, m, "N = " + EvalRun.label(n), r -> r.number(EvalRun.covColumn(n)));
        s.plot(kl.write(dir, "kl_vs_step"), "KL to the fine-tuning pi_D against iteration, mixed (G1 0.9, G2 0.1) and within each class" + across + ".")
         .plot(cov.write(dir, "cov_vs_step"), "Cov_N for N = 2, 3, 4, 4.6, 5.7 against iteration" + across + ".");
        List<String> picks = List.of("tournament", "offset tournament", "min-CE");
        for (int i = 0; i < Fig1Selection.PASS_NS.size(); i++) {
            int n = Fig1Selection.PASS_NS.get(i);
            double half = Fig1Selection.PAIRED_NS.get(i);
            String pass = Fig1Selection.passColumn(n), covN = EvalRun.covColumn(half);
            Plot byCov = Plot.titled("Pass@" + n + " against Cov_" + EvalRun.label(half)).xTitle("Cov_" + EvalRun.label(half))
                    .yTitle("Pass@" + n).colors(picks);
            Plot byKl = Plot.titled("Pass@" + n + " against KL").xTitle("KL (nats)").yTitle("Pass@" + n).colors(picks);
            byCov.scatter("checkpoints", column(m.rows(), covN), column(m.rows(), pass));
            byKl.scatter("checkpoints", column(m.rows(), "kl"), column(m.rows(), pass));
            highlight(byCov, byKl, t.selections(), Selector.TOURNAMENT, half, "tournament", covN, pass);
            highlight(byCov, byKl, t.selections(), Selector.OFFSET, half, "offset tournament", covN, pass);
            highlight(byCov, byKl, t.selections(), Selector.MIN_CE, Double.NaN, "min-CE", covN, pass);
            s.plot(byCov.write(dir, "pass" + n + "_vs_cov" + EvalRun.label(half)), "Pass@" + n + " against Cov_" + EvalRun.label(half)
                            + ", one point per checkpoint" + (seeds.size() > 1 ? " and seed" : "") + "; marked: the checkpoints chosen by the "
                            + "tournament and the offset tournament at N = " + EvalRun.label(half) + ", and by min-CE.")
             .plot(byKl.write(dir, "pass" + n + "_vs_kl"), "Pass@" + n + " against KL, the same checkpoints and choices.");
        }
        s.table("Pass@N of the chosen checkpoints (mean over seeds); the tournaments run at N/2 for Pass@N", selectionTable(t))
         .table("Spearman rank correlation with Pass@N across checkpoints (mean over seeds); Pass@N falls as KL and Cov_N rise, "
                 + "so the better predictor has the more negative value", correlationTable(m, seeds))
         .table("Pass@N exact (from pi_hat(y*|x)) against sampled (N draws per prompt, correct-path verifier, 95% Wilson interval)",
                 passCheckTable(t.passCheck()))
         .table("Pre-training (fig1-pretrain): training loss and KL to the fine-tuning pi_D at its checkpoints", pretrainTable(t.pretrain()));
        double preKl = Quantiles.mean(seeds.stream().mapToDouble(seed -> t.pretrain().rows().stream().filter(r -> r.integer("seed") == seed)
                .reduce((a, b) -> b).orElseThrow().number("kl_finetune")).toArray());
        s.note("Pre-training ended at KL " + fmt(preKl) + " nats to the fine-tuning pi_D. A converged pre-trained model cannot tell G1 from "
                + "G2 (the V' parity is too hard) and puts 5/12 on each class's path, a KL of log(12/5) = " + fmt(CONVERGED_PRETRAIN_KL)
                + "; the paper's dip needs G1 learned before G2 is given up." );
        s.note("Why Cov_{N/2} tracks Pass@N here: pi_D is deterministic per class, so both are functions of pi_hat(y*|x) alone. Pass@N(x) = "
                + "1 - (1 - p)^N and Cov_M counts the prompts with p <= 1/M (notes section 1.6).");
        settings.forEach(s::setting);
        return s.build();
    }

    private static void claims(Section.Builder s, Fig1Selection.Tables t, List<Long> seeds) {
        CsvTable m = t.metrics();
        double klTrend = Quantiles.mean(seeds.stream().mapToDouble(seed -> {
            List<CsvTable.Row> rows = Fig1Selection.rowsOf(m, seed.intValue());
            return Quantiles.spearman(column(rows, "step"), column(rows, "kl"));
        }).toArray());
        List<String> dips = new ArrayList<>(), rises = new ArrayList<>();
        for (double n : Fig1Selection.NS) {
            String c = EvalRun.covColumn(n);
            double[] first = new double[seeds.size()], min = new double[seeds.size()], last = new double[seeds.size()];
            for (int i = 0; i < seeds.size(); i++) {
                double[] v = smoothed(column(Fig1Selection.rowsOf(m, seeds.get(i).intValue()), c));
                first[i] = v[0];
                last[i] = v[v.length - 1];
                min[i] = java.util.Arrays.stream(v).min().orElseThrow();
            }
            double f = Quantiles.mean(first), lo = Quantiles.mean(min), l = Quantiles.mean(last);
            String text = "Cov_" + EvalRun.label(n) + " " + fmt(f) + " -> min " + fmt(lo) + " -> " + fmt(l);
            if (f - lo >= TURN && l - lo >= TURN) dips.add(text);
            else if (l - f >= TURN) rises.add(text);
        }
        double g2First = mean(m, "kl_G2", true), g2Max = Quantiles.mean(seeds.stream().mapToDouble(seed ->
                java.util.Arrays.stream(column(Fig1Selection.rowsOf(m, seed.intValue()), "kl_G2")).max().orElseThrow()).toArray());
        boolean givesUpG2 = g2Max - g2First >= G2_RISE;
        String kl = "KL's rank correlation with the step " + fmt(klTrend) + " (" + fmt(mean(m, "kl", true)) + " -> " + fmt(mean(m, "kl", false)) + ")";
        boolean falling = klTrend <= FALLING;
        s.claim("KL keeps falling over fine-tuning while coverage is non-monotone: Cov_N dips, then worsens as the model gives up G2",
                kl + "; KL within G2 " + fmt(g2First) + " -> max " + fmt(g2Max) + " -> " + fmt(mean(m, "kl_G2", false))
                        + "; Cov_N (3-checkpoint moving average) turning up by " + TURN + " or more: "
                        + (dips.isEmpty() ? "none" : String.join(", ", dips))
                        + (rises.isEmpty() ? "" : "; only worsens: " + String.join(", ", rises)),
                falling && !dips.isEmpty() ? Verdict.REPRODUCED
                        : falling && (!rises.isEmpty() || givesUpG2) ? Verdict.PARTLY : Verdict.NOT_REPRODUCED);
        List<String> diffs = new ArrayList<>();
        int better = 0, worse = 0;
        for (int i = 0; i < Fig1Selection.PASS_NS.size(); i++) {
            String pass = Fig1Selection.passColumn(Fig1Selection.PASS_NS.get(i));
            double tour = meanChosen(t.selections(), Selector.TOURNAMENT, Fig1Selection.PAIRED_NS.get(i), pass);
            double minCe = meanChosen(t.selections(), Selector.MIN_CE, Double.NaN, pass);
            diffs.add("Pass@" + Fig1Selection.PASS_NS.get(i) + " " + fmt(tour) + " vs " + fmt(minCe));
            if (tour > minCe) better++;
            if (tour < minCe) worse++;
        }
        s.claim("The coverage tournament picks a better checkpoint for Best-of-N than min-KL (min-CE here)",
                "tournament vs min-CE, mean over seeds: " + String.join(", ", diffs),
                worse > 0 ? (better > 0 ? Verdict.PARTLY : Verdict.NOT_REPRODUCED) : better > 0 ? Verdict.REPRODUCED : Verdict.INCONCLUSIVE);
        int n = Fig1Selection.PASS_NS.get(Fig1Selection.PASS_NS.size() - 1);
        double half = Fig1Selection.PAIRED_NS.get(Fig1Selection.PAIRED_NS.size() - 1);
        double rhoCov = meanSpearman(m, seeds, EvalRun.covColumn(half), Fig1Selection.passColumn(n));
        double rhoKl = meanSpearman(m, seeds, "kl", Fig1Selection.passColumn(n));
        s.claim("For large N, Cov_{N/2} predicts Pass@N better than KL does",
                "Spearman with Pass@" + n + ": Cov_" + EvalRun.label(half) + " " + fmt(rhoCov) + ", KL " + fmt(rhoKl),
                predictsBetter(rhoCov, rhoKl));
    }

    /**
     * Cov predicts Pass@N better than KL: its rank correlation with Pass@N is negative (lower Cov, higher Pass)
     * and clearly below KL's. A non-negative correlation means it does not predict Pass@N at all, whatever KL does.
     */
    static Verdict predictsBetter(double rhoCov, double rhoKl) {
        if (Double.isNaN(rhoCov) || Double.isNaN(rhoKl)) return Verdict.INCONCLUSIVE;
        if (rhoCov >= 0) return Verdict.NOT_REPRODUCED;
        return rhoCov < rhoKl - 0.05 ? Verdict.REPRODUCED : rhoCov <= rhoKl ? Verdict.PARTLY : Verdict.NOT_REPRODUCED;
    }

    private static TextTable selectionTable(Fig1Selection.Tables t) {
        List<String> header = new ArrayList<>(List.of("method", "chosen step (per seed)"));
        for (int n : Fig1Selection.PASS_NS) header.add("Pass@" + n);
        TextTable table = new TextTable(header);
        String[][] methods = {{Selector.TOURNAMENT, "simple tournament (Eq. 29) at N/2"}, {Selector.OFFSET, "offset tournament (Eq. 32) at N/2"},
                {Selector.MIN_CE, "min-CE (validation cross-entropy = min-KL)"}, {Selector.ORACLE, "lowest true Cov_{N/2} (oracle)"}};
        for (String[] method : methods) {
            boolean perN = !method[0].equals(Selector.MIN_CE);
            List<Object> row = new ArrayList<>(List.of(method[1]));
            List<String> steps = new ArrayList<>();
            List<Object> passes = new ArrayList<>();
            for (int i = 0; i < Fig1Selection.PASS_NS.size(); i++) {
                double half = perN ? Fig1Selection.PAIRED_NS.get(i) : Double.NaN;
                String pass = Fig1Selection.passColumn(Fig1Selection.PASS_NS.get(i));
                passes.add(fmt4(meanChosen(t.selections(), method[0], half, pass)));
                List<String> chosen = chosen(t.selections(), method[0], half).stream().map(r -> r.get("step")).toList();
                if (perN) steps.add("N/2=" + EvalRun.label(half) + ": " + String.join("/", chosen));
                else if (i == 0) steps.add(String.join("/", chosen));
            }
            row.add(String.join("; ", steps));
            row.addAll(passes);
            table.row(row.toArray());
        }
        List<Object> best = new ArrayList<>(List.of("best Pass@N over all checkpoints (oracle)", ""));
        for (int n : Fig1Selection.PASS_NS) best.add(fmt4(Quantiles.mean(t.metrics().rows().stream().map(r -> r.integer("seed")).distinct()
                .mapToDouble(seed -> Fig1Selection.rowsOf(t.metrics(), seed.intValue()).stream()
                        .mapToDouble(r -> r.number(Fig1Selection.passColumn(n))).max().orElseThrow()).toArray())));
        table.row(best.toArray());
        return table;
    }

    private static TextTable correlationTable(CsvTable m, List<Long> seeds) {
        List<String> header = new ArrayList<>(List.of("metric"));
        for (int n : Fig1Selection.PASS_NS) header.add("Pass@" + n);
        TextTable table = new TextTable(header);
        List<String> metrics = new ArrayList<>(List.of("kl"));
        for (double n : Fig1Selection.NS) metrics.add(EvalRun.covColumn(n));
        for (String metric : metrics) {
            List<Object> row = new ArrayList<>(List.of(metric.equals("kl") ? "KL" : metric.replace("cov@", "Cov_")));
            for (int n : Fig1Selection.PASS_NS) row.add(fmt(meanSpearman(m, seeds, metric, Fig1Selection.passColumn(n))));
            table.row(row.toArray());
        }
        return table;
    }

    private static TextTable passCheckTable(CsvTable c) {
        TextTable table = TextTable.withHeader("seed", "step", "N", "prompts", "exact", "sampled", "95% interval", "exact inside");
        for (CsvTable.Row r : c.rows()) {
            boolean inside = r.number("exact") >= r.number("lo") && r.number("exact") <= r.number("hi");
            table.row(r.get("seed"), r.get("step"), r.get("N"), r.get("prompts"), fmt4(r.number("exact")), fmt4(r.number("sampled")),
                    fmt4(r.number("lo")) + " - " + fmt4(r.number("hi")), inside ? "yes" : "no");
        }
        return table;
    }

    private static TextTable pretrainTable(CsvTable p) {
        TextTable table = TextTable.withHeader("seed", "step", "training loss (per response token)", "KL to fine-tuning pi_D");
        for (CsvTable.Row r : p.rows()) table.row(r.get("seed"), r.get("step"), fmt(r.number("train_loss")), fmt(r.number("kl_finetune")));
        return table;
    }

    /** Mean over seeds of the Spearman correlation of two columns across one seed's checkpoints. */
    static double meanSpearman(CsvTable m, List<Long> seeds, String x, String y) {
        return Quantiles.mean(seeds.stream().mapToDouble(seed -> {
            List<CsvTable.Row> rows = Fig1Selection.rowsOf(m, seed.intValue());
            return Quantiles.spearman(column(rows, x), column(rows, y));
        }).toArray());
    }

    static List<CsvTable.Row> chosen(CsvTable sel, String method, double N) {
        String n = Double.isNaN(N) ? "" : EvalRun.label(N);
        return sel.rows().stream().filter(r -> r.get("method").equals(method) && r.get("N").equals(n)).toList();
    }

    static double meanChosen(CsvTable sel, String method, double N, String column) {
        return Quantiles.mean(chosen(sel, method, N).stream().mapToDouble(r -> r.number(column)).toArray());
    }

    private static void highlight(Plot byCov, Plot byKl, CsvTable sel, String method, double N, String label, String cov, String pass) {
        List<CsvTable.Row> rows = chosen(sel, method, N);
        byCov.highlight(label, column(rows, cov), column(rows, pass));
        byKl.highlight(label, column(rows, "kl"), column(rows, pass));
    }

    /** Median (band min-max) over seeds against the step. */
    private static void line(Plot p, CsvTable m, String name, java.util.function.ToDoubleFunction<CsvTable.Row> y) {
        double[][] b = MetricsView.quantileBand(m, r -> true, "step", y, 0, 1);
        p.band(name, b[0], b[1], b[2], b[3]);
    }

    private static double mean(CsvTable m, String column, boolean first) {
        long step = first ? m.rows().stream().mapToLong(r -> r.integer("step")).min().orElseThrow()
                : m.rows().stream().mapToLong(r -> r.integer("step")).max().orElseThrow();
        return Quantiles.mean(m.rows().stream().filter(r -> r.integer("step") == step).mapToDouble(r -> r.number(column)).toArray());
    }

    /** Centred moving average over 3 points (2 at the ends): checkpoint-to-checkpoint evaluation noise is not a turn. */
    static double[] smoothed(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            int lo = Math.max(0, i - 1), hi = Math.min(v.length - 1, i + 1);
            double sum = 0;
            for (int j = lo; j <= hi; j++) sum += v[j];
            out[i] = sum / (hi - lo + 1);
        }
        return out;
    }

    static double[] column(List<CsvTable.Row> rows, String column) {
        return rows.stream().mapToDouble(r -> r.number(column)).toArray();
    }

    private static String fmt(double v) { return MetricsView.fmt(v); }

    /** Pass@N near 1: four decimals, so 0.9961 and 0.9987 differ. */
    private static String fmt4(double v) { return Double.isNaN(v) ? "n/a" : String.format(java.util.Locale.ROOT, "%.4f", v); }
}
