package org.covlab.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.covlab.eval.EvalRun;
import org.covlab.report.CsvTable;
import org.covlab.report.RunFolder;
import org.covlab.report.TextTable;
import org.covlab.select.Selector;
import org.covlab.util.Seeds;

/**
 * gpt-interventions' selection arm (section 6.3 across H): the simple and offset tournaments and min-CE pick one
 * checkpoint of every run at N = 16 beside the oracle's lowest true Cov_16 ({@link Fig1Selection#choices}), as cells
 * {@code select_KEY} (selections.csv); and the regrets the report reads from it.
 */
final class GptInterventionsSelection {
    private GptInterventionsSelection() {}

    private static final String COV = EvalRun.covColumn(Fig2Horizon.HEADLINE_N);

    /** selections.csv: the run, then fig1-selection's columns from {@code method} on (Pass@N aside: fig2's pi_D is not deterministic). */
    static List<String> header() {
        List<String> h = new ArrayList<>(List.of("optimizer", "lr", "H", "seed", "method", "N", "pairs", "chosen", "step", "score", "kl"));
        for (double n : Fig2Horizon.NS) h.add(EvalRun.covColumn(n));
        return h;
    }

    /** Runs (or resumes) the selections of every run's finite plain-decoder checkpoints: selections.csv's rows. */
    static CsvTable run(GptInterventions.Settings s, RunFolder run, List<GptInterventions.Cell> runs, CsvTable metrics, int threads) {
        List<CellRunner.Cell> select = runs.stream().map(c -> new CellRunner.Cell("select_" + c.key(), () -> select(s, run, c,
                GptInterventions.rowsOf(metrics, c).stream().filter(r -> Double.isFinite(r.number("kl"))).toList(), 1))).toList();
        return CellRunner.run(run, GptInterventions.NAME + " select", header(), Math.min(threads, select.size()), select);
    }

    /** The selections of one run's checkpoints at N = 16 (plain decoding); rows of {@link #header()}. */
    private static List<Object[]> select(GptInterventions.Settings s, RunFolder run, GptInterventions.Cell c, List<CsvTable.Row> rows, int threads) {
        long seed = new Seeds(run.seed()).child(GptInterventions.NAME + "/select").child(c.key()).master();
        java.nio.file.Path dir = GptInterventions.dir(run, c);
        Fig1Selection.SelectionTables t = Fig1Selection.logProbTables(c.task(), GptCell.checkpoints(dir), s.selectionPairs(),
                s.offsetPairs(), s.onPolicy(), seed, dir, threads);
        List<Object[]> out = new ArrayList<>();
        for (Fig1Selection.Choice ch : Fig1Selection.choices(t.table(), t.offset(), rows, List.of(GptInterventions.SELECTION_N), Fig1Selection.Settings.A)) {
            CsvTable.Row r = rows.get(ch.selection().chosen());
            List<Object> row = new ArrayList<>(List.of(c.optimizer().cliName(), GptInterventions.label(c.lr()), c.H(), c.seed()));
            row.addAll(ch.columns(r));
            row.add(r.number("kl"));
            for (double n : Fig2Horizon.NS) row.add(r.number(EvalRun.covColumn(n)));
            out.add(row.toArray());
        }
        return out;
    }

    /** H -> mean over the runs in {@code keys} of (Cov_16 of the method's pick - the oracle's), from selections.csv. */
    static Map<Integer, Double> regret(CsvTable selections, String method, java.util.Set<String> keys) {
        Map<String, Double> oracle = new TreeMap<>();
        for (CsvTable.Row r : selections.rows()) if (r.get("method").equals(Selector.ORACLE)) oracle.put(runKey(r), r.number(COV));
        Map<Integer, List<Double>> byH = new TreeMap<>();
        for (CsvTable.Row r : selections.rows())
            if (r.get("method").equals(method) && keys.contains(runKey(r)))
                byH.computeIfAbsent((int) r.integer("H"), x -> new ArrayList<>()).add(regret(r.number(COV), oracle.get(runKey(r))));
        Map<Integer, Double> out = new TreeMap<>();
        byH.forEach((H, v) -> out.put(H, Quantiles.mean(v.stream().mapToDouble(x -> x).toArray())));
        return out;
    }

    /** chosen - oracle, 0 within rounding (the same prompts under-covered, summed in another order). */
    private static double regret(double chosen, double oracle) {
        double d = chosen - oracle;
        return Math.abs(d) < 1e-12 ? 0 : d;
    }

    static String runKey(CsvTable.Row r) { return runKey(r.get("optimizer"), r.get("lr"), r.get("H"), r.get("seed")); }

    static String runKey(String optimizer, String lr, String H, String seed) { return optimizer + "/" + lr + "/" + H + "/" + seed; }

    static TextTable table(CsvTable selections, java.util.Set<String> informative, GptInterventions.Settings s) {
        List<String> h = new ArrayList<>(List.of("method"));
        for (int H : s.horizons()) h.add("H = " + H);
        TextTable table = new TextTable(h);
        for (String m : List.of(Selector.TOURNAMENT, Selector.OFFSET, Selector.MIN_CE)) {
            Map<Integer, Double> r = regret(selections, m, informative);
            List<Object> row = new ArrayList<>(List.of(m));
            for (int H : s.horizons()) row.add(MetricsView.fmt(r.getOrDefault(H, Double.NaN)));
            table.row(row.toArray());
        }
        return table;
    }
}
