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
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import org.covlab.io.JsonLine;
import org.covlab.io.JsonLines;
import org.covlab.metric.PassAtK;
import org.covlab.util.InputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code covlab passk}: the unbiased pass@k estimator, averaged over tasks, from samples graded elsewhere. */
@Command(name = "passk", mixinStandardHelpOptions = true,
        description = {"Unbiased pass@k = 1 - C(n-c,k)/C(n,k) (Chen et al. 2021) per task, averaged over tasks, "
                + "from samples graded elsewhere. A k larger than some task's sample count n gives null, "
                + "with a warning on stderr."},
        footer = {"", "FILE is JSONL; the two line forms may be mixed and are summed per task:",
                "  {\"task_id\": \"t1\", \"correct\": true}    one graded sample",
                "  {\"task_id\": \"t1\", \"n\": 20, \"c\": 3}    n samples, c of them correct",
                "", "Examples:",
                "  ./covlab passk --samples examples/samples.jsonl --k 1,2,5",
                "  ./covlab passk --samples examples/samples.jsonl --k 1,10 --json"})
public final class PasskCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--samples", required = true, paramLabel = "FILE", description = "JSONL file of graded samples.")
    Path samples;

    @Option(names = "--k", split = ",", paramLabel = "K", defaultValue = "1,10,100",
            description = "Comma-separated k values, each >= 1 (default: ${DEFAULT-VALUE}).")
    List<Integer> ks;

    @Option(names = "--json", description = "Print JSON {\"pass@1\": ..., ...} instead of a table.")
    boolean json;

    @Override public Integer call() throws Exception {
        List<Integer> kList = new ArrayList<>(new LinkedHashSet<>(ks));
        for (int k : kList) if (k < 1) throw new InputException("option '--k': k must be >= 1, got " + k);
        List<PassAtK.Counts> tasks = readCounts(samples);

        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        Map<Integer, OptionalDouble> passAt = new LinkedHashMap<>();
        for (int k : kList) {
            passAt.put(k, PassAtK.mean(tasks, k));
            long tooFew = tasks.stream().filter(t -> t.n() < k).count();
            if (tooFew > 0) {
                int minN = tasks.stream().mapToInt(PassAtK.Counts::n).min().orElseThrow();
                err.printf("covlab: warning: pass@%d is undefined (null): %d of %d tasks have fewer than %d samples"
                        + " (smallest n = %d)%n", k, tooFew, tasks.size(), k, minN);
            }
        }
        if (json) {
            ObjectNode node = new ObjectMapper().createObjectNode();
            passAt.forEach((k, v) -> {
                if (v.isPresent()) node.put("pass@" + k, v.getAsDouble()); else node.putNull("pass@" + k);
            });
            out.println(node.toPrettyString());
        } else {
            out.printf("n_tasks  %d%n%-8s %s%n", tasks.size(), "k", "pass@k");
            passAt.forEach((k, v) -> out.printf("%-8d %s%n", k,
                    v.isPresent() ? String.format("%.4f", v.getAsDouble()) : "null (k > n for some task)"));
        }
        out.flush();
        err.flush();
        return 0;
    }

    /** Sums n and c per task, in first-seen order. */
    static List<PassAtK.Counts> readCounts(Path file) {
        Map<String, long[]> sums = new LinkedHashMap<>();  // task_id -> {n, c}
        JsonLines.forEach(file, line -> {
            String task = line.string("task_id");
            long[] nc = countsOf(line);
            long[] s = sums.computeIfAbsent(task, t -> new long[2]);
            if (nc[0] > Integer.MAX_VALUE - s[0])  // compared before adding, so nothing wraps
                throw line.error("n", "task '" + task + "' has more than " + Integer.MAX_VALUE + " samples in all (the limit)");
            s[0] += nc[0];
            s[1] += nc[1];
        });
        if (sums.isEmpty()) throw InputException.at(file, 0, null, "no samples");
        List<PassAtK.Counts> out = new ArrayList<>(sums.size());
        sums.forEach((task, s) -> out.add(new PassAtK.Counts(task, (int) s[0], (int) s[1])));
        return out;
    }

    private static long[] countsOf(JsonLine line) {
        boolean counted = line.has("n") || line.has("c");
        if (line.has("correct")) {
            if (counted) throw line.error("correct", "give either 'correct' or 'n' and 'c', not both");
            return new long[] {1, line.bool("correct") ? 1 : 0};
        }
        if (!counted) throw line.error("correct", "is missing (give 'correct', or 'n' and 'c')");
        long n = line.integer("n"), c = line.integer("c");
        if (n < 0) throw line.error("n", "must be >= 0, got " + n);
        if (c < 0) throw line.error("c", "must be >= 0, got " + c);
        if (c > n) throw line.error("c", "c = " + c + " correct exceeds n = " + n + " samples");
        return new long[] {n, c};
    }
}
