package org.covlab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package layers of issue 12: {@code metric} reads records alone (so records made by any framework feed it), and
 * {@code train} holds training alone (evaluation, model x task -> records, lives in {@code eval}).
 */
class LayersTest {
    private static final Path SRC = Path.of("src/main/java/org/covlab");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?org\\.covlab\\.(\\w+)\\.", Pattern.MULTILINE);

    /** "File.java -> package" for each import of one of {@code banned} in package {@code pkg}. */
    private static List<String> imports(String pkg, List<String> banned) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(SRC.resolve(pkg))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                Matcher m = IMPORT.matcher(Files.readString(f));
                while (m.find()) if (banned.contains(m.group(1))) found.add(f.getFileName() + " -> " + m.group(1));
            }
        }
        return found;
    }

    @Test void metricDependsOnRecordsAlone() throws IOException {
        assertThat(Files.isDirectory(SRC.resolve("metric"))).isTrue();
        assertThat(imports("metric", List.of("model", "task", "decode", "train", "eval", "select", "bon", "experiment", "tensor")))
                .as("metric must not import models or tasks").isEmpty();
    }

    @Test void trainDoesNotEvaluate() throws IOException {
        assertThat(imports("train", List.of("eval", "select", "experiment", "cli"))).as("train must not import evaluation").isEmpty();
    }
}
