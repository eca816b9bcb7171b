package org.covlab.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {

    record DemoConfig(String scale, int seeds) {}

    /** A demo-like report: run metadata, three experiments, plots from {@link SampleFigures}. */
    static HtmlReport sample(Path dir) {
        RunFolder run = RunFolder.open("demo", 42, dir.resolve("run"), true); // resume: -Dcovlab.samples reuses the folder
        run.writeConfig(new DemoConfig("small", 2));
        try (var p = run.phase("fig2-horizon")) {
            run.put("kl_slope", 0.05);
        }
        try (var p = run.phase("fig1-selection")) {
            run.put("pass_at_8_tournament", 0.61);
        }
        RunFolder.Results results = run.finish();
        Plot.Files bands = SampleFigures.klBands(run.dir());
        Plot.Files perMethod = SampleFigures.klVsH(run.dir());
        Plot.Files selection = SampleFigures.passVsCoverage(run.dir());
        TextTable ranks = TextTable.withHeader("metric", "Spearman rho with Pass@8", "checkpoints")
                .row("Cov_4", -0.91, 40).row("KL", 0.12, 40).row("cross-entropy", 0.1, 40);
        return HtmlReport.builder("covlab demo: the coverage principle, measured")
                .meta(results)
                .section(Section.builder("fig2-horizon", "Whether KL at convergence grows linearly in the horizon H while Cov_16 does not depend on H (Fig. 2, Thm 4.2).")
                        .claim("KL at convergence grows linearly in H", "slope 0.0500 nats per token, R^2 = 0.98", Verdict.REPRODUCED)
                        .claim("Cov_16 at convergence does not depend on H", "spread 0.012 across H in {8, 16, 24}", Verdict.REPRODUCED)
                        .plot(bands, "KL against iteration: median over 16 seeds with the 1/16-15/16 quantile band")
                        .setting("H", "8, 16, 24").setting("seeds", 16).setting("iterations", 6000).setting("learning rate", 3e-4)
                        .build())
                .section(Section.builder("fig1-selection", "Whether a coverage tournament picks a checkpoint with better Pass@N than min-KL (Fig. 1, Eq. 29).")
                        .claim("The tournament beats min-KL on Pass@8", "0.61 vs 0.58 <small sample>", Verdict.PARTLY)
                        .claim("Coverage dips then worsens while KL keeps falling", "KL fell throughout; Cov_4 did not rise", Verdict.NOT_REPRODUCED)
                        .plot(selection, "Pass@8 against Cov_4, one point per checkpoint; the picks of each method are marked")
                        .table("Rank correlation with Pass@8 across checkpoints", ranks)
                        .note("At this scale fine-tuning is too short for coverage to worsen; see docs/results.md.")
                        .setting("scale", "small").setting("checkpoints", 40)
                        .build())
                .section(Section.builder("linear-horizon", "How KL and coverage grow with H under each training method of the paper (Prop. 3.2, Thm 5.1).")
                        .claim("Constant-step SGD pays H/T; normalized SGD does not", "noisy at 2 seeds", Verdict.INCONCLUSIVE)
                        .plot(perMethod, "KL against H per method (log-log)")
                        .plot(run.dir().resolve("never-written.png"), "a plot the run did not get to")
                        .setting("methods", String.join(", ", SampleFigures.METHODS))
                        .build())
                .build();
    }

    @Test
    void theReportIsSelfContainedWithEveryPlotInlined(@TempDir Path tmp) throws Exception {
        Path dir = PlotTest.out(tmp);
        HtmlReport report = sample(dir);
        Path file = report.write(dir.resolve("report.html"));
        String html = Files.readString(file);

        Matcher refs = Pattern.compile("(?i)\\b(src|href)\\s*=\\s*[\"']?([^\"'\\s>]*)").matcher(html);
        int images = 0;
        while (refs.find()) {
            String target = refs.group(2);
            assertThat(target).as("%s=%s", refs.group(1), target).doesNotStartWithIgnoringCase("http:").doesNotStartWithIgnoringCase("https:")
                    .doesNotStartWith("//");
            if (refs.group(1).equalsIgnoreCase("src")) {
                assertThat(target).startsWith("data:image/png;base64,");
                images++;
            } else {
                assertThat(target).startsWith("#");
            }
        }
        assertThat(images).isEqualTo(3);
        for (String png : List.of("kl_vs_iteration.png", "pass_vs_cov.png", "kl_vs_H.png")) {
            String b64 = Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve("run").resolve(png)));
            assertThat(html).as("%s inlined byte for byte", png).contains(b64);
        }
        assertThat(html).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<link").doesNotContain("@import").doesNotContain("url(");
        assertThat(html).contains("plot not available: ").contains("never-written.png");
        assertThat(html).contains("0.61 vs 0.58 &lt;small sample&gt;").doesNotContain("<small sample>");
        assertThat(html).contains("<a href=\"#fig2-horizon\">", "id=\"fig2-horizon\"", "id=\"linear-horizon\"");
        assertThat(html).contains("class=\"verdict v-reproduced\"", "class=\"verdict v-partly\"", "class=\"verdict v-not-reproduced\"",
                "class=\"verdict v-inconclusive\"");
        assertThat(html).contains("What this tests:", "Settings", "learning rate", "<td>0.0003</td>");
        assertThat(html).contains(">42<", RunFolder.readResults(dir.resolve("run")).gitHash().substring(0, 12), "Time per phase", "fig1-selection");
        assertThat(html).contains("<td class=\"num\">-0.91</td>");
    }

    @Test
    void summaryListsEveryClaimForStdout(@TempDir Path tmp) {
        String text = sample(tmp).summary().render();
        System.out.print(text);
        assertThat(text.lines().filter(l -> l.matches("(reproduced|partly|not reproduced|inconclusive) .*"))).hasSize(5);
        assertThat(text.lines().skip(2)).allMatch(l -> l.matches("(reproduced|partly|not reproduced|inconclusive| ) .*"));
        assertThat(text).contains("fig2-horizon    KL at convergence grows linearly in H", "not reproduced", "inconclusive");
        assertThat(text.lines()).allMatch(l -> l.length() <= HtmlReport.SUMMARY_WIDTH);
    }

    @Test
    void escapesEverythingItWrites() {
        assertThat(HtmlReport.esc("<a href=\"x\">&'")).isEqualTo("&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        String html = HtmlReport.builder("<title>").section(Section.builder("a<b", "tests \"x\"").setting("k&", "<v>").build()).build().html();
        assertThat(html).contains("&lt;title&gt;", "a&lt;b", "tests &quot;x&quot;", "k&amp;", "&lt;v&gt;").doesNotContain("<v>");
    }

    @Test
    void durationsReadNaturally() {
        assertThat(HtmlReport.duration(12.34)).isEqualTo("12.3 s");
        assertThat(HtmlReport.duration(245)).isEqualTo("4 min 05 s");
        assertThat(HtmlReport.duration(3720)).isEqualTo("1 h 02 min");
    }
}
