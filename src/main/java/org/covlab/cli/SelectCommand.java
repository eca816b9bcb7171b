package org.covlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.covlab.select.LogProbJsonl;
import org.covlab.select.LogProbTable;
import org.covlab.select.Selection;
import org.covlab.select.Selector;
import org.covlab.task.graph.GraphTask;
import org.covlab.tensor.Parallel;
import org.covlab.eval.CheckpointLogProbs;
import org.covlab.train.Checkpoints;
import org.covlab.eval.EvalRun;
import org.covlab.util.Heap;
import org.covlab.util.InputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code covlab select}: checkpoint selection by coverage tournament (Eq. 29, Eq. 32) or by minimum cross-entropy. */
@Command(name = "select", mixinStandardHelpOptions = true,
        description = {"Pick the candidate (checkpoint) that will do best under Best-of-N, by coverage tournament "
                + "(paper section 6.3) or by minimum validation cross-entropy, from a JSONL of sequence log-probs, or "
                + "from the checkpoints of a training run (--checkpoints DIR).",
                "",
                "Methods (lowest score wins; ties go to the candidate that appears first in the file):",
                "  tournament  Eq. 29: score[k] = max over k' of Cov_N(k' || k) on the validation data",
                "  offset      Eq. 32: score[k] = max over k' of Cov_N(k' || k) - 2 N^a Con(k' || k),",
                "              Con on the on-policy samples of candidate k itself",
                "  min-ce      mean -logp on the validation data (= min-KL up to pi_D's entropy)",
                "",
                "Input (--logprobs), one JSON object per line. Validation lines, one per (candidate, id):",
                "  {\"candidate\": \"ckpt-100\", \"id\": \"x17\", \"logp\": -12.3}",
                "  = log pi_ckpt-100(y|x) for the validation pair x17 drawn from pi_D.",
                "On-policy lines (offset only), one per (candidate, id, sample_of, sample):",
                "  {\"candidate\": \"ckpt-200\", \"id\": \"x17\", \"sample_of\": \"ckpt-100\", \"sample\": 3, \"logp\": -4.2}",
                "  = log pi_ckpt-200(y|x17) for sample 3 (of 0..M-1) drawn from pi_ckpt-100(.|x17).",
                "logp <= 0, or -Infinity for zero probability. A missing or duplicate cell, a NaN or a positive logp",
                "is an error naming the file, line and field (exit code 2).",
                "",
                "--json prints {\"method\", \"chosen\", \"scores\": {candidate: score}, \"win_matrix\": {row: {column:",
                "payoff}}}: score[column] is the maximum of its column. min-ce has no win_matrix. An infinite score",
                "(min-ce, where a candidate gives some example zero probability) is null, with a warning on stderr.",
                ""},
        footer = {"", "Examples (examples/select-logprobs.jsonl: three checkpoints, 10 prompts, 2 samples each):",
                "  ./covlab select --method tournament --logprobs examples/select-logprobs.jsonl --n 4",
                "  ./covlab select --method offset --logprobs examples/select-logprobs.jsonl --n 4 --a 0.1",
                "  ./covlab select --method min-ce --logprobs examples/select-logprobs.jsonl --json",
                "From a training run's checkpoints (after the tiny run of './covlab train --help'):",
                "  ./covlab select --method tournament --checkpoints runs/tiny --n 4 --samples 64"})
public final class SelectCommand implements Runnable {

    /** Up to this many candidates the whole win matrix is printed; beyond, the best rows only. */
    static final int FULL_MATRIX_MAX_K = 12;

    @Spec CommandSpec spec;

    @Option(names = "--method", required = true, paramLabel = "METHOD", description = "tournament, offset or min-ce")
    String method;

    @Option(names = "--logprobs", paramLabel = "FILE", description = "JSONL of sequence log-probs (see above)")
    Path logprobs;

    @Option(names = "--checkpoints", paramLabel = "DIR", description = "instead of --logprobs: the checkpoints of a training run, "
            + "scored on --samples pairs x ~ mu, y ~ pi_D (and, for offset, --on-policy samples of each checkpoint)")
    Path checkpoints;

    @Option(names = "--task", paramLabel = "T", description = "with --checkpoints: the task (default: the checkpoints' own)")
    String task;

    @Mixin EdgeOrderOption edgeOrder;

    @Option(names = "--H", paramLabel = "N", description = "with --checkpoints: its H (default: the checkpoints' own)")
    Integer H;

    @Option(names = "--samples", paramLabel = "n", defaultValue = "1024", description = "with --checkpoints: validation pairs (default ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--on-policy", paramLabel = "M", defaultValue = "4",
            description = "with --checkpoints and --method offset: samples per prompt from each checkpoint (default ${DEFAULT-VALUE})")
    int onPolicy;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "with --checkpoints: seed of the validation pairs and samples (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", paramLabel = "T", description = "with --checkpoints: threads of the GPT (default: all cores; at most 4 per core)")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--n", paramLabel = "N", description = "tail parameter N > 1 of Cov_N (tournament, offset)")
    Double N;

    @Option(names = "--a", paramLabel = "A", description = "offset exponent a >= 0, gamma = N^a (offset only; required there: "
            + "the paper gives no default, Thm 6.4 wants a > 0 and N^(1-2a) >= 8)")
    Double a;

    @Option(names = "--top", paramLabel = "R", defaultValue = "10",
            description = "for more than " + FULL_MATRIX_MAX_K + " candidates, how many of the best to list (default ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--json", description = "one JSON object on stdout instead of tables")
    boolean json;

    @Override public void run() {
        if (!Selector.FROM_LOGPROBS.contains(method))
            throw new InputException("--method: unknown method '" + method + "'; choose one of " + String.join(", ", Selector.FROM_LOGPROBS));
        boolean tournament = !method.equals(Selector.MIN_CE);
        if (tournament && N == null) throw new InputException("--n: required with --method " + method);
        if (N != null && !(N > 1 && N < Double.POSITIVE_INFINITY)) throw new InputException("--n: must be finite and > 1, got " + N);
        if (method.equals(Selector.OFFSET) && a == null) throw new InputException("--a: required with --method offset");
        if (a != null && !(a >= 0 && a < Double.POSITIVE_INFINITY)) throw new InputException("--a: must be finite and >= 0, got " + a);
        if (a != null && N != null && Double.isInfinite(2 * Math.pow(N, a)))
            throw new InputException("--a: the offset 2 N^a = 2 * " + N + "^" + a + " is beyond the double range; use a smaller --a or --n");
        Checks.atLeast("--top", 1, top);
        if ((logprobs == null) == (checkpoints == null)) throw new InputException("give exactly one of --logprobs FILE and --checkpoints DIR");
        LogProbTable table = checkpoints != null ? fromCheckpoints() : fromFile();
        if (method.equals(Selector.OFFSET) && table.onPolicy() == null)
            throw InputException.at(logprobs, 0, "sample_of", "--method offset needs on-policy lines (with sample_of and sample); found none");
        if (tournament) {   // K x K counts and payoffs (twice for offset), and the whole matrix again in --json
            double K = table.K(), perCell = 16 * (method.equals(Selector.OFFSET) ? 2 : 1) + (json ? 250 : 0);
            Heap.require("select: " + table.K() + " candidates (" + table.K() + " x " + table.K() + " win matrices)", perCell * K * K,
                    "use fewer candidates");
        }
        Selection s = Selector.byName(method, N == null ? 2 : N, a == null ? 0 : a).select(table);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            FiniteJson numbers = new FiniteJson();
            out.println(json(s, numbers));
            numbers.warn(spec.commandLine().getErr());
        }
        else printTables(out, s, table);
        out.flush();
    }

    private LogProbTable fromFile() {
        if (!Files.isRegularFile(logprobs)) throw new InputException(logprobs + ": no such file");
        return LogProbJsonl.read(logprobs);
    }

    private LogProbTable fromCheckpoints() {
        Checks.atLeast("--samples", 1, samples);
        if (onPolicy < 1 && method.equals(Selector.OFFSET)) throw new InputException("--on-policy: must be >= 1 with --method offset, got " + onPolicy);
        Checks.threads(threads);
        List<Checkpoints.Entry> entries = EvalRun.find(checkpoints);
        GraphTask graphs = edgeOrder.resolve(task, H, entries.get(0).dir(), spec.commandLine().getErr());
        try (Parallel pool = new Parallel(threads)) {
            return CheckpointLogProbs.table(graphs, entries, samples, method.equals(Selector.OFFSET) ? onPolicy : 0, seed, pool);
        }
    }

    static String json(Selection s, FiniteJson numbers) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode o = mapper.createObjectNode();
        o.put("method", s.method());
        o.put("chosen", s.chosenName());
        ObjectNode scores = o.putObject("scores");
        for (int k = 0; k < s.candidates().size(); k++) numbers.put(scores, s.candidates().get(k), s.scores()[k], "scores." + s.candidates().get(k));
        if (s.winMatrix() != null) {
            ObjectNode w = o.putObject("win_matrix");
            for (int kp = 0; kp < s.candidates().size(); kp++) {
                ObjectNode row = w.putObject(s.candidates().get(kp));
                for (int k = 0; k < s.candidates().size(); k++)
                    numbers.put(row, s.candidates().get(k), s.winMatrix()[kp][k], "win_matrix." + s.candidates().get(kp) + "." + s.candidates().get(k));
            }
        }
        try {
            return mapper.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void printTables(PrintWriter out, Selection s, LogProbTable table) {
        List<String> names = s.candidates();
        int K = names.size();
        String params = method.equals(Selector.MIN_CE) ? "" : ", N = " + N + (method.equals(Selector.OFFSET) ? ", a = " + a : "");
        String onPolicyNote = table.onPolicy() == null ? "" : ", " + table.onPolicy().samplesPerPrompt() + " on-policy samples per prompt";
        out.printf(Locale.ROOT, "method %s%s: %d candidates x %d examples%s (%s)%n", s.method(), params, K, table.n(), onPolicyNote,
                logprobs != null ? logprobs : checkpoints);
        out.printf(Locale.ROOT, "chosen: %s (score %s)%n", s.chosenName(), num(s.scores()[s.chosen()]));
        String what = switch (s.method()) {
            case Selector.TOURNAMENT -> "Cov_N(row || column) on the validation data";
            case Selector.OFFSET -> "Cov_N(row || column) - 2 N^a Con(row || column), Con on the column's samples";
            default -> "mean -logp (cross-entropy, nats)";
        };
        Integer[] order = IntStream.range(0, K).boxed().sorted(Comparator.comparingDouble((Integer k) -> s.scores()[k])
                .thenComparingInt(k -> k)).toArray(Integer[]::new);
        int width = Math.max(8, names.stream().mapToInt(String::length).max().orElse(8)) + 1;
        if (s.winMatrix() != null && K <= FULL_MATRIX_MAX_K) {
            out.println("win matrix: " + what + "; score = column max (lower is better)");
            out.print(pad("", width));
            for (String c : names) out.print(pad(c, width));
            out.println();
            for (int kp = 0; kp < K; kp++) {
                out.print(pad(names.get(kp), width));
                for (int k = 0; k < K; k++) out.print(pad(num(s.winMatrix()[kp][k]), width));
                out.println();
            }
            out.print(pad("score", width));
            for (int k = 0; k < K; k++) out.print(pad(num(s.scores()[k]), width));
            out.println();
            return;
        }
        int shown = K <= FULL_MATRIX_MAX_K ? K : Math.min(top, K);
        out.printf(Locale.ROOT, "scores (%s), best %d of %d%s:%n", s.winMatrix() != null ? "column max of " + what : what,
                shown, K, s.winMatrix() != null ? "; 'worst challenger' is the row that attains the max" : "");
        out.println(pad("rank", 6) + pad("candidate", width) + pad("score", 12) + (s.winMatrix() != null ? "worst challenger" : ""));
        for (int r = 0; r < shown; r++) {
            int k = order[r];
            String challenger = "";
            if (s.winMatrix() != null) {
                int arg = 0;
                for (int kp = 1; kp < K; kp++) if (s.winMatrix()[kp][k] > s.winMatrix()[arg][k]) arg = kp;
                challenger = names.get(arg);
            }
            out.println(pad(Integer.toString(r + 1), 6) + pad(names.get(k), width) + pad(num(s.scores()[k]), 12) + challenger);
        }
        if (shown < K) out.println("(" + (K - shown) + " more; --top R lists more, --json gives every score and the whole matrix)");
    }

    private static String num(double v) {
        return Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf") : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }
}
