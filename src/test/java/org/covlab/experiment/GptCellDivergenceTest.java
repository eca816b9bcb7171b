package org.covlab.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.covlab.model.Safetensors;
import org.covlab.task.graph.EdgeOrder;
import org.covlab.train.DivergedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An experiment whose GPT training diverges stops like train does: DivergedException (exit code 3), finite checkpoints. */
class GptCellDivergenceTest {

    @Test void aDivergingCellStopsTheExperimentNamingTheCell(@TempDir Path tmp) {
        Fig2Horizon.Settings s = new Fig2Horizon.Settings(Scale.DEMO, EdgeOrder.LAYER, List.of(8), List.of(30), 1, 1, 2, 16, 4,
                AdamRecipe.constant(1e6, 0, 0.999, 0), 64, 3, 2, 0);
        assertThatThrownBy(() -> Fig2HorizonRun.run(s, 5, tmp.resolve("a"), false, 1)).isInstanceOf(DivergedException.class)
                .hasMessageContaining(": training diverged at step ").hasMessageEndingWith("(the experiment's --scale sets it)");
        Path cells = tmp.resolve("a/cells");
        try (var found = java.nio.file.Files.walk(cells)) {
            List<Path> models = found.filter(p -> p.getFileName().toString().equals("model.safetensors")).toList();
            assertThat(models).isNotEmpty();
            for (Path m : models)
                Safetensors.read(m).tensors().forEach((name, t) -> {
                    for (float v : t.data()) assertThat(Float.isFinite(v)).as("%s %s", m, name).isTrue();
                });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
