package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExperimentCommandTest {

    @Test void helpEndsInRunnableExamples() {
        for (String[] args : new String[][] {{"experiment", "linear-horizon", "--help"}, {"demo", "--help"},
                {"experiment", "--help"}, {"experiment", "linear-samples", "--help"}, {"experiment", "tournament-vs-mle", "--help"},
                {"experiment", "fig2-horizon", "--help"}, {"experiment", "fig1-selection", "--help"},
                {"experiment", "gpt-interventions", "--help"}}) {
            CliRun r = CliRun.of(args);
            assertThat(r.exit()).isZero();
            assertThat(r.out()).contains("Examples:").contains("./covlab ");
            assertThat(r.out().strip().lines().reduce((a, b) -> b).orElseThrow()).contains("./covlab");
        }
    }

    @Test void badNumbersAreOneLineAndExitCode2() {
        for (String name : new String[] {"linear-horizon", "linear-samples", "tournament-vs-mle"}) {
            CliRun r = CliRun.of("experiment", name, "--quick", "--seeds", "0");
            assertThat(r.exit()).as(name).isEqualTo(2);
            assertThat(r.err()).contains("--seeds must be >= 1");
            assertThat(r.err()).doesNotContain("Exception");
            CliRun t = CliRun.of("experiment", name, "--threads", "0");
            assertThat(t.exit()).as(name).isEqualTo(2);
            assertThat(t.err()).contains("--threads must be >= 1");
        }
    }

    @Test void theExperimentListNamesEveryExperiment() {
        CliRun r = CliRun.of("experiment", "--help");
        assertThat(r.out()).contains("linear-horizon").contains("linear-samples").contains("tournament-vs-mle")
                .contains("fig1-selection").contains("fig2-horizon").contains("gpt-interventions");
    }

    @Test void theGptExperimentsRefuseAnUnknownScaleOrBadNumbersInOneLine() {
        for (String name : new String[] {"fig1-selection", "fig2-horizon", "gpt-interventions"}) {
            CliRun r = CliRun.of("experiment", name, "--scale", "huge");
            assertThat(r.exit()).as(name).isEqualTo(2);
            assertThat(r.errLines()).hasSize(1);
            assertThat(r.err()).contains("--scale").contains("demo, small, paper");
            assertThat(CliRun.of("experiment", name, "--seeds", "0").exit()).isEqualTo(2);
        }
    }

    @Test void gptInterventionsRefusesQuickWithAnotherScale() {
        CliRun r = CliRun.of("experiment", "gpt-interventions", "--quick", "--scale", "small");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("--quick is --scale demo").contains("--scale small");
    }

    @Test void anExistingFolderIsNeverOverwrittenWithoutResume(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path mine = tmp.resolve("mine");
        java.nio.file.Files.createDirectories(mine);
        java.nio.file.Files.writeString(mine.resolve("notes.txt"), "keep me");
        for (String name : new String[] {"linear-horizon", "linear-samples", "tournament-vs-mle"}) {
            CliRun r = CliRun.of("experiment", name, "--quick", "--out", mine.toString());
            assertThat(r.exit()).as(name).isEqualTo(2);
            assertThat(r.errLines()).hasSize(1);
        }
        assertThat(java.nio.file.Files.readString(mine.resolve("notes.txt"))).isEqualTo("keep me");
    }
}
