package org.covlab.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.covlab.decode.TttGpt;
import org.covlab.eval.EvalRun;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.Gpt;
import org.covlab.report.CsvTable;
import org.covlab.report.Plot;
import org.covlab.report.RunFolder;
import org.covlab.report.Section;
import org.covlab.report.TextTable;
import org.covlab.report.Verdict;
import org.covlab.tensor.Parallel;
import org.covlab.train.Checkpoint;
import org.covlab.train.Checkpoints;
import org.covlab.train.DivergedException;
import org.covlab.train.Optimizer;

/**
 * gpt-interventions' test-time-training arm (issue 13, item 2; the transformer form of Eqs. 22-23 and Thm 6.1): the
 * last checkpoint of each optimizer's best-step run per H, on the grid seeds, decoded with {@link TttGpt} and evaluated
 * exactly like the plain rows ({@code decoder = ttt} in metrics.csv). Only the last checkpoint and the grid seeds,
 * because one TTT evaluation costs about 40x a plain one at H = 24 (docs/results.md). Also the report's TTT claim,
 * table and plot.
 */
final class GptInterventionsTtt {
    private GptInterventionsTtt() {}

    /** TTT and plain Cov_16 within this much count as equal (as the selection regrets: the weight of a few prompts' supports). */
    static final double SAME = GptInterventionsReport.SAME_REGRET;

    private static final String COV = EvalRun.covColumn(Fig2Horizon.HEADLINE_N);

    /** The runs decoded with TTT: per H (longest first) and optimizer, its best step on each grid seed; none when TTT is off. */
    static List<GptInterventions.Cell> cells(GptInterventions.Settings s, StepChoice choice) {
        Set<GptInterventions.Cell> out = new LinkedHashSet<>();
        if (s.ttt().off()) return List.of();
        for (int H : s.horizons().stream().sorted(Comparator.reverseOrder()).toList())
            for (Optimizer.Kind k : GptInterventions.OPTIMIZERS)
                for (int seed = 0; seed < s.gridSeeds(); seed++) out.add(new GptInterventions.Cell(k, choice.best(k, H), H, seed));
        return List.copyOf(out);
    }

    /** Runs (or resumes) the TTT evaluations as cells {@code ttt_KEY}: rows of {@link GptInterventions#header()}. */
    static CsvTable run(GptInterventions.Settings s, RunFolder run, List<GptInterventions.Cell> cells, CsvTable plain, int threads) {
        int modelThreads = CellRunner.threadsPerCell(threads, cells.size());
        List<CellRunner.Cell> work = cells.stream().map(c -> new CellRunner.Cell("ttt_" + c.key(),
                () -> List.<Object[]>of(row(s, run, c, GptInterventions.rowsOf(plain, c), modelThreads)))).toList();
        return CellRunner.run(run, GptInterventions.NAME + " test-time training", GptInterventions.header(), Math.min(threads, work.size()), work);
    }

    /**
     * The run's last checkpoint (the last finite one if it diverged) decoded with TTT: one row at its step, with the plain
     * row's training loss; every figure NaN if the TTT steps make the logits non-finite.
     */
    private static Object[] row(GptInterventions.Settings s, RunFolder run, GptInterventions.Cell c, List<CsvTable.Row> plainRows, int threads) {
        List<Checkpoints.Entry> all = GptCell.checkpoints(GptInterventions.dir(run, c));
        Checkpoints.Entry last = all.get(all.size() - 1);
        double loss = plainRows.stream().filter(r -> r.integer("step") == last.step()).mapToDouble(r -> r.number("train_loss")).findFirst()
                .orElse(Double.NaN);
        Function<AutoregressiveModel, Map<String, Double>> exact = Fig2Horizon.exactColumns(c.task(), s.promptsPerClass(), run.seed());
        try (Parallel pool = new Parallel(threads)) {
            Gpt model = Checkpoint.read(last.dir()).loadModel(pool);
            Map<String, Double> figures;
            try {
                figures = exact.apply(GptInterventions.Decoder.TTT.wrap(model, s.ttt()));
            } catch (DivergedException e) {
                System.err.println("covlab: " + GptInterventions.NAME + " " + c.key() + ": test-time training diverged (" + e.getMessage()
                        + "); its row is NaN");
                figures = Map.of();
            }
            return GptInterventions.evaluate(c, last.step(), loss, GptInterventions.Decoder.TTT, figures);
        }
    }

    /** One TTT row beside the plain row of the same checkpoint. */
    record Pair(GptInterventions.Cell cell, CsvTable.Row plain, CsvTable.Row ttt) {}

    static List<Pair> pairs(CsvTable metrics) {
        List<Pair> out = new ArrayList<>();
        for (CsvTable.Row t : metrics.rows()) {
            if (!t.get("decoder").equals(GptInterventions.Decoder.TTT.cliName())) continue;
            GptInterventions.Cell c = new GptInterventions.Cell(Optimizer.Kind.parse(t.get("optimizer")), t.number("lr"), (int) t.integer("H"),
                    (int) t.integer("seed"));
            GptInterventions.rowsOf(metrics, c).stream().filter(p -> p.integer("step") == t.integer("step")).findFirst()
                    .ifPresent(p -> out.add(new Pair(c, p, t)));
        }
        return out;
    }

    /** The claim, its table and plot; nothing when the run decoded no checkpoint with TTT. */
    static void report(Section.Builder b, GptInterventions.Settings s, CsvTable metrics, Path dir) {
        List<Pair> pairs = pairs(metrics);
        if (pairs.isEmpty()) return;
        int lower = 0, higher = 0;
        List<Double> dCov = new ArrayList<>(), dKl = new ArrayList<>();
        for (Pair p : pairs) {
            double d = p.ttt().number(COV) - p.plain().number(COV);
            if (d < -SAME) lower++;
            if (d > SAME) higher++;
            dCov.add(d);
            dKl.add(p.ttt().number("kl") - p.plain().number("kl"));
        }
        b.claim("Thm 6.1 on the transformer: decoding with test-time training (K = " + s.ttt().steps() + " step(s) of eta = "
                        + GptInterventions.label(s.ttt().lr()) + " on each decoded token, reset per response) lowers Cov_16 against the "
                        + "same checkpoint decoded plainly (changes within " + SAME + " count as equal)",
                "over " + pairs.size() + " checkpoints (each optimizer's best step per H, last update, grid seeds): TTT lowers Cov_16 in "
                        + lower + ", raises it in " + higher + "; TTT minus plain, median Cov_16 " + fmt(Quantiles.median(doubles(dCov)))
                        + " (range " + fmt(Quantiles.of(doubles(dCov), 0)) + " to " + fmt(Quantiles.of(doubles(dCov), 1)) + "), median KL "
                        + fmt(Quantiles.median(doubles(dKl))) + " nats",
                lower == 0 ? Verdict.NOT_REPRODUCED : higher == 0 ? Verdict.REPRODUCED : Verdict.PARTLY);
        List<String> h = new ArrayList<>(List.of("optimizer", "step", "H", "seed", "update", "KL plain", "KL TTT", "Cov_16 plain", "Cov_16 TTT"));
        for (String c : Fig2Horizon.CLASSES) h.add("KL " + c + " plain -> TTT");
        TextTable table = new TextTable(h);
        for (Pair p : pairs) {
            List<Object> row = new ArrayList<>(List.of(p.cell().optimizer().cliName(), GptInterventions.label(p.cell().lr()), p.cell().H(),
                    p.cell().seed(), p.plain().get("step"), fmt(p.plain().number("kl")), fmt(p.ttt().number("kl")), fmt(p.plain().number(COV)),
                    fmt(p.ttt().number(COV))));
            for (String c : Fig2Horizon.CLASSES) row.add(fmt(p.plain().number("kl_" + c)) + " -> " + fmt(p.ttt().number("kl_" + c)));
            table.row(row.toArray());
        }
        b.table("Test-time training against plain decoding of the same checkpoint (K = " + s.ttt().steps() + ", eta = "
                + GptInterventions.label(s.ttt().lr()) + ")", table);
        plot(b, s, pairs, dir);
    }

    /** Cov_16 and KL against H per optimizer: plain solid, TTT dashed (mean over the grid seeds). */
    private static void plot(Section.Builder b, GptInterventions.Settings s, List<Pair> pairs, Path dir) {
        List<String> names = GptInterventions.OPTIMIZERS.stream().map(Optimizer.Kind::cliName).toList();
        for (String[] y : new String[][] {{COV, "Cov_16", "cov16"}, {"kl", "KL", "kl"}}) {
            Plot p = Plot.titled(y[1] + " at the last update: plain (solid), test-time training (dashed)").xTitle("H")
                    .yTitle(y[1]).colors(names);
            for (Optimizer.Kind k : GptInterventions.OPTIMIZERS) {
                List<Pair> mine = pairs.stream().filter(q -> q.cell().optimizer() == k).toList();
                double[] hx = s.horizons().stream().filter(H -> mine.stream().anyMatch(q -> q.cell().H() == H)).mapToDouble(Integer::doubleValue)
                        .toArray();
                p.line(k.cliName(), hx, mean(mine, hx, Pair::plain, y[0]));
                p.dashed(k.cliName() + ", TTT", hx, mean(mine, hx, Pair::ttt, y[0]));
            }
            b.plot(p.write(dir, "ttt_vs_plain_" + y[2]), y[1] + " (mixed) of each optimizer's best-step run per H at its last update, "
                    + "decoded plainly (solid) and with test-time training (dashed).");
        }
    }

    private static double[] mean(List<Pair> pairs, double[] hx, Function<Pair, CsvTable.Row> side, String column) {
        double[] out = new double[hx.length];
        for (int i = 0; i < hx.length; i++) {
            int H = (int) hx[i];
            out[i] = Quantiles.mean(pairs.stream().filter(q -> q.cell().H() == H).mapToDouble(q -> side.apply(q).number(column)).toArray());
        }
        return out;
    }

    private static double[] doubles(List<Double> v) { return v.stream().mapToDouble(x -> x).toArray(); }

    private static String fmt(double v) { return MetricsView.fmt(v); }
}
