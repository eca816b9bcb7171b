package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.covlab.bon.BestOfNRun;
import org.covlab.experiment.LinearHorizon;
import org.covlab.experiment.LinearHorizonRun;
import org.covlab.report.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {

    @Test void rebuildsAnExperimentsReportAndPlotsFromItsFilesAlone(@TempDir Path tmp) throws Exception {
        var s = new LinearHorizon.Settings(List.of("prop5.1"), List.of(4, 8), List.of("mle", "sgd", "normalized-sgd"), 1, 64, 3,
                List.of(1.0), 20, 8, 2);
        Path dir = tmp.resolve("lh");
        var outcome = LinearHorizonRun.run(s, true, 3, dir, false);
        String claims = Json.toJson(outcome.section().claims());
        Files.delete(dir.resolve("report.html"));
        Files.delete(dir.resolve("kl_vs_H_prop5.1.png"));

        CliRun r = CliRun.of("report", dir.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(dir.resolve("report.html")).exists();
        assertThat(dir.resolve("kl_vs_H_prop5.1.png")).exists();
        assertThat(Files.readString(dir.resolve("report.html"))).contains("Linear testbed: KL and coverage as the horizon H grows");
        assertThat(Json.toJson(LinearHorizonRun.rebuild(dir).claims())).isEqualTo(claims);
    }

    @Test void bestOfNFolderReadsBackToTheSameCurve(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("bon");
        CliRun run = CliRun.of("bon", "--model", "linear:pivotal:rule=0.2", "--H", "4", "--N", "1,4,16", "--prompts", "64",
                "--out", dir.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        String saved = Json.toJson(BestOfNRun.read(dir).json());
        CliRun again = CliRun.of("bon", "--model", "linear:pivotal:rule=0.2", "--H", "4", "--N", "1,4,16", "--prompts", "64", "--json");
        assertThat(Json.mapper().readTree(saved)).isEqualTo(Json.mapper().readTree(again.out()));
        assertThat(CliRun.of("report", dir.toString()).exit()).isZero();
    }

    @Test void aFolderThatIsNotARunIsOneLineAndExitCode2(@TempDir Path tmp) {
        CliRun r = CliRun.of("report", tmp.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("not a finished covlab run folder");
    }
}
