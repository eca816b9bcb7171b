package org.covlab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.covlab.util.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFolderTest {

    record Config(String task, int steps, double lr, List<Integer> horizons) {}

    private static final Config CONFIG = new Config("fig2", 100, 3e-4, List.of(8, 16, 24));

    @Test
    void defaultFolderIsNamedAfterTheRunAndTheTimeAndNeverReused(@TempDir Path runs) {
        RunFolder a = RunFolder.open("fig2-horizon", 1, null, false, runs);
        RunFolder b = RunFolder.open("fig2-horizon", 1, null, false, runs);
        assertThat(a.dir().getParent()).isEqualTo(runs);
        assertThat(a.dir().getFileName().toString()).matches("fig2-horizon-\\d{8}-\\d{6}");
        assertThat(b.dir()).isNotEqualTo(a.dir()); // same second: "-2" suffix
        assertThat(a.dir()).isDirectory();
        assertThat(b.dir()).isDirectory();
    }

    @Test
    void refusesToWriteIntoAUsersFolder(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("mine");
        Files.createDirectory(out);
        Files.writeString(out.resolve("notes.txt"), "precious");
        assertThatThrownBy(() -> RunFolder.open("x", 1, out, false))
                .isInstanceOf(InputException.class).hasMessage(out + ": exists and is not empty; pass --resume to continue that run, or choose another --out");
        assertThatThrownBy(() -> RunFolder.open("x", 1, out, true))
                .isInstanceOf(InputException.class).hasMessageContaining("is not a covlab run folder (no config.json)");
        Path file = tmp.resolve("file");
        Files.writeString(file, "x");
        assertThatThrownBy(() -> RunFolder.open("x", 1, file, false)).isInstanceOf(InputException.class).hasMessage(file + ": is a file, not a folder");
        assertThat(Files.readString(out.resolve("notes.txt"))).isEqualTo("precious");
        try (var s = Files.list(out)) {
            assertThat(s.count()).isEqualTo(1);
        }
        Path empty = tmp.resolve("empty");
        Files.createDirectory(empty);
        assertThat(RunFolder.open("x", 1, empty, false).resumed()).isFalse(); // an empty folder is fine
    }

    @Test
    void resultsHoldSeedGitVersionTimesTimingsAndResults(@TempDir Path tmp) throws Exception {
        RunFolder run = RunFolder.open("linear-horizon", 42, tmp.resolve("r"), false);
        run.writeConfig(CONFIG);
        for (int i = 0; i < 2; i++) {
            try (var p = run.phase("train")) {
                Thread.sleep(30);
            }
        }
        try (var p = run.phase("eval")) {
            Thread.sleep(10);
        }
        run.put("kl_slope", 0.25);
        run.put("verdict", Map.of("kl_grows", true));
        RunFolder.Results snapshot = run.writeResults();
        assertThat(snapshot.finished()).isNull();
        run.finish();

        JsonNode r = Json.readTree(run.dir().resolve("results.json"));
        System.out.println("results.json: " + r);
        assertThat(r.get("seed").asLong()).isEqualTo(42);
        assertThat(r.get("gitHash").asText()).isEqualTo(gitHead());
        assertThat(r.get("covlabVersion").asText()).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(r.get("started").asText()).isNotEmpty();
        assertThat(r.get("finished").asText()).isGreaterThanOrEqualTo(r.get("started").asText());
        assertThat(r.get("timingsSeconds").get("train").asDouble()).isGreaterThanOrEqualTo(0.06); // two phases summed
        assertThat(r.get("timingsSeconds").get("eval").asDouble()).isBetween(0.01, 5.0);
        assertThat(r.get("wallSeconds").asDouble()).isGreaterThanOrEqualTo(0.07);
        assertThat(r.get("results").get("kl_slope").asDouble()).isEqualTo(0.25);
        assertThat(r.get("results").get("verdict").get("kl_grows").asBoolean()).isTrue();
        assertThat(Json.readFile(run.dir().resolve("config.json"), Config.class)).isEqualTo(CONFIG);
    }

    private static String gitHead() throws Exception {
        Process p = new ProcessBuilder("git", "rev-parse", "HEAD").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).as("the tests run inside a git checkout").isZero();
        return out;
    }

    @Test
    void gitHashIsUnknownOutsideACheckout(@TempDir Path notARepo) {
        assertThat(RunFolder.GitInfo.lookUp(notARepo)).isEqualTo(new RunFolder.GitInfo("unknown", null));
    }

    @Test
    void resumeContinuesTheSameRunAndRefusesOtherSettings(@TempDir Path tmp) {
        Path out = tmp.resolve("r");
        RunFolder first = RunFolder.open("fig1-selection", 7, out, false);
        first.writeConfig(CONFIG);
        try (var p = first.phase("pretrain")) {
            first.put("cells_done", 3);
        }
        first.writeResults(); // interrupted here

        RunFolder again = RunFolder.open("fig1-selection", 7, out, true);
        assertThat(again.resumed()).isTrue();
        again.writeConfig(CONFIG); // same settings: accepted, file untouched
        assertThatThrownBy(() -> again.writeConfig(new Config("fig2", 200, 3e-4, List.of(8, 16, 24))))
                .isInstanceOf(InputException.class)
                .hasMessage(out.resolve("config.json") + ": field 'steps': the run was started with 100, this invocation asks for 200;"
                        + " resume with the same settings, or choose another --out");
        RunFolder.Results r = again.finish();
        assertThat(r.resumes()).isEqualTo(1);
        assertThat(r.results()).containsEntry("cells_done", 3);
        assertThat(r.timingsSeconds()).containsKey("pretrain");
        assertThat(r.started()).isEqualTo(first.writeResults().started());

        assertThatThrownBy(() -> RunFolder.open("fig1-selection", 8, out, true))
                .isInstanceOf(InputException.class).hasMessageContaining("field 'seed': the run used seed 7, this one asks for 8");
    }

    @Test
    void resumeWithoutOutPicksTheNewestRunOfThatName(@TempDir Path runs) throws IOException {
        for (String d : List.of("fig2-horizon-20260101-000000", "fig2-horizon-20260101-000000-2", "fig2-horizon-20260101-000000-10",
                "fig2-horizon-20251231-235959", "fig2-horizon-long-20270101-000000")) {
            Files.createDirectories(runs.resolve(d));
            Files.writeString(runs.resolve(d).resolve("config.json"), "{}");
        }
        RunFolder r = RunFolder.open("fig2-horizon", 1, null, true, runs);
        assertThat(r.dir().getFileName().toString()).isEqualTo("fig2-horizon-20260101-000000-10");
        assertThat(r.resumed()).isTrue();
        RunFolder fresh = RunFolder.open("demo", 1, null, true, runs); // nothing to resume: a new folder
        assertThat(fresh.resumed()).isFalse();
        assertThat(fresh.dir().getFileName().toString()).startsWith("demo-");
    }

    @Test
    void filesStayInsideTheFolder(@TempDir Path tmp) {
        RunFolder run = RunFolder.open("x", 1, tmp.resolve("r"), false);
        Path png = run.file("plots/kl.png");
        assertThat(png).isEqualTo(run.dir().resolve("plots/kl.png"));
        assertThat(png.getParent()).isDirectory();
        assertThatThrownBy(() -> run.file("../escape.txt")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> run.file("/etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    }
}
