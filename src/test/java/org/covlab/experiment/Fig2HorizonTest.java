package org.covlab.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.covlab.report.CsvTable;
import org.covlab.report.RunFolder;
import org.covlab.report.Section;
import org.covlab.task.graph.EdgeOrder;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;
import org.covlab.tensor.Parallel;
import org.covlab.train.Checkpoints;
import org.covlab.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Fig2HorizonTest {

    /** Two horizons, two seeds, a one-layer d=16 model, 6 updates of 4 sequences, an evaluation every 2. */
    static Fig2Horizon.Settings tiny() {
        return settings(List.of(8, 10), 2, 6, 0);
    }

    /** A one-layer d=16 model, {@code steps} updates of 4 sequences at every H, an evaluation every 2. */
    static Fig2Horizon.Settings settings(List<Integer> horizons, int seeds, int steps, int controlSeeds) {
        return new Fig2Horizon.Settings(Scale.DEMO, EdgeOrder.LAYER, horizons, horizons.stream().map(h -> steps).toList(), seeds, 1, 2, 16, 4,
                AdamRecipe.constant(3e-3, 0, 0.95, 1.0), 64, 2, 2, controlSeeds);
    }

    @Test void metricsCsvHasTheIssuesColumnsAndOneRowPerHSeedStep(@TempDir Path tmp) {
        RunFolder run = RunFolder.open(Fig2Horizon.NAME, 3, tmp.resolve("run"), false);
        CsvTable m = Fig2Horizon.run(tiny(), run, 2);
        assertThat(CsvTable.read(run.dir().resolve("metrics.csv")).toCsv()).isEqualTo(m.toCsv());
        assertThat(m.header()).contains("H", "seed", "step", "kl", "cov@16", "cross_entropy", "cov@2", "cov@256", "kl_G2", "cov@16_G3");
        Set<String> keys = new HashSet<>();
        for (CsvTable.Row r : m.rows()) {
            assertThat(keys.add(r.get("H") + "/" + r.get("seed") + "/" + r.get("step"))).as("one row per (H, seed, step)").isTrue();
            assertThat(r.number("cov@16")).isBetween(0.0, 1.0);
            assertThat(r.number("cov@2")).isGreaterThanOrEqualTo(r.number("cov@16"));
            assertThat(r.number("kl")).isGreaterThan(0);
            // the mixed KL is the class KLs weighted with mu~ = 0.94, 0.05, 0.01
            double mixed = 0.94 * r.number("kl_G1") + 0.05 * r.number("kl_G2") + 0.01 * r.number("kl_G3");
            assertThat(r.number("kl")).isCloseTo(mixed, org.assertj.core.data.Offset.offset(1e-9 * mixed));
        }
        assertThat(m.rowCount()).as("2 H x 2 seeds x steps 0, 2, 4, 6").isEqualTo(16);
        assertThat(m.rows().get(0).get("H")).as("sorted by H").isEqualTo("8");
        assertThat(Double.isNaN(m.rows().get(0).number("train_loss"))).as("no training loss before the first update").isTrue();
    }

    @Test void controlRunsTrainTheSmallestHInTheOtherOrderForTheLongestBudget(@TempDir Path tmp) throws Exception {
        Fig2Horizon.Settings s = new Fig2Horizon.Settings(Scale.DEMO, EdgeOrder.LAYER, List.of(10, 8), List.of(6, 4), 1, 1, 2, 16, 4,
                AdamRecipe.constant(3e-3, 0, 0.95, 1.0), 64, 2, 2, 1);
        ExperimentRun.Outcome o = Fig2HorizonRun.run(s, 3, tmp.resolve("run"), false, 2);
        CsvTable m = CsvTable.read(o.dir().resolve("metrics.csv"));
        assertThat(m.rows().stream().map(r -> r.get("edge_order") + " H" + r.get("H") + " " + r.get("step")).toList())
                .as("main rows first, by H; H = 8 runs its own 4 updates, the control the longest budget, 6")
                .containsExactly("layer H8 0", "layer H8 2", "layer H8 4", "layer H10 0", "layer H10 2", "layer H10 4", "layer H10 6",
                        "shuffled H8 0", "shuffled H8 2", "shuffled H8 4", "shuffled H8 6");
        // the same training seed (so the same initial weights and graphs), only the prompts' order differs
        RunFolder run = RunFolder.open(Fig2Horizon.NAME, 3, o.dir(), true);
        GptCell.Spec layer = Fig2Horizon.spec(s, run, new Fig2Horizon.Cell(EdgeOrder.LAYER, 8, 0));
        GptCell.Spec shuffled = Fig2Horizon.spec(s, run, new Fig2Horizon.Cell(EdgeOrder.SHUFFLED, 8, 0));
        assertThat(shuffled.training().seed()).isEqualTo(layer.training().seed());
        assertThat(shuffled.training().steps()).isEqualTo(6);
        assertThat(org.covlab.train.Checkpoint.read(o.dir().resolve("cells/H8_s0_shuffled/checkpoints/step-000006")).config().task().edgeOrder())
                .isEqualTo(EdgeOrder.SHUFFLED);
        assertThat(o.section().claims()).extracting(Section.Claim::claim).anyMatch(c -> c.startsWith("The edge order decides"));
        assertThat(o.dir().resolve("edge_order_cov16_G1.png")).isNotEmptyFile();
        assertThat(Fig2HorizonRun.rebuild(o.dir()).claims()).isEqualTo(o.section().claims());
    }

    @Test void sameSeedGivesTheSameBytesForAnyThreadCount(@TempDir Path tmp) throws Exception {
        Fig2Horizon.Settings s = settings(List.of(8), 2, 4, 0);
        Fig2Horizon.run(s, RunFolder.open(Fig2Horizon.NAME, 3, tmp.resolve("a"), false), 1);
        Fig2Horizon.run(s, RunFolder.open(Fig2Horizon.NAME, 3, tmp.resolve("b"), false), 2);
        Fig2Horizon.run(s, RunFolder.open(Fig2Horizon.NAME, 4, tmp.resolve("c"), false), 2);
        String a = Files.readString(tmp.resolve("a/metrics.csv"));
        assertThat(Files.readString(tmp.resolve("b/metrics.csv"))).isEqualTo(a);
        assertThat(Files.readString(tmp.resolve("c/metrics.csv"))).as("another master seed").isNotEqualTo(a);
    }

    @Test void anInterruptedCellResumesFromItsCheckpointToTheSameMetrics(@TempDir Path tmp) throws Exception {
        Fig2Horizon.Settings s = settings(List.of(8), 1, 6, 0);
        Path uninterrupted = Fig2HorizonRun.run(s, 5, tmp.resolve("a"), false, 2).dir().resolve("metrics.csv");

        // The same run killed during the evaluation at step 4: checkpoints 0 and 2 were written, the cell never finished.
        Path b = tmp.resolve("b");
        RunFolder run = RunFolder.open(Fig2Horizon.NAME, 5, b, false);
        run.writeConfig(new Fig2HorizonRun.Config(Fig2Horizon.NAME, 5, s));
        GraphTask task = GraphTasks.byName(GraphTasks.FIG2, 8);
        Fig2Horizon.Cell cell = new Fig2Horizon.Cell(EdgeOrder.LAYER, 8, 0);
        GptCell.Spec spec = Fig2Horizon.spec(s, run, cell);
        GptCell.Evaluation eval = Fig2Horizon.evaluation(s, run.seed(), cell);
        try (Parallel pool = new Parallel(1)) {
            assertThatThrownBy(() -> GptCell.train(spec, task, p -> Trainer.initialModel(s.model(task), spec.training().seed(), p),
                    Fig2Horizon.header(), (step, m, loss) -> {
                        if (step == 4) throw new IllegalStateException("killed");
                        return eval.rows(step, m, loss);
                    }, pool, "interrupted")).hasMessage("killed");
        }
        assertThat(Checkpoints.list(spec.dir().resolve(GptCell.CHECKPOINTS))).extracting(Checkpoints.Entry::step).containsExactly(2);
        assertThat(CsvTable.read(spec.dir().resolve(GptCell.ROWS)).rowCount()).isEqualTo(2);

        Fig2HorizonRun.run(s, 5, b, true, 2);
        assertThat(Files.readString(b.resolve("metrics.csv"))).isEqualTo(Files.readString(uninterrupted));
    }

    @Test void aLostCellAndMetricsComeBackTheSameAndFinishedCellsAreSkipped(@TempDir Path tmp) throws Exception {
        Fig2Horizon.Settings s = settings(List.of(8), 2, 2, 0);
        Path dir = Fig2HorizonRun.run(s, 5, tmp.resolve("a"), false, 1).dir();
        ResumeCheck.interruptAndResume(dir, () -> Fig2HorizonRun.run(s, 5, dir, true, 1));
    }

    @Test void reportRebuildsFromTheFolderAlone(@TempDir Path tmp) throws Exception {
        ExperimentRun.Outcome o = Fig2HorizonRun.run(tiny(), 3, tmp.resolve("run"), false, 2);
        for (String plot : List.of("kl_vs_step", "cov16_vs_step", "kl_over_cov16_vs_step", "final_kl_vs_H", "final_cov16_vs_H")) {
            Files.delete(o.dir().resolve(plot + ".png"));
        }
        Section again = Fig2HorizonRun.rebuild(o.dir());
        assertThat(again.claims()).isEqualTo(o.section().claims());
        assertThat(again.settings()).isEqualTo(o.section().settings());
        assertThat(again.figures()).hasSize(o.section().figures().size());
        for (Section.Figure f : again.figures()) assertThat(f.file()).exists();
        assertThat(Experiments.sections(o.dir())).singleElement().satisfies(x -> assertThat(x.claims()).isEqualTo(o.section().claims()));
        assertThat(o.section().claims()).extracting(Section.Claim::claim)
                .anyMatch(c -> c.contains("grows linearly in H")).anyMatch(c -> c.contains("does not depend on H"));
    }

    @Test void verdictsFollowTheNumbers(@TempDir Path tmp) {
        // A made-up run: KL = 0.02 H with Cov_16 = 0.05 flat -> every claim reproduced; a growing Cov_16 -> not flat.
        assertThat(verdicts(tmp, H -> 0.02 * H, H -> 0.05)).containsExactly("reproduced", "reproduced", "reproduced");
        assertThat(verdicts(tmp, H -> 0.02 * H, H -> 0.04 + 0.004 * H).get(1)).as("grows, but slower than KL").isEqualTo("partly");
        assertThat(verdicts(tmp, H -> 0.02 * H, H -> 0.015 * H).get(1)).as("grows like KL").isEqualTo("not reproduced");
        assertThat(verdicts(tmp, H -> 1.0 / H, H -> 0.05).get(0)).isEqualTo("not reproduced");
        assertThat(verdicts(tmp, H -> 0.02 * H, H -> 0.9)).as("Cov_16 saturated: not converged, nothing to judge")
                .containsExactly("inconclusive", "inconclusive", "inconclusive");
    }

    private static List<String> verdicts(Path dir, java.util.function.IntToDoubleFunction kl, java.util.function.IntToDoubleFunction cov) {
        CsvTable t = new CsvTable(Fig2Horizon.header());
        for (int H : List.of(8, 16, 24))
            for (int seed = 0; seed < 3; seed++) {
                Object[] row = new Object[t.header().size()];
                java.util.Arrays.fill(row, 0.0);
                row[0] = "layer";
                row[1] = H;
                row[2] = seed;
                row[3] = 100;
                row[t.header().indexOf("kl")] = kl.applyAsDouble(H) + 1e-4 * seed;
                row[t.header().indexOf("cov@16")] = cov.applyAsDouble(H);
                row[t.header().indexOf("cov@16_G1")] = cov.applyAsDouble(H) > 0.5 ? 1.0 : 0.0;  // G1 learned unless saturated
                t.addRow(row);
            }
        return Fig2HorizonReport.section(t, EdgeOrder.LAYER, dir, java.util.Map.of()).claims().stream()
                .map(c -> c.verdict().label()).toList();
    }
}
