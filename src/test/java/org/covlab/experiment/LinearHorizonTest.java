package org.covlab.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.covlab.report.CsvTable;
import org.covlab.report.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinearHorizonTest {

    /** A run small enough for a unit test: two horizons, two methods, two step sizes, two seeds. */
    static LinearHorizon.Settings tiny() {
        return new LinearHorizon.Settings(List.of("prop5.1"), List.of(4, 8), List.of("mle", "sgd"), 2, 64, 3,
                List.of(1.0, 16.0), 20, 8, 2);
    }

    @Test void metricsCsvHasTheIssuesColumnsAndOneRowPerMethodHSeedStep(@TempDir Path tmp) throws Exception {
        RunFolder run = RunFolder.open(LinearHorizon.NAME, 5, tmp.resolve("run"), false);
        LinearHorizon.run(tiny(), run);
        CsvTable metrics = CsvTable.read(run.dir().resolve("metrics.csv"));
        assertThat(metrics.header()).contains("method", "H", "seed", "step", "kl", "cross_entropy",
                "cov@2", "cov@4", "cov@16", "cov@256");
        Set<String> keys = new HashSet<>();
        for (CsvTable.Row r : metrics.rows()) {
            assertThat(keys.add(r.get("instance") + r.get("method") + r.get("H") + r.get("seed") + r.get("step")))
                    .as("duplicate (method, H, seed, step) row").isTrue();
            assertThat(r.number("cov@16")).isBetween(0.0, 1.0);
            assertThat(r.number("cov@2")).isGreaterThanOrEqualTo(r.number("cov@16")); // Cov_N falls with N
        }
        // 2 methods x 2 H x 2 seeds x 3 eval points, one step size each.
        assertThat(metrics.rowCount()).isEqualTo(24);
        CsvTable tuning = CsvTable.read(run.dir().resolve("tuning.csv"));
        assertThat(tuning.rowCount()).isEqualTo(2 * 2 * 3 /* mle */ + 2 * 2 * 2 * 3 /* sgd x 2 scales */);
    }

    @Test void sameSeedGivesIdenticalResultsAndResumeRecomputesOnlyMissingCells(@TempDir Path tmp) throws Exception {
        RunFolder first = RunFolder.open(LinearHorizon.NAME, 9, tmp.resolve("a"), false);
        first.writeConfig(tiny());
        LinearHorizon.run(tiny(), first);
        RunFolder second = RunFolder.open(LinearHorizon.NAME, 9, tmp.resolve("b"), false);
        LinearHorizon.run(tiny(), second);
        String a = Files.readString(first.dir().resolve("metrics.csv"));
        assertThat(Files.readString(second.dir().resolve("metrics.csv"))).isEqualTo(a);

        ResumeCheck.interruptAndResume(first.dir(), () -> {
            RunFolder resumed = RunFolder.open(LinearHorizon.NAME, 9, first.dir(), true);
            resumed.writeConfig(tiny()); // the same settings: accepted
            LinearHorizon.run(tiny(), resumed);
        });
    }

    @Test void theStepSizeWithLowestMeanCoverageWinsPerGroup() {
        CsvTable all = new CsvTable(LinearHorizon.header());
        // sgd at H=8: scale 1 has mean Cov_16 0.3, scale 4 has 0.1 -> 4 wins; at H=16 the reverse.
        add(all, "sgd", 8, 1.0, 0.2, 0.4);
        add(all, "sgd", 8, 4.0, 0.1, 0.1);
        add(all, "sgd", 16, 1.0, 0.0, 0.0);
        add(all, "sgd", 16, 4.0, 0.5, 0.5);
        CsvTable chosen = LinearHorizon.chooseStepSizes(all);
        assertThat(chosen.rows()).extracting(r -> r.get("H") + "@" + r.get("eta_scale"))
                .containsExactly("8@4.0", "8@4.0", "16@1.0", "16@1.0");
    }

    private static void add(CsvTable t, String method, int H, double scale, double... covs) {
        long step = 1;
        for (double c : covs) {
            Object[] row = new Object[t.header().size()];
            int i = 0;
            for (Object v : new Object[] {"prop5.1", method, H, 0, scale, step++, 1.0, 2.0, c, c, c, c}) row[i++] = v;
            t.addRow(row);
        }
    }

    @Test void evalPointsAreLogSpacedDistinctAndEndAtTheBudget() {
        assertThat(LinearHorizon.evalPoints(2000, 6)).containsExactly(63, 125, 250, 500, 1000, 2000);
        assertThat(LinearHorizon.evalPoints(3, 5)).containsExactly(1, 2, 3);
    }
}
