package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.covlab.report.CsvTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BonCommandTest {
    @TempDir Path dir;

    private static final String[] SMALL = {"--model", "linear:bernoulli", "--H", "1", "--prompts", "200", "--N", "1,4,16,64"};

    private static String[] with(String[] base, String... more) {
        String[] out = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, out, base.length, more.length);
        return out;
    }

    private static CliRun bon(String... args) {
        return CliRun.of(with(new String[] {"bon"}, args));
    }

    @Test void jsonIsOneObjectWithExactlyTheSpecKeys() throws Exception {
        CliRun r = bon(with(SMALL, "--json"));
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.fieldNames()).toIterable().containsExactly("N", "success", "success_ci", "exact", "regret_upper", "regret_lower");
        assertThat(json.get("N")).extracting(JsonNode::intValue).containsExactly(1, 4, 16, 64);
        for (String key : List.of("success", "success_ci", "exact", "regret_upper", "regret_lower"))
            assertThat(json.get(key).size()).as(key).isEqualTo(4);
        for (JsonNode ci : json.get("success_ci")) {
            assertThat(ci.size()).isEqualTo(2);
            assertThat(ci.get(0).doubleValue()).isLessThanOrEqualTo(ci.get(1).doubleValue());
        }
        assertThat(json.get("regret_upper").get(0).isNull()).as("Prop. D.6 does not apply at N = 1").isTrue();
        assertThat(json.get("success").get(3).doubleValue()).isGreaterThan(json.get("success").get(0).doubleValue());
        // one object: nothing after it
        assertThat(new ObjectMapper().readTree(r.out()).toString().length()).isGreaterThan(10);
        assertThat(r.out().strip()).endsWith("}").startsWith("{");
    }

    @Test void exactIsNullWhereTheCorrectSetCannotBeListed() throws Exception {
        // prop4.1a: 16 tokens, H = 8, so 16^8 responses: pi_T is Monte Carlo and pi_hat(correct|x) unknown
        CliRun r = bon("--model", "linear:prop4.1a", "--prompts", "20", "--N", "1,2", "--json");
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("exact").isNull()).isTrue();
        assertThat(json.get("regret_lower").size()).isEqualTo(2);
    }

    @Test void tableAndRunFolder() throws Exception {
        Path out = dir.resolve("run");
        CliRun r = bon(with(SMALL, "--out", out.toString()));
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("Best-of-N on bernoulli(H=1)").containsPattern("(?m)^64 +0\\.97").contains("report: ");
        for (String f : List.of("config.json", "results.json", "metrics.csv", "bon_success.png", "bon_success.svg",
                "bon_regret.png", "report.html"))
            assertThat(out.resolve(f)).as(f).isNotEmptyFile();
        CsvTable metrics = CsvTable.read(out.resolve("metrics.csv"));
        assertThat(metrics.rowCount()).isEqualTo(4);
        assertThat(metrics.header()).startsWith("N", "success", "success_lo", "success_hi", "exact", "regret_upper");
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertThat(results.at("/results/curve/N").size()).isEqualTo(4);
        assertThat(Files.readString(out.resolve("report.html"))).contains("Prop. D.6").contains("data:image/png;base64");
        assertThat(bon(with(SMALL, "--out", out.toString())).exit()).as("an existing run is not overwritten").isEqualTo(2);
    }

    @Test void badInputExitsTwoWithOneLine() {
        String[][] cases = {
                {"--model", "linear:bernoulli", "--N", "0"},
                {"--model", "linear:bernoulli", "--N", "1,-4"},
                {"--model", "linear:bernoulli", "--prompts", "0"},
                {"--model", "linear:nope"},
                {"--model", "gpt:small"},
                {"--model", "linear:bernoulli:p=abc"},
                {"--model", "linear:bernoulli:q=1"},
                {"--model", "linear:bernoulli", "--task", "nope"},
                {"--model", "linear:bernoulli", "--task", "fig2"},
                {"--task", "fig2"},
                {"--task", "fig2", "--checkpoint", "model.safetensors"},
                {"--model", "linear:bernoulli", "--train-samples", "-1"},
                {},
        };
        for (String[] c : cases) {
            CliRun r = bon(c);
            assertThat(r.exit()).as("%s: %s", Arrays.toString(c), r.err()).isEqualTo(2);
            assertThat(r.errLines()).as(Arrays.toString(c)).hasSize(1);
            assertThat(r.err()).startsWith("covlab: ");
            assertThat(r.out()).isEmpty();
        }
        assertThat(bon("--task", "fig2", "--checkpoint", "c").err()).contains("c: no such checkpoint folder");
        assertThat(bon("--task", "fig2").err()).contains("need a transformer --checkpoint");
        assertThat(bon("--model", "linear:bernoulli", "--task", "nope").err()).contains("'nope'");
    }

    /** The help ends in examples; each one runs (with --out moved into the temp folder). */
    @Test void helpEndsInRunnableExamples() {
        CliRun help = bon("--help");
        assertThat(help.exit()).isEqualTo(0);
        assertThat(help.err()).as("picocli format warnings").isEmpty();
        List<String> lines = help.out().lines().toList();
        int at = lines.indexOf("Examples:");
        assertThat(at).isPositive();
        List<String> examples = lines.subList(at + 1, lines.size()).stream().filter(l -> !l.isBlank()).toList();
        assertThat(examples).isNotEmpty().allSatisfy(l -> assertThat(l).startsWith("  ./covlab bon "));
        for (String example : examples) {
            if (example.contains("--checkpoint")) continue;   // needs a trained run: TrainingHelpExamplesTest runs it
            List<String> args = new ArrayList<>(Arrays.asList(example.strip().split("\\s+")));
            args.subList(0, 2).clear();  // "./covlab bon"
            int out = args.indexOf("--out");
            if (out >= 0) args.set(out + 1, dir.resolve("example-" + out).toString());
            int p = args.indexOf("--prompts");  // keep the test fast: 64 prompts
            if (p >= 0) args.set(p + 1, "64"); else args.addAll(List.of("--prompts", "64"));
            CliRun r = bon(args.toArray(new String[0]));
            assertThat(r.exit()).as(example + "\n" + r.err()).isEqualTo(0);
        }
    }
}
