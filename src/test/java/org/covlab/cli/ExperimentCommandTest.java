package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExperimentCommandTest {

    @Test void helpEndsInRunnableExamples() {
        for (String[] args : new String[][] {{"experiment", "linear-horizon", "--help"}, {"demo", "--help"},
                {"experiment", "--help"}, {"experiment", "linear-samples", "--help"}, {"experiment", "tournament-vs-mle", "--help"}}) {
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
        assertThat(r.out()).contains("linear-horizon").contains("linear-samples").contains("tournament-vs-mle");
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
