package org.covlab.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.covlab.report.CsvTable;
import org.covlab.report.RunFolder;
import org.covlab.report.Section;
import org.covlab.report.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinearSamplesTest {

    /** Three instances, two horizons, two sample sizes, two seeds: 24 cells in about a second. */
    static LinearSamples.Settings tiny() {
        return new LinearSamples.Settings(List.of("prop3.2", "pivotal", "prop4.1b"), List.of(2, 6), List.of(16, 64), 2, 20_000, 50, 2);
    }

    @Test void metricsCsvHasTheIssuesColumnsAndOneRowPerInstanceHnSeed(@TempDir Path tmp) {
        RunFolder run = RunFolder.open(LinearSamples.NAME, 3, tmp.resolve("run"), false);
        CsvTable metrics = LinearSamples.run(tiny(), run);
        assertThat(CsvTable.read(run.dir().resolve("metrics.csv")).header()).isEqualTo(metrics.header());
        assertThat(metrics.header()).startsWith("instance", "H", "n", "seed", "kl", "cross_entropy", "cov@2", "cov@4", "cov@16", "cov@256");
        Set<String> keys = new HashSet<>();
        for (CsvTable.Row r : metrics.rows()) {
            assertThat(keys.add(r.get("instance") + "|" + r.get("H") + "|" + r.get("n") + "|" + r.get("seed"))).isTrue();
            assertThat(r.get("cov_exact")).isEqualTo("true");
            assertThat(r.number("kl")).isGreaterThanOrEqualTo(0);
            assertThat(r.number("cross_entropy")).isGreaterThanOrEqualTo(r.number("kl"));
            assertThat(r.number("cov@2")).isBetween(0.0, 1.0).isGreaterThanOrEqualTo(r.number("cov@4"));
            assertThat(r.number("cov@4")).isGreaterThanOrEqualTo(r.number("cov@16"));
            assertThat(r.number("cov@16")).isGreaterThanOrEqualTo(r.number("cov@256"));
            // Prop. 3.2 built for n: x = 0 is modelled exactly (phi = 0), so every Cov_N is at most mu(1) = 1/(2n).
            if (r.get("instance").equals("prop3.2")) {
                assertThat(r.number("design_n")).isEqualTo(r.number("n"));
                assertThat(r.number("cov@2")).isLessThanOrEqualTo(1 / (2 * r.number("n")) + 1e-15);
            }
            if (r.get("instance").equals("prop4.1b")) assertThat(r.number("design_n")).isEqualTo(r.number("n") * r.number("H"));
        }
        assertThat(metrics.rowCount()).isEqualTo(3 * 2 * 2 * 2);
    }

    @Test void sameSeedGivesIdenticalResultsAndResumeRecomputesOnlyMissingCells(@TempDir Path tmp) throws Exception {
        ExperimentRun.Outcome first = LinearSamplesRun.run(tiny(), true, 9, tmp.resolve("a"), false);
        LinearSamples.run(tiny(), RunFolder.open(LinearSamples.NAME, 9, tmp.resolve("b"), false));
        String a = Files.readString(first.dir().resolve("metrics.csv"));
        assertThat(Files.readString(tmp.resolve("b/metrics.csv"))).isEqualTo(a);
        assertThat(first.dir().resolve("report.html")).exists();
        assertThat(first.dir().resolve("kl_vs_n_pivotal.png")).exists();
        assertThat(first.dir().resolve("cov16_vs_n_prop3.2.svg")).exists();
        assertThat(first.section().claims()).hasSize(4);

        ResumeCheck.interruptAndResume(first.dir(), () ->
                LinearSamples.run(tiny(), RunFolder.open(LinearSamples.NAME, 9, first.dir(), true)));
    }

    @Test void exponentIsTheLogLogSlopeAndIgnoresZeroMeans() {
        CsvTable t = new CsvTable(LinearSamples.header());
        for (int n : new int[] {16, 64, 256}) {
            add(t, "x", 8, n, 0, 0.3 * 8 / n, 0.5 / n);
            add(t, "x", 8, n, 1, 0.3 * 8 / n, 0.5 / n);
        }
        add(t, "x", 8, 1024, 0, 0.3 * 8 / 1024, 0);
        assertThat(LinearSamplesReport.exponent(t, "x", 8, "kl")).isCloseTo(-1, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(LinearSamplesReport.exponent(t, "x", 8, "cov@16")).isCloseTo(-1, org.assertj.core.data.Offset.offset(1e-12));
    }

    /** The verdicts follow the numbers: H/n KL with 1/n coverage reproduces; coverage growing like H/n does not. */
    @Test void claimsAreComputedFromTheCsv(@TempDir Path tmp) {
        CsvTable good = new CsvTable(LinearSamples.header()), bad = new CsvTable(LinearSamples.header());
        for (int H : new int[] {8, 128})
            for (int n : new int[] {16, 256, 4096}) {
                add(good, "prop3.2", H, n, 0, 0.1 * H / n, 0.3 / n);
                add(bad, "prop3.2", H, n, 0, 0.1 * H / n, Math.min(1, 0.05 * H / Math.sqrt(n)));
            }
        Map<String, Verdict> g = verdicts(LinearSamplesReport.section(good, tmp, Map.of()));
        Map<String, Verdict> b = verdicts(LinearSamplesReport.section(bad, tmp, Map.of()));
        assertThat(g.get("Prop. 3.2")).isEqualTo(Verdict.REPRODUCED);
        assertThat(g.get("Thm 4.1/4.2: Cov_N carries")).isEqualTo(Verdict.REPRODUCED);
        assertThat(g.get("Thm 4.1/4.2: the MLE's Cov_N shrinks")).isEqualTo(Verdict.REPRODUCED);
        assertThat(b.get("Thm 4.1/4.2: Cov_N carries")).isEqualTo(Verdict.NOT_REPRODUCED);
        assertThat(b.get("Thm 4.1/4.2: the MLE's Cov_N shrinks")).isEqualTo(Verdict.PARTLY);
    }

    private static Map<String, Verdict> verdicts(Section s) {
        Map<String, Verdict> out = new java.util.HashMap<>();
        for (Section.Claim c : s.claims())
            for (String k : List.of("Prop. 3.2", "Thm 4.1/4.2: Cov_N carries", "Thm 4.1/4.2: the MLE's Cov_N shrinks"))
                if (c.claim().startsWith(k)) out.put(k, c.verdict());
        return out;
    }

    /** A row with the same Cov_N at every N. */
    private static void add(CsvTable t, String instance, int H, int n, int seed, double kl, double cov) {
        t.addRow(instance, H, n, seed, kl, kl + 1, cov, cov, cov, cov, true, n, 1, 1.0);
    }
}
