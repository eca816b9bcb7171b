package org.covlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.covlab.io.JsonLines;
import org.covlab.metric.CoverageProfile;
import org.covlab.metric.CoverageSummary;
import org.covlab.metric.Estimate;
import org.covlab.metric.LogRatioRecord;
import org.covlab.util.InputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code covlab coverage}: the coverage profile, KL and cross-entropy of log-ratio records made elsewhere. */
@Command(name = "coverage", mixinStandardHelpOptions = true,
        description = {"Coverage profile Cov_N (Def. 1.1), sequence KL and cross-entropy from per-response "
                + "log-probs made by any framework.",
                "Cov_N is the mass of responses the model under-covers by a factor N or more "
                + "(logp_data - logp_model >= log N); lower is better. Weights are normalised to sum to 1. "
                + "Intervals are 95%% Wilson intervals on Kish's effective sample size (sum w)^2 / sum w^2."},
        footer = {"", "FILE is JSONL, one line per (prompt, response):",
                "  {\"id\": \"q3\", \"logp_model\": -12.3, \"logp_data\": -10.1,",
                "   \"weight\": 0.5, \"group\": \"G1\"}",
                "logp_data, weight and group are optional. Without logp_data the response is",
                "the single correct answer (pi_D(y|x) = 1, so logp_data = 0); weight defaults",
                "to 1 and group to \"all\".",
                "", "Examples:",
                "  ./covlab coverage --records examples/records.jsonl --n 2,4,16",
                "  ./covlab coverage --records examples/records.jsonl --n 2,4.6,100 --json"})
public final class CoverageCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--records", required = true, paramLabel = "FILE", description = "JSONL file of log-ratio records.")
    Path records;

    @Option(names = "--n", split = ",", paramLabel = "N", defaultValue = "2,4,16",
            description = "Comma-separated thresholds, real numbers >= 1; output keys are as written (default: ${DEFAULT-VALUE}).")
    List<String> ns;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override public Integer call() throws Exception {
        List<String> labels = new ArrayList<>(new LinkedHashSet<>(ns.stream().map(String::trim).toList()));
        double[] grid = labels.stream().mapToDouble(CoverageCommand::parseN).toArray();
        CoverageSummary summary = CoverageProfile.summarize(readRecords(records), grid);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            FiniteJson numbers = new FiniteJson();
            ObjectNode root = figures(summary, labels, numbers, "");
            ObjectNode groups = root.putObject("groups");
            summary.groups().forEach((g, s) -> groups.set(g, figures(s, labels, numbers, "groups." + g + ".")));
            out.println(root.toPrettyString());
            numbers.warn(spec.commandLine().getErr());
        } else {
            printTable(out, summary, labels);
        }
        out.flush();
        return 0;
    }

    private static double parseN(String label) {
        double n;
        try {
            n = Double.parseDouble(label);
        } catch (NumberFormatException e) {
            throw new InputException("option '--n': '" + label + "' is not a number");
        }
        if (!(n >= 1) || Double.isInfinite(n))
            throw new InputException("option '--n': N must be a finite real number >= 1, got '" + label + "'");
        return n;
    }

    /** Reads and validates the records; every group must carry some weight (any finite weights: they are normalised). */
    static List<LogRatioRecord> readRecords(Path file) {
        Map<String, Double> groupWeight = new LinkedHashMap<>();   // the largest weight of each group
        List<LogRatioRecord> out = JsonLines.read(file, line -> {
            String id = line.string("id");
            double logpModel = line.logProb("logp_model");
            double logpData = line.logProb("logp_data", 0.0);
            double weight = line.number("weight", 1.0);
            if (weight < 0) throw line.error("weight", "must be >= 0, got " + weight);
            String group = line.string("group", "all");
            groupWeight.merge(group, weight, Math::max);
            return new LogRatioRecord(id, group, weight, logpData, logpModel);
        });
        if (out.isEmpty()) throw InputException.at(file, 0, null, "no records");
        groupWeight.forEach((g, w) -> {
            if (!(w > 0)) throw InputException.at(file, 0, "weight", "the weights of group '" + g + "' sum to 0.0; some must be > 0");
        });
        return out;
    }

    private static ObjectNode figures(CoverageSummary s, List<String> labels, FiniteJson numbers, String path) {
        ObjectNode node = new ObjectMapper().createObjectNode();
        node.put("n_records", s.nRecords());
        numbers.put(node, "kl", s.kl(), path + "kl");
        numbers.put(node, "cross_entropy", s.crossEntropy(), path + "cross_entropy");
        ObjectNode coverage = node.putObject("coverage");
        for (int i = 0; i < labels.size(); i++) {
            Estimate e = s.coverage().get(i);
            coverage.putObject(labels.get(i)).put("value", e.value()).put("lower", e.lower()).put("upper", e.upper());
        }
        return node;
    }

    private static void printTable(PrintWriter out, CoverageSummary summary, List<String> labels) {
        Map<String, CoverageSummary> rows = new LinkedHashMap<>();
        rows.put("(total)", summary);
        rows.putAll(summary.groups());
        int width = Math.max(8, rows.keySet().stream().mapToInt(String::length).max().orElse(0) + 2);
        out.printf("%-" + width + "s %10s %10s %12s %14s%n", "group", "records", "eff. n", "kl", "cross_entropy");
        rows.forEach((g, s) -> out.printf("%-" + width + "s %10d %10.1f %12.6g %14.6g%n",
                g, s.nRecords(), s.effectiveSampleSize(), s.kl(), s.crossEntropy()));
        out.println();
        out.println("Cov_N = mass under-covered by a factor >= N (lower is better), with 95% Wilson interval");
        out.printf("%-10s", "N");
        rows.keySet().forEach(g -> out.printf(" %-26s", g));
        out.println();
        for (int i = 0; i < labels.size(); i++) {
            out.printf("%-10s", labels.get(i));
            for (CoverageSummary s : rows.values()) {
                Estimate e = s.coverage().get(i);
                out.printf(" %-26s", String.format("%.4f [%.4f, %.4f]", e.value(), e.lower(), e.upper()));
            }
            out.println();
        }
    }
}
