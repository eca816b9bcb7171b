package org.covlab.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.covlab.eval.EvalRun;
import org.covlab.report.CsvTable;
import org.covlab.report.RunFolder;
import org.covlab.report.Section;
import org.covlab.select.LogProbJsonl;
import org.covlab.select.LogProbTable;
import org.covlab.select.Selector;
import org.covlab.task.graph.EdgeOrder;
import org.covlab.tensor.Parallel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Fig1SelectionTest {

    /** A one-layer d=16 model: 6 pre-training and 8 fine-tuning updates of 4 sequences, a checkpoint every 2. */
    static Fig1Selection.Settings tiny(int seeds) {
        return new Fig1Selection.Settings(Scale.DEMO, EdgeOrder.LAYER, 4, seeds, 1, 2, 16, 4, 6, AdamRecipe.constant(3e-3, 0, 0.95, 1.0), 64, 8,
                AdamRecipe.constant(1e-3, 0, 0.95, 1.0), 2, 3, 24, 0.1, 6, 1, 4);
    }

    @Test void tablesHaveTheirColumnsAndOneRowPerKey(@TempDir Path tmp) {
        RunFolder run = RunFolder.open(Fig1Selection.NAME, 2, tmp.resolve("run"), false);
        Fig1Selection.Tables t = Fig1Selection.run(tiny(2), run, 2);
        CsvTable m = t.metrics();
        assertThat(m.header()).contains("seed", "step", "kl", "cov@2", "cov@3", "cov@4", "cov@4.6", "cov@5.7", "pass@4", "pass@8", "pass@12");
        Set<String> keys = new HashSet<>();
        for (CsvTable.Row r : m.rows()) {
            assertThat(keys.add(r.get("seed") + "/" + r.get("step"))).as("one row per (seed, checkpoint)").isTrue();
            assertThat(r.number("cov@2")).isGreaterThanOrEqualTo(r.number("cov@5.7"));
            assertThat(r.number("pass@4")).isBetween(0.0, 1.0).isLessThanOrEqualTo(r.number("pass@12"));
        }
        assertThat(m.rowCount()).as("2 seeds x checkpoints 0, 2, 4, 6, 8").isEqualTo(10);
        // per seed: tournament and offset at N = 2, 4, 5.7; min-CE; the oracle at N = 2, 4, 5.7
        assertThat(t.selections().rowCount()).isEqualTo(2 * 10);
        assertThat(t.pretrain().rowCount()).as("pre-training checkpoints every 1 of 6 steps, and step 0").isEqualTo(2 * 7);
        for (CsvTable.Row r : t.passCheck().rows()) assertThat(r.number("lo")).isLessThanOrEqualTo(r.number("sampled"));
        for (String f : List.of("metrics.csv", "selections.csv", "pass_check.csv", "pretrain.csv", "cells/s0/" + Fig1Selection.LOGPROBS,
                "cells/s1/" + Fig1Selection.OFFSET_LOGPROBS)) assertThat(run.dir().resolve(f)).exists();
    }

    @Test void theSelectionsAreWhatAHandComputedTournamentPicksOnTheRunsLogProbTable(@TempDir Path tmp) {
        RunFolder run = RunFolder.open(Fig1Selection.NAME, 4, tmp.resolve("run"), false);
        Fig1Selection.Tables t = Fig1Selection.run(tiny(1), run, 1);
        LogProbTable table = LogProbJsonl.read(run.dir().resolve("cells/s0/" + Fig1Selection.LOGPROBS));
        LogProbTable offset = LogProbJsonl.read(run.dir().resolve("cells/s0/" + Fig1Selection.OFFSET_LOGPROBS));
        assertThat(table.n()).isEqualTo(24);
        assertThat(offset.n()).isEqualTo(6);
        assertThat(table.candidates()).containsExactly("step-000000", "step-000002", "step-000004", "step-000006", "step-000008");
        for (double N : Fig1Selection.PAIRED_NS) {
            assertThat(chosen(t, Selector.TOURNAMENT, N)).as("tournament at N = " + N).isEqualTo(table.candidates().get(tournament(table, N, 0)));
            assertThat(chosen(t, Selector.OFFSET, N)).as("offset at N = " + N).isEqualTo(offset.candidates().get(tournament(offset, N, 0.1)));
            double[] cov = t.metrics().rows().stream().mapToDouble(r -> r.number(EvalRun.covColumn(N))).toArray();
            assertThat(chosen(t, Selector.ORACLE, N)).isEqualTo(table.candidates().get(argmin(cov)));
        }
        double[] ce = new double[table.K()];
        for (int k = 0; k < ce.length; k++) for (double lp : table.logp()[k]) ce[k] -= lp / table.n();
        assertThat(chosen(t, Selector.MIN_CE, Double.NaN)).isEqualTo(table.candidates().get(argmin(ce)));
        // the chosen row carries that checkpoint's metrics
        for (CsvTable.Row r : t.selections().rows()) {
            CsvTable.Row at = t.metrics().rows().stream().filter(m -> m.get("step").equals(r.get("step"))).findFirst().orElseThrow();
            assertThat(r.get("pass@8")).isEqualTo(at.get("pass@8"));
            assertThat(r.get("chosen")).isEqualTo(String.format("step-%06d", r.integer("step")));
        }
    }

    /** Eq. 29 (a = 0) and Eq. 32 written out as loops: score[k] = max_k' C[k'][k] - 2 N^a Con[k'][k], argmin, ties first. */
    private static int tournament(LogProbTable t, double N, double a) {
        int K = t.K();
        double[] score = new double[K];
        for (int k = 0; k < K; k++) {
            score[k] = Double.NEGATIVE_INFINITY;
            for (int kp = 0; kp < K; kp++) {
                double c = 0, con = 0;
                for (int i = 0; i < t.n(); i++) if (t.logp()[kp][i] - t.logp()[k][i] >= Math.log(N)) c += 1.0 / t.n();
                if (a > 0) {
                    double[] own = t.onPolicy().logp()[k][k], other = t.onPolicy().logp()[k][kp];
                    for (int j = 0; j < own.length; j++) if (other[j] - own[j] >= Math.log(N)) con += 1.0 / own.length;
                }
                score[k] = Math.max(score[k], c - 2 * Math.pow(N, a) * con);
            }
        }
        return argmin(score);
    }

    private static int argmin(double[] v) {
        int best = 0;
        for (int k = 1; k < v.length; k++) if (v[k] < v[best]) best = k;
        return best;
    }

    private static String chosen(Fig1Selection.Tables t, String method, double N) {
        String n = Double.isNaN(N) ? "" : EvalRun.label(N);
        return t.selections().rows().stream().filter(r -> r.get("method").equals(method) && r.get("N").equals(n))
                .findFirst().orElseThrow().get("chosen");
    }

    @Test void sameSeedGivesTheSameBytesAndAnInterruptedFineTuningResumesToThem(@TempDir Path tmp) throws Exception {
        Fig1Selection.Settings s = tiny(1);
        Path a = Fig1SelectionRun.run(s, 6, tmp.resolve("a"), false, 2).dir();

        // The same run killed during the fine-tuning evaluation at step 6 (checkpoints 0, 2, 4 written).
        Path b = tmp.resolve("b");
        RunFolder run = RunFolder.open(Fig1Selection.NAME, 6, b, false);
        run.writeConfig(new Fig1SelectionRun.Config(Fig1Selection.NAME, 6, s));
        try (Parallel pool = new Parallel(1)) {
            Fig1Selection.pretrain(s, run, 0, pool);
            GptCell.Evaluation eval = Fig1Selection.evaluation(s, run.seed(), 0);
            assertThatThrownBy(() -> Fig1Selection.finetune(s, run, 0, pool, (step, m, loss) -> {
                if (step == 6) throw new IllegalStateException("killed");
                return eval.rows(step, m, loss);
            })).hasMessage("killed");
        }
        Fig1SelectionRun.run(s, 6, b, true, 1);
        for (String f : List.of("metrics.csv", "pretrain.csv", "selections.csv", "pass_check.csv", "cells/s0/" + Fig1Selection.OFFSET_LOGPROBS)) {
            assertThat(Files.readString(b.resolve(f))).as(f).isEqualTo(Files.readString(a.resolve(f)));
        }
    }

    @Test void reportRebuildsFromTheFolderAlone(@TempDir Path tmp) throws Exception {
        ExperimentRun.Outcome o = Fig1SelectionRun.run(tiny(1), 2, tmp.resolve("run"), false, 2);
        Files.delete(o.dir().resolve("kl_vs_step.png"));
        Section again = Fig1SelectionRun.rebuild(o.dir());
        assertThat(again.claims()).isEqualTo(o.section().claims()).hasSize(3);
        assertThat(again.tables()).hasSize(o.section().tables().size());
        assertThat(again.figures()).hasSize(2 + 2 * 3);
        for (Section.Figure f : again.figures()) assertThat(f.file()).exists();
        assertThat(Experiments.sections(o.dir())).singleElement().satisfies(x -> assertThat(x.claims()).isEqualTo(o.section().claims()));
    }

    @org.junit.jupiter.api.Test void coverageOnlyPredictsPassWhenItsCorrelationHasTheRightSign() {
        assertThat(Fig1SelectionReport.predictsBetter(-0.9, -0.5)).isEqualTo(org.covlab.report.Verdict.REPRODUCED);
        assertThat(Fig1SelectionReport.predictsBetter(-0.52, -0.5)).isEqualTo(org.covlab.report.Verdict.PARTLY);
        assertThat(Fig1SelectionReport.predictsBetter(-0.4, -0.5)).isEqualTo(org.covlab.report.Verdict.NOT_REPRODUCED);
        // Less wrong than KL is not predicting: both rise with Pass@N.
        assertThat(Fig1SelectionReport.predictsBetter(0.14, 0.43)).isEqualTo(org.covlab.report.Verdict.NOT_REPRODUCED);
        assertThat(Fig1SelectionReport.predictsBetter(Double.NaN, -0.5)).isEqualTo(org.covlab.report.Verdict.INCONCLUSIVE);
    }
}
