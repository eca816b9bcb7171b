package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covlab.eval.ExactEval;
import org.covlab.model.Gpt;
import org.covlab.report.CsvTable;
import org.covlab.task.Prompt;
import org.covlab.task.WeightedResponse;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;
import org.covlab.tensor.Parallel;
import org.covlab.train.Checkpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCommandTest {

    static final double[] NS = {2, 4, 16};
    static final int[] KS = {1, 4};
    static final int PROMPTS = 3;

    @TempDir static Path dir;
    static Path run, eval;

    @BeforeAll static void trainAndEvaluate() {
        run = TinyTraining.run(dir.resolve("tiny"));
        eval = dir.resolve("eval");
        CliRun r = CliRun.of("eval", "--checkpoints", run.toString(), "--prompts", Integer.toString(PROMPTS), "--n", "2,4,16",
                "--k", "1,4", "--out", eval.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("cov@16").contains("pass@4");
    }

    /**
     * Every figure of metrics.csv against a brute-force computation: for each class, each prompt and each response of
     * the support, log pi_hat(y|x) token by token from nextTokenLogProbs (one forward per token, not the batched
     * scorer), then the class means and the mu~-weighted mixture, Pass@k as 1 - (1 - sum_y pi_hat(y|x))^k.
     */
    @Test void metricsMatchBruteForce() {
        GraphTask task = GraphTasks.byName("fig2", 8);
        CsvTable metrics = CsvTable.read(eval.resolve("metrics.csv"));
        double worst = 0;
        int compared = 0;
        for (int step : new int[] {0, 50, 100}) {
            Gpt model = Checkpoint.read(run.resolve("checkpoints/" + Checkpoint.folderName(step))).loadModel(Parallel.SERIAL);
            Map<String, double[]> byClass = new LinkedHashMap<>();   // ce, kl, cov@N..., pass@k...
            for (Map.Entry<String, List<Prompt>> e : ExactEval.validationPrompts(task, PROMPTS, 1).entrySet()) {
                double[] f = new double[2 + NS.length + KS.length];
                for (Prompt x : e.getValue()) {
                    double mass = 0;
                    for (WeightedResponse y : task.support(x).orElseThrow()) {
                        double lp = 0;
                        int[] ys = y.tokens();
                        for (int h = 0; h < ys.length; h++) lp += model.nextTokenLogProbs(x.tokens(), Arrays.copyOf(ys, h))[ys[h]];
                        double w = Math.exp(y.logProb()) / PROMPTS;
                        f[0] += w * -lp;
                        f[1] += w * (y.logProb() - lp);
                        for (int i = 0; i < NS.length; i++) if (y.logProb() - lp >= Math.log(NS[i])) f[2 + i] += w;
                        mass += Math.exp(lp);
                    }
                    for (int j = 0; j < KS.length; j++) f[2 + NS.length + j] += (1 - Math.pow(1 - mass, KS[j])) / PROMPTS;
                }
                byClass.put(e.getKey(), f);
            }
            double[] mixed = new double[2 + NS.length + KS.length];
            byClass.forEach((g, f) -> {
                for (int i = 0; i < f.length; i++) mixed[i] += task.groupWeights().get(g) * f[i];
            });
            byClass.put(ExactEval.MIXED, mixed);
            for (CsvTable.Row row : metrics.rows()) {
                if (row.integer("step") != step) continue;
                double[] f = byClass.get(row.get("group"));
                double[] got = new double[f.length];
                got[0] = row.number("cross_entropy");
                got[1] = row.number("kl");
                for (int i = 0; i < NS.length; i++) got[2 + i] = row.number("cov@" + (int) NS[i]);
                for (int j = 0; j < KS.length; j++) got[2 + NS.length + j] = row.number("pass@" + KS[j]);
                for (int i = 0; i < f.length; i++) {
                    double rel = Math.abs(got[i] - f[i]) / Math.max(Math.abs(f[i]), 1e-300);
                    worst = Math.max(worst, Math.abs(got[i] - f[i]) <= 1e-12 ? 0 : rel);
                    compared++;
                }
            }
        }
        System.out.printf("eval vs brute force: %d figures, max relative difference %.3g%n", compared, worst);
        assertThat(compared).isEqualTo(3 * 4 * 7);
        assertThat(worst).isLessThan(1e-4);     // float32 logits, batched vs one sequence per forward
    }

    /** {@code ./covlab coverage --records --k} on a checkpoint's records.jsonl gives eval's KL, CE, Cov_N and Pass@k, mixed and per class. */
    @Test void coverageOnTheRecordsReproducesEval() throws Exception {
        CsvTable metrics = CsvTable.read(eval.resolve("metrics.csv"));
        Path records = eval.resolve("step-000100/records.jsonl");
        assertThat(Files.readAllLines(records)).hasSize(3 * (1 + 1 + 16))
                .allSatisfy(l -> assertThat(new ObjectMapper().readTree(l).fieldNames()).toIterable()
                        .containsExactly("id", "logp_model", "logp_data", "weight", "group"));
        CliRun r = CliRun.of("coverage", "--records", records.toString(), "--n", "2,4,16", "--k", "1,4", "--json");
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        JsonNode json = new ObjectMapper().readTree(r.out());
        double worst = 0;
        int compared = 0;
        for (CsvTable.Row row : metrics.rows()) {
            if (row.integer("step") != 100) continue;
            JsonNode n = row.get("group").equals(ExactEval.MIXED) ? json : json.get("groups").get(row.get("group"));
            worst = Math.max(worst, Math.abs(n.get("kl").asDouble() - row.number("kl")));
            worst = Math.max(worst, Math.abs(n.get("cross_entropy").asDouble() - row.number("cross_entropy")));
            for (String N : new String[] {"2", "4", "16"}) {
                worst = Math.max(worst, Math.abs(n.at("/coverage/" + N + "/value").asDouble() - row.number("cov@" + N)));
            }
            for (String k : new String[] {"1", "4"}) worst = Math.max(worst, Math.abs(n.at("/pass/" + k).asDouble() - row.number("pass@" + k)));
            compared++;
        }
        System.out.printf("coverage --records vs eval's metrics.csv: %d rows, max difference %.3g%n", compared, worst);
        assertThat(compared).isEqualTo(4);
        assertThat(worst).isLessThan(1e-12);
    }

    @Test void writesPlotsReportAndOneRowPerCheckpointAndGroup() {
        CsvTable metrics = CsvTable.read(eval.resolve("metrics.csv"));
        assertThat(metrics.header()).containsExactly("step", "group", "cross_entropy", "kl", "cov@2", "cov@4", "cov@16", "pass@1", "pass@4");
        assertThat(metrics.rows().stream().map(r -> r.integer("step") + ":" + r.get("group")))
                .containsExactly("0:mixed", "0:G1", "0:G2", "0:G3", "50:mixed", "50:G1", "50:G2", "50:G3", "100:mixed", "100:G1", "100:G2", "100:G3");
        for (String f : new String[] {"kl.png", "kl.svg", "coverage.png", "coverage.svg", "coverage_by_class.png", "report.html", "results.json"}) {
            assertThat(eval.resolve(f)).isNotEmptyFile();
        }
        assertThat(metrics.row(8).number("kl")).isLessThan(metrics.row(0).number("kl"));   // training lowered the KL
    }

    /** A checkpoint's own edge order is the default; another is allowed, with one line saying so. */
    @Test void anotherEdgeOrderThanTheCheckpointsIsAllowedWithANote() throws Exception {
        Path step = run.resolve("checkpoints/step-000100");
        assertThat(Files.readString(step.resolve(Checkpoint.CONFIG))).contains("\"edgeOrder\" : \"LAYER\"");
        assertThat(Files.readString(eval.resolve("config.json"))).as("eval's own run: the checkpoints' order").contains("\"edgeOrder\" : \"LAYER\"");
        CliRun r = CliRun.of("eval", "--checkpoints", step.toString(), "--prompts", "1", "--edge-order", "shuffled",
                "--out", dir.resolve("eval-shuffled").toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        assertThat(r.err().lines().filter(l -> l.startsWith("covlab: note:")).toList()).singleElement().asString()
                .contains("trained on prompts with layer edges").contains("list them in shuffled order");
        assertThat(Files.readString(dir.resolve("eval-shuffled/config.json"))).contains("\"edgeOrder\" : \"SHUFFLED\"");
        CliRun bad = CliRun.of("eval", "--checkpoints", step.toString(), "--edge-order", "sorted");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err().strip()).isEqualTo("covlab: --edge-order: unknown order 'sorted'; choose layer or shuffled");
    }
}
