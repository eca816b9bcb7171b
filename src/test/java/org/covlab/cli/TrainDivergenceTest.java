package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.covlab.model.Safetensors;
import org.covlab.report.CsvTable;
import org.covlab.report.Json;
import org.covlab.train.Checkpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A learning rate that makes training diverge stops it with exit code 3, and leaves finite checkpoints (probe D8). */
class TrainDivergenceTest {
    @TempDir Path dir;

    private CliRun train(Path out, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("train", "--task", "fig2", "--H", "8", "--layers", "2", "--heads", "2",
                "--dmodel", "32", "--batch", "16", "--steps", "30", "--checkpoint-every", "3", "--threads", "1", "--out", out.toString()));
        a.addAll(List.of(extra));
        return CliRun.of(a.toArray(String[]::new));
    }

    @Test void hugeLearningRatesStopWithExitCode3AndFiniteCheckpoints() {
        for (String[] lr : List.of(new String[] {"--lr", "1e6"}, new String[] {"--optimizer", "sign", "--lr", "1e30"},
                new String[] {"--optimizer", "normalized", "--lr", "1e6"})) {
            Path out = dir.resolve(String.join("", lr).replace("-", ""));
            CliRun r = train(out, lr);
            String what = String.join(" ", lr);
            assertThat(r.exit()).as(what + ": " + r.err()).isEqualTo(3);
            List<String> errors = r.err().lines().filter(l -> l.startsWith("covlab:")).toList();
            assertThat(errors).as(what).hasSize(1);
            assertThat(errors.get(0)).as(what).startsWith("covlab: training diverged at step ")
                    .contains("; lower --lr and train into a new --out; the newest checkpoint, " + out.resolve("checkpoints"))
                    .endsWith(", is the last finite one").doesNotContain("Exception");
            List<Checkpoints.Entry> ckpts = Checkpoints.list(out.resolve("checkpoints"));
            Path newest = ckpts.get(ckpts.size() - 1).dir();
            assertThat(errors.get(0)).contains(newest.toString());
            for (String f : List.of("model.safetensors", "optimizer.safetensors"))
                Safetensors.read(newest.resolve(f)).tensors().forEach((name, t) -> {
                    for (float v : t.data()) assertThat(Float.isFinite(v)).as("%s %s %s", what, f, name).isTrue();
                });
            int diverged = Json.readTree(out.resolve("results.json")).at("/results/diverged_at_step").asInt();
            CsvTable metrics = CsvTable.read(out.resolve("metrics.csv"));
            assertThat(metrics.rowCount()).as(what).isEqualTo(diverged - 1);
            for (CsvTable.Row row : metrics.rows()) assertThat(Double.isFinite(row.number("loss"))).as(what).isTrue();
            assertThat(r.out()).isEmpty();
        }
    }

    @Test void resumingADivergedRunDivergesAgainAtTheSameStep() {
        Path out = dir.resolve("again");
        CliRun first = train(out, "--lr", "1e6");
        CliRun again = train(out, "--lr", "1e6", "--resume");
        assertThat(again.exit()).isEqualTo(3);
        String step = first.err().replaceAll("(?s).*diverged at step (\\d+).*", "$1");
        assertThat(again.err()).contains("diverged at step " + step + ":");
    }
}
