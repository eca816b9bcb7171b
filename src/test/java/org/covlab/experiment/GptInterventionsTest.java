package org.covlab.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.covlab.decode.TttSettings;
import org.covlab.report.CsvTable;
import org.covlab.report.RunFolder;
import org.covlab.report.Section;
import org.covlab.select.Selector;
import org.covlab.task.graph.GraphTask;
import org.covlab.tensor.Parallel;
import org.covlab.train.Checkpoints;
import org.covlab.train.Optimizer;
import org.covlab.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GptInterventionsTest {

    /** H = 8 and 10, a one-layer d=16 model, 4 updates of 4 sequences, an evaluation every 2; two SGD steps, one per other rule. */
    static GptInterventions.Settings tiny(int gridSeeds, int seeds, double sgdHigh) {
        return new GptInterventions.Settings(Scale.DEMO, List.of(8, 10), 4, gridSeeds, seeds, 1, 2, 16, 4, 64, 2, 2,
                List.of(new GptInterventions.Grid(Optimizer.Kind.SGD, List.of(0.01, sgdHigh)),
                        new GptInterventions.Grid(Optimizer.Kind.NORMALIZED, List.of(0.5)),
                        new GptInterventions.Grid(Optimizer.Kind.SIGN, List.of(1e-3)),
                        new GptInterventions.Grid(Optimizer.Kind.ADAMW, List.of(3e-3))),
                AdamRecipe.constant(3e-3, 0, 0.95, 1.0), new TttSettings(1, 0.01), 8, 4, 1);
    }

    @Test void metricsAndSelectionsHaveTheIssuesColumnsAndEveryRunOnce(@TempDir Path tmp) {
        GptInterventions.Settings s = tiny(1, 2, 0.02);
        RunFolder run = RunFolder.open(GptInterventions.NAME, 3, tmp.resolve("run"), false);
        GptInterventions.Tables t = GptInterventions.run(s, run, 2);
        CsvTable m = t.metrics();
        assertThat(CsvTable.read(run.dir().resolve("metrics.csv")).toCsv()).isEqualTo(m.toCsv());
        assertThat(m.header().subList(0, 12)).containsExactly("optimizer", "decoder", "H", "seed", "step", "lr", "kl", "cross_entropy",
                "cov@2", "cov@4", "cov@16", "cov@256");
        assertThat(m.header()).contains("kl_G1", "kl_G2", "kl_G3", "cov@16_G1", "cov@16_G2", "cov@16_G3");
        Set<String> keys = new HashSet<>(), runs = new HashSet<>();
        for (CsvTable.Row r : m.rows()) {
            assertThat(r.get("optimizer")).isIn("sgd", "normalized", "sign", "adamw");
            assertThat(r.get("decoder")).isIn("plain", "ttt");
            if (r.get("decoder").equals("ttt")) continue;
            assertThat(keys.add(r.get("optimizer") + r.get("lr") + "/" + r.get("H") + "/" + r.get("seed") + "/" + r.get("step"))).isTrue();
            runs.add(r.get("optimizer") + r.get("lr") + "/" + r.get("H") + "/" + r.get("seed"));
            assertThat(r.number("cov@16")).isBetween(0.0, 1.0);
            double mixed = 0.94 * r.number("kl_G1") + 0.05 * r.number("kl_G2") + 0.01 * r.number("kl_G3");
            assertThat(r.number("kl")).isCloseTo(mixed, org.assertj.core.data.Offset.offset(1e-9 * mixed));
        }
        // grid: 5 steps x 2 H on seed 0; seed 1: per optimizer and H the best and the fixed step (one SGD step or two)
        StepChoice choice = StepChoice.of(m, s);
        int seed1 = 0;
        for (Optimizer.Kind k : GptInterventions.OPTIMIZERS)
            for (int H : s.horizons()) seed1 += choice.best(k, H) == choice.fixed(k) ? 1 : 2;
        assertThat(runs).hasSize(10 + seed1);
        assertThat(m.rows().stream().filter(r -> r.get("decoder").equals("plain")).count()).as("steps 0, 2, 4 of every run")
                .isEqualTo(3 * runs.size());
        List<GptInterventionsTtt.Pair> ttt = GptInterventionsTtt.pairs(m);
        assertThat(ttt).as("the last update of each optimizer's best step per H on the grid seed, beside its plain row")
                .hasSize(4 * 2).allSatisfy(p -> {
                    assertThat(p.cell().seed()).isZero();
                    assertThat(p.cell().lr()).isEqualTo(choice.best(p.cell().optimizer(), p.cell().H()));
                    assertThat(p.ttt().integer("step")).isEqualTo(4);
                    assertThat(p.ttt().get("train_loss")).isEqualTo(p.plain().get("train_loss"));
                });
        assertThat(m.rowCount()).isEqualTo(3 * runs.size() + ttt.size());
        assertThat(t.selections().header()).containsSubsequence("optimizer", "lr", "H", "seed", "method", "N", "pairs", "chosen", "step",
                "score", "kl", "cov@16");
        assertThat(t.selections().rowCount()).as("tournament, offset, min-CE, oracle per run").isEqualTo(4 * runs.size());
        for (CsvTable.Row r : t.selections().rows()) {
            assertThat(r.get("method")).isIn(Selector.TOURNAMENT, Selector.OFFSET, Selector.MIN_CE, Selector.ORACLE);
            List<CsvTable.Row> of = m.rows().stream().filter(x -> x.get("optimizer").equals(r.get("optimizer")) && x.get("H").equals(r.get("H"))
                    && x.get("seed").equals(r.get("seed")) && GptInterventions.label(x.number("lr")).equals(r.get("lr"))).toList();
            double lowest = of.stream().mapToDouble(x -> x.number("cov@16")).min().orElseThrow();
            if (r.get("method").equals(Selector.ORACLE)) assertThat(r.number("cov@16")).isEqualTo(lowest);
            else assertThat(r.number("cov@16")).isGreaterThanOrEqualTo(lowest);
        }
    }

    @Test void aTttRowIsTheExactEvaluationOfTheTttDecoderOnTheLastCheckpoint(@TempDir Path tmp) {
        GptInterventions.Settings s = tiny(1, 1, 0.02);
        RunFolder run = RunFolder.open(GptInterventions.NAME, 4, tmp.resolve("run"), false);
        List<GptInterventionsTtt.Pair> pairs = GptInterventionsTtt.pairs(GptInterventions.run(s, run, 2).metrics());
        GptInterventionsTtt.Pair p = pairs.stream().filter(x -> x.cell().optimizer() == Optimizer.Kind.ADAMW && x.cell().H() == 10)
                .findFirst().orElseThrow();
        GptCell.Spec spec = GptInterventions.spec(s, run, p.cell());
        List<Checkpoints.Entry> all = Checkpoints.list(spec.dir().resolve(GptCell.CHECKPOINTS));
        try (Parallel pool = new Parallel(1)) {
            org.covlab.model.Gpt model = org.covlab.train.Checkpoint.read(all.get(all.size() - 1).dir()).loadModel(pool);
            Map<String, Double> again = Fig2Horizon.exactColumns(p.cell().task(), s.promptsPerClass(), 4)
                    .apply(new org.covlab.decode.TttGpt(model, s.ttt()));
            double worst = 0;
            for (Map.Entry<String, Double> e : again.entrySet()) worst = Math.max(worst, Math.abs(e.getValue() - p.ttt().number(e.getKey())));
            System.out.printf("TTT row vs a fresh TttGpt evaluation: max |difference| %.3g; KL plain %.6f, TTT %.6f%n", worst,
                    p.plain().number("kl"), p.ttt().number("kl"));
            assertThat(worst).isLessThan(1e-9);
            assertThat(p.ttt().number("kl")).as("the steps move the distribution").isNotEqualTo(p.plain().number("kl"));
        }
        GptInterventions.Settings off = new GptInterventions.Settings(s.scale(), s.horizons(), s.steps(), s.gridSeeds(), s.seeds(), s.layers(),
                s.heads(), s.dModel(), s.batch(), s.dataset(), s.evalEvery(), s.promptsPerClass(), s.grids(), s.adam(), TttSettings.OFF,
                s.selectionPairs(), s.offsetPairs(), s.onPolicy());
        assertThat(GptInterventionsTtt.cells(off, StepChoice.of(CsvTable.read(run.dir().resolve("metrics.csv")), off))).isEmpty();
    }

    @Test void aDivergedRunStopsWithANaNRowAndScoresWorst(@TempDir Path tmp) {
        GptInterventions.Settings s = tiny(1, 1, 1e6);
        GptInterventions.Tables t = GptInterventions.run(s, RunFolder.open(GptInterventions.NAME, 3, tmp.resolve("run"), false), 2);
        List<CsvTable.Row> diverged = GptInterventions.rowsOf(t.metrics(), new GptInterventions.Cell(Optimizer.Kind.SGD, 1e6, 8, 0));
        System.out.printf("SGD at lr 1e6: rows at steps %s%n", diverged.stream().map(r -> r.get("step")).toList());
        assertThat(diverged.get(diverged.size() - 1).number("kl")).isNaN();
        assertThat(diverged.get(diverged.size() - 1).integer("step")).isLessThanOrEqualTo(4);
        StepChoice choice = StepChoice.of(t.metrics(), s);
        assertThat(choice.score().get(Optimizer.Kind.SGD).get(8).get(1e6)).as("the missing point counts 1")
                .isGreaterThanOrEqualTo(choice.score().get(Optimizer.Kind.SGD).get(8).get(0.01));
        assertThat(choice.kl().get(Optimizer.Kind.SGD).get(8).get(1e6)).isInfinite();
        assertThat(choice.fixed(Optimizer.Kind.SGD)).isEqualTo(0.01);
        assertThat(t.selections().rows()).as("the diverged run's good checkpoints are still selected from")
                .anyMatch(r -> r.get("optimizer").equals("sgd") && r.get("lr").equals("1000000"));
    }

    @Test void anInterruptedCellResumesToTheSameMetricsBytes(@TempDir Path tmp) throws Exception {
        GptInterventions.Settings s = tiny(1, 1, 0.02);
        Path a = GptInterventionsRun.run(s, 5, tmp.resolve("a"), false, 2).dir();

        // killed during the evaluation at step 4 of one run: checkpoints 0 and 2 written, the cell never finished
        Path b = tmp.resolve("b");
        RunFolder run = RunFolder.open(GptInterventions.NAME, 5, b, false);
        run.writeConfig(new GptInterventionsRun.Config(GptInterventions.NAME, 5, s));
        GptInterventions.Cell cell = new GptInterventions.Cell(Optimizer.Kind.NORMALIZED, 0.5, 10, 0);
        GraphTask task = cell.task();
        GptCell.Spec spec = GptInterventions.spec(s, run, cell);
        try (Parallel pool = new Parallel(1)) {
            assertThatThrownBy(() -> GptCell.train(spec, task, p -> Trainer.initialModel(s.model(task), spec.training().seed(), p),
                    GptInterventions.header(), (step, m, loss) -> {
                        if (step == 4) throw new IllegalStateException("killed");
                        return List.<Object[]>of(GptInterventions.evaluate(cell, step, loss, GptInterventions.Decoder.PLAIN,
                                Fig2Horizon.exactColumns(task, s.promptsPerClass(), 5).apply(m)));
                    }, pool, "interrupted")).hasMessage("killed");
        }
        assertThat(Checkpoints.list(spec.dir().resolve(GptCell.CHECKPOINTS))).extracting(Checkpoints.Entry::step).containsExactly(0, 2);
        GptInterventionsRun.run(s, 5, b, true, 2);
        assertThat(Files.readString(b.resolve("metrics.csv"))).isEqualTo(Files.readString(a.resolve("metrics.csv")));
        assertThat(Files.readString(b.resolve("selections.csv"))).isEqualTo(Files.readString(a.resolve("selections.csv")));

        ResumeCheck.interruptAndResume(a, () -> GptInterventionsRun.run(s, 5, a, true, 1));
    }

    @Test void reportRebuildsFromTheFolderAloneWithAVerdictPerClaim(@TempDir Path tmp) throws Exception {
        ExperimentRun.Outcome o = GptInterventionsRun.run(tiny(1, 1, 0.02), 3, tmp.resolve("run"), false, 2);
        for (String plot : List.of("cov16_vs_step_H8", "kl_vs_step_H10", "final_cov16_vs_H")) Files.delete(o.dir().resolve(plot + ".png"));
        Section again = GptInterventionsRun.rebuild(o.dir());
        assertThat(again.claims()).isEqualTo(o.section().claims());
        assertThat(again.figures()).hasSize(2 * 2 + 1 + 2);
        for (Section.Figure f : again.figures()) assertThat(f.file()).exists();
        assertThat(again.figures()).extracting(f -> f.file().getFileName().toString()).contains("ttt_vs_plain_cov16.png", "ttt_vs_plain_kl.png");
        assertThat(Experiments.sections(o.dir())).singleElement().satisfies(x -> assertThat(x.claims()).isEqualTo(o.section().claims()));
        assertThat(o.section().claims()).extracting(Section.Claim::claim).hasSize(6)
                .anyMatch(c -> c.startsWith("Prop. 5.1")).anyMatch(c -> c.startsWith("Thm 6.1")).anyMatch(c -> c.startsWith("Thm 5.1")).anyMatch(c -> c.startsWith("Section 6.3"));
    }

    @Test void theChoiceTakesTheLowestScorePerHAndTheLowestWorstScoreForTheFixedStep() {
        GptInterventions.Settings s = tiny(1, 1, 0.02);
        CsvTable m = new CsvTable(GptInterventions.header());
        // SGD: 0.02 better at H = 8 (0.1 vs 0.3), 0.01 better at H = 10 (0.2 vs 0.6): best per H differs, fixed = 0.01 (worst 0.3 < 0.6)
        Map<String, Double> cov = Map.of("0.01/8", 0.3, "0.02/8", 0.1, "0.01/10", 0.2, "0.02/10", 0.6);
        for (GptInterventions.Grid g : s.grids())
            for (double lr : g.lrs())
                for (int H : s.horizons())
                    for (int step = 0; step <= 4; step += 2) {
                        double c = cov.getOrDefault(GptInterventions.label(lr) + "/" + H, 0.5);
                        Map<String, Double> f = new java.util.HashMap<>();
                        for (String col : GptInterventions.header()) f.put(col, col.startsWith("cov") ? c : 1.0);
                        m.addRow(GptInterventions.evaluate(new GptInterventions.Cell(g.optimizer(), lr, H, 0), step, 1.0,
                                GptInterventions.Decoder.PLAIN, f));
                    }
        StepChoice choice = StepChoice.of(m, s);
        assertThat(choice.best(Optimizer.Kind.SGD, 8)).isEqualTo(0.02);
        assertThat(choice.best(Optimizer.Kind.SGD, 10)).isEqualTo(0.01);
        assertThat(choice.fixed(Optimizer.Kind.SGD)).isEqualTo(0.01);
    }
}
