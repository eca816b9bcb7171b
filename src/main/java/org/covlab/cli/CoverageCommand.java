package org.covlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.covlab.metric.AnswerCoverage;
import org.covlab.metric.CoverageProfile;
import org.covlab.metric.CoverageSummary;
import org.covlab.metric.Estimate;
import org.covlab.metric.LogRatioRecord;
import org.covlab.metric.PassAtN;
import org.covlab.util.InputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code covlab coverage}: the coverage profile, KL and cross-entropy of log-ratio records made elsewhere. */
@Command(name = "coverage", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Coverage profile Cov_N (Def. 1.1), sequence KL and cross-entropy from per-response "
                + "log-probs made by any framework; with --k, Pass@k; with --by-answer, answer-level coverage (section 7.1).",
                "Cov_N is the mass of responses the model under-covers by a factor N or more "
                + "(logp_data - logp_model >= log N); lower is better. Weights are normalised to sum to 1. "
                + "Intervals are 95%% Wilson intervals on Kish's effective sample size (sum w)^2 / sum w^2."},
        footer = {"", "FILE is JSONL, one line per (prompt, response):",
                "  {\"id\": \"q3\", \"logp_model\": -12.3, \"logp_data\": -10.1,",
                "   \"weight\": 0.5, \"group\": \"G1\", \"prompt_id\": \"q3\", \"answer\": \"42\"}",
                "logp_data, weight, group, prompt_id and answer are optional. Without logp_data",
                "the response is the single correct answer (pi_D(y|x) = 1, so logp_data = 0);",
                "weight defaults to 1, group to \"all\", prompt_id to the id up to its last '/'",
                "(eval's \"G1/x17/y5\" belongs to prompt \"G1/x17\"). Other fields are ignored, so",
                "the file of './covlab task support' with logp_model added is a records file.",
                "", "Examples:",
                "  ./covlab coverage --records examples/records.jsonl --n 2,4,16",
                "  ./covlab coverage --records examples/answers.jsonl --n 2,4 --by-answer",
                "  ./covlab coverage --records examples/records.jsonl --n 2,4.6,100 --json",
                "After './covlab eval' (see './covlab eval --help'), the same KL, Cov_N and Pass@k:",
                "  ./covlab coverage --records runs/tiny-eval/step-000100/records.jsonl --n 2,4,16 --k 1,4,16"})
public final class CoverageCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--records", required = true, paramLabel = "FILE", description = "JSONL file of log-ratio records.")
    Path records;

    @Option(names = "--n", split = ",", paramLabel = "N", defaultValue = "2,4,16",
            description = "Comma-separated thresholds, real numbers >= 1; output keys are as written (default: ${DEFAULT-VALUE}).")
    List<String> ns;

    @Option(names = "--k", split = ",", paramLabel = "K",
            description = "Pass@k for these k (integers >= 1) = E_x[1 - (1 - pi_hat(support|x))^k], pi_hat(support|x) the "
                    + "sum of exp(logp_model) over the prompt's records: for records that list each prompt's support of "
                    + "pi_D once each, as eval's and 'task support''s do.")
    List<Integer> ks;

    @Option(names = "--by-answer",
            description = "Also answer-level coverage Cov^ans_N (section 7.1): the records of a prompt that share an answer "
                    + "are one (their probabilities summed); every line needs an answer. Printed with the bound "
                    + "Cov^ans_N <= 2 Cov_{N/2} (the paper's Cov^ans_N <= Cov_N does not hold in general).")
    boolean byAnswer;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    /** One row of output (the total or a group): response-level figures, Pass@k, answer-level figures and bounds. */
    private record Figures(CoverageSummary responses, double[] pass, CoverageSummary answers, double[] bound) {}

    private static final String TOTAL = "(total)";

    @Override public Integer call() throws Exception {
        List<String> labels = new ArrayList<>(new LinkedHashSet<>(ns.stream().map(String::trim).toList()));
        double[] grid = labels.stream().mapToDouble(CoverageCommand::parseN).toArray();
        int[] kGrid = ks == null ? null : new LinkedHashSet<>(ks).stream().mapToInt(Integer::intValue).toArray();
        if (kGrid != null) for (int k : kGrid) if (k < 1) throw new InputException("option '--k': every k must be >= 1, got " + k);
        Map<String, Figures> rows = figures(RecordsFile.read(records, byAnswer), grid, kGrid);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            FiniteJson numbers = new FiniteJson();
            ObjectNode root = null;
            ObjectNode groups = null;
            for (Map.Entry<String, Figures> e : rows.entrySet()) {
                boolean total = e.getKey().equals(TOTAL);
                ObjectNode node = json(e.getValue(), labels, kGrid, numbers, total ? "" : "groups." + e.getKey() + ".");
                if (total) groups = (root = node).putObject("groups");
                else groups.set(e.getKey(), node);
            }
            out.println(root.toPrettyString());
            numbers.warn(spec.commandLine().getErr());
        } else {
            printTable(out, rows, labels, kGrid);
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

    /** The total, then each group in first-seen order. */
    private Map<String, Figures> figures(List<RecordsFile.Line> lines, double[] grid, int[] kGrid) {
        List<LogRatioRecord> all = RecordsFile.records(lines);
        Function<LogRatioRecord, String> promptOf = RecordsFile.promptOf(lines);
        CoverageSummary summary = CoverageProfile.summarize(all, grid);
        CoverageSummary answers = byAnswer ? CoverageProfile.summarize(AnswerCoverage.answerRecords(all, promptOf, RecordsFile.answerOf(lines)), grid) : null;
        Map<String, List<LogRatioRecord>> byGroup = new LinkedHashMap<>();
        byGroup.put(TOTAL, all);
        for (LogRatioRecord r : all) byGroup.computeIfAbsent(r.group(), g -> new ArrayList<>()).add(r);
        Map<String, Figures> out = new LinkedHashMap<>();
        byGroup.forEach((g, rs) -> {
            boolean total = g.equals(TOTAL);
            double[] bound = null;
            if (byAnswer) {
                CoverageProfile profile = CoverageProfile.of(rs);
                bound = Arrays.stream(grid).map(n -> AnswerCoverage.bound(profile, n)).toArray();
            }
            out.put(g, new Figures(total ? summary : summary.groups().get(g), kGrid == null ? null : PassAtN.overSupport(rs, promptOf, kGrid),
                    answers == null ? null : total ? answers : answers.groups().get(g), bound));
        });
        return out;
    }

    private static ObjectNode json(Figures f, List<String> labels, int[] kGrid, FiniteJson numbers, String path) {
        ObjectNode node = summaryJson(f.responses(), "n_records", labels, numbers, path);
        if (f.pass() != null) {
            ObjectNode pass = node.putObject("pass");
            for (int j = 0; j < kGrid.length; j++) pass.put(Integer.toString(kGrid[j]), f.pass()[j]);
        }
        if (f.answers() != null) {
            ObjectNode answers = summaryJson(f.answers(), "n_answers", labels, numbers, path + "by_answer.");
            node.set("by_answer", answers);
            ObjectNode bound = answers.putObject("bound");
            for (int i = 0; i < labels.size(); i++) bound.put(labels.get(i), f.bound()[i]);
        }
        return node;
    }

    private static ObjectNode summaryJson(CoverageSummary s, String count, List<String> labels, FiniteJson numbers, String path) {
        ObjectNode node = new ObjectMapper().createObjectNode();
        node.put(count, s.nRecords());
        numbers.put(node, "kl", s.kl(), path + "kl");
        numbers.put(node, "cross_entropy", s.crossEntropy(), path + "cross_entropy");
        ObjectNode coverage = node.putObject("coverage");
        for (int i = 0; i < labels.size(); i++) {
            Estimate e = s.coverage().get(i);
            coverage.putObject(labels.get(i)).put("value", e.value()).put("lower", e.lower()).put("upper", e.upper());
        }
        return node;
    }

    private static void printTable(PrintWriter out, Map<String, Figures> rows, List<String> labels, int[] kGrid) {
        int width = Math.max(8, rows.keySet().stream().mapToInt(String::length).max().orElse(0) + 2);
        Figures any = rows.get(TOTAL);
        printSummaries(out, rows, Figures::responses, "records", width, labels, null,
                "Cov_N = mass under-covered by a factor >= N (lower is better), with 95% Wilson interval");
        if (any.pass() != null) {
            out.println();
            out.println("Pass@k = E_x[1 - (1 - pi_hat(support|x))^k] (the records list each prompt's support of pi_D)");
            out.printf("%-10s", "k");
            rows.keySet().forEach(g -> out.printf(" %-14s", g));
            out.println();
            for (int j = 0; j < kGrid.length; j++) {
                out.printf("%-10d", kGrid[j]);
                for (Figures f : rows.values()) out.printf(" %-14.6g", f.pass()[j]);
                out.println();
            }
        }
        if (any.answers() != null) {
            out.println();
            out.println("Answer level (section 7.1): the responses of a prompt with the same answer as one");
            printSummaries(out, rows, Figures::answers, "answers", width, labels, Figures::bound,
                    "Cov^ans_N with 95% Wilson interval, <= its bound Cov_M / (1 - M/N) at M = max(1, N/2)");
        }
    }

    private static void printSummaries(PrintWriter out, Map<String, Figures> rows, Function<Figures, CoverageSummary> which, String count,
                                       int width, List<String> labels, Function<Figures, double[]> bound, String covTitle) {
        out.printf("%-" + width + "s %10s %10s %12s %14s%n", "group", count, "eff. n", "kl", "cross_entropy");
        rows.forEach((g, f) -> {
            CoverageSummary s = which.apply(f);
            out.printf("%-" + width + "s %10d %10.1f %12.6g %14.6g%n", g, s.nRecords(), s.effectiveSampleSize(), s.kl(), s.crossEntropy());
        });
        out.println();
        out.println(covTitle);
        int cell = bound == null ? 26 : 36;
        out.printf("%-10s", "N");
        rows.keySet().forEach(g -> out.printf(" %-" + cell + "s", g));
        out.println();
        for (int i = 0; i < labels.size(); i++) {
            out.printf("%-10s", labels.get(i));
            for (Figures f : rows.values()) {
                Estimate e = which.apply(f).coverage().get(i);
                String text = String.format("%.4f [%.4f, %.4f]", e.value(), e.lower(), e.upper());
                if (bound != null) text += String.format(" <= %.4f", bound.apply(f)[i]);
                out.printf(" %-" + cell + "s", text);
            }
            out.println();
        }
    }
}
