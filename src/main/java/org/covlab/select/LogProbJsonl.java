package org.covlab.select;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.covlab.io.JsonLines;
import org.covlab.util.AtomicFiles;
import org.covlab.util.Heap;
import org.covlab.util.InputException;

/**
 * Reads (and writes) a {@link LogProbTable} as JSONL, one object per line (blank lines are skipped):
 * <ul>
 *   <li>validation line: {@code {"candidate": "ckpt-100", "id": "x17", "logp": -12.3}} is
 *       log pi_candidate(y_id | x_id) for the validation pair "id" drawn from pi_D;</li>
 *   <li>on-policy line (offset tournament only):
 *       {@code {"candidate": "ckpt-200", "id": "x17", "sample_of": "ckpt-100", "sample": 3, "logp": -4.2}} is
 *       log pi_candidate(y | x_id) for the sample y number 3 (numbered 0..M-1) drawn from pi_sample_of(.|x_id).</li>
 * </ul>
 * Candidates and ids come from the validation lines, in order of first appearance. Every (candidate, id)
 * must appear exactly once; with on-policy lines, every (candidate, id, sample_of, sample) for samples
 * 0..M-1 must too. logp is a number <= 0, or -Infinity for zero probability (as Python's json writes it).
 * Anything else is an {@link InputException} naming file, line and field (line 0: the file as a whole); lines
 * are parsed by {@link JsonLines}.
 */
public final class LogProbJsonl {
    private LogProbJsonl() {}

    private static final Set<String> FIELDS = Set.of("candidate", "id", "logp", "sample_of", "sample");
    private static final ObjectMapper JSON = new ObjectMapper();  // quotes names on output

    /** Cells in file order, before the candidates and ids are all known. */
    private static final class Cells {
        int size;
        int[] cand = new int[1024], id = new int[1024], from = new int[1024], sample = new int[1024];
        long[] line = new long[1024];
        double[] logp = new double[1024];

        void add(int c, int i, int f, int s, long ln, double v) {
            if (size == cand.length) {
                int cap = 2 * size;
                cand = Arrays.copyOf(cand, cap); id = Arrays.copyOf(id, cap); from = Arrays.copyOf(from, cap);
                sample = Arrays.copyOf(sample, cap); line = Arrays.copyOf(line, cap); logp = Arrays.copyOf(logp, cap);
            }
            cand[size] = c; id[size] = i; from[size] = f; sample[size] = s; line[size] = ln; logp[size] = v;
            size++;
        }
    }

    public static LogProbTable read(Path file) {
        Map<String, Integer> cands = new LinkedHashMap<>(), ids = new LinkedHashMap<>();
        Cells data = new Cells(), onPolicy = new Cells();
        // Unknown names in on-policy lines are resolved after the whole file is read: keep them by line.
        List<String[]> pending = new ArrayList<>();
        JsonLines.forEach(file, line -> {
            for (Iterator<String> it = line.node().fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!FIELDS.contains(f))
                    throw line.error(f, "unknown field (expected candidate, id, logp, and sample_of and sample on on-policy lines)");
            }
            String cand = line.name("candidate"), id = line.name("id");
            double v = line.logProbOrZeroMass("logp");
            boolean hasFrom = line.has("sample_of"), hasSample = line.has("sample");
            if (hasFrom != hasSample)
                throw line.error(hasFrom ? "sample" : "sample_of", "is missing (on-policy lines need both sample_of and sample)");
            if (!hasFrom) {
                data.add(cands.computeIfAbsent(cand, c -> cands.size()), ids.computeIfAbsent(id, c -> ids.size()), 0, 0, line.number(), v);
            } else {
                long s = line.integer("sample");
                if (s < 0 || s > 1_000_000) throw line.error("sample", "must be in 0..1000000, got " + s);
                pending.add(new String[] {cand, id, line.name("sample_of")});
                onPolicy.add(0, 0, 0, (int) s, line.number(), v);
            }
        });
        if (data.size == 0) throw InputException.at(file, 0, "logp", "no validation lines (candidate, id, logp)");
        int K = cands.size(), n = ids.size();
        // Every cell needs its own line, so a table larger than the lines read has a hole: found without allocating it.
        if ((long) K * n > data.size) throw holeOrDuplicate(file, data, K, n, 0, cands, ids);
        Heap.require("select: a table of " + K + " candidates x " + n + " ids", 16.0 * K * n, "use fewer candidates or ids");
        double[][] ll = fill(file, data, K, n, cands, ids);
        if (onPolicy.size == 0) return new LogProbTable(List.copyOf(cands.keySet()), List.copyOf(ids.keySet()), ll, null);

        int M = 0;
        for (int r = 0; r < onPolicy.size; r++) {
            String[] p = pending.get(r);
            long ln = onPolicy.line[r];
            onPolicy.cand[r] = known(file, ln, "candidate", p[0], cands);
            onPolicy.id[r] = known(file, ln, "id", p[1], ids);
            onPolicy.from[r] = known(file, ln, "sample_of", p[2], cands);
            M = Math.max(M, onPolicy.sample[r] + 1);
        }
        if ((double) K * K * n * M > onPolicy.size) throw holeOrDuplicate(file, onPolicy, K, n, M, cands, ids);
        Heap.require("select: on-policy tables of " + K + " x " + K + " candidates x " + n + " ids x " + M + " samples",
                16.0 * K * K * n * M, "use fewer candidates, ids or samples");
        double[][][] samples = new double[K][][];
        for (int f = 0; f < K; f++) samples[f] = new double[K][n * M];
        fillOnPolicy(file, onPolicy, samples, M, cands, ids);
        return new LogProbTable(List.copyOf(cands.keySet()), List.copyOf(ids.keySet()), ll, new OnPolicyLogProbs(M, samples));
    }

    /** Validation cells into a (K, n) table; every cell exactly once. */
    private static double[][] fill(Path file, Cells c, int K, int n, Map<String, Integer> cands, Map<String, Integer> ids) {
        double[][] t = new double[K][n];
        long[][] seen = new long[K][n];
        for (int r = 0; r < c.size; r++) {
            long prev = seen[c.cand[r]][c.id[r]];
            if (prev != 0) throw InputException.at(file, c.line[r], "id", "duplicate of line " + prev + " (same candidate and id)");
            seen[c.cand[r]][c.id[r]] = c.line[r];
            t[c.cand[r]][c.id[r]] = c.logp[r];
        }
        for (int k = 0; k < K; k++)
            for (int i = 0; i < n; i++)
                if (seen[k][i] == 0)
                    throw InputException.at(file, 0, "logp", "no line for candidate '" + name(cands, k) + "', id '" + name(ids, i) + "'");
        return t;
    }

    /** On-policy cells into (K sampling, K scoring, n*M); every cell exactly once. */
    private static void fillOnPolicy(Path file, Cells c, double[][][] t, int M, Map<String, Integer> cands, Map<String, Integer> ids) {
        int K = t.length, n = t[0][0].length / M;
        long[][][] seen = new long[K][K][n * M];
        for (int r = 0; r < c.size; r++) {
            int j = c.id[r] * M + c.sample[r];
            long prev = seen[c.from[r]][c.cand[r]][j];
            if (prev != 0) throw InputException.at(file, c.line[r], "sample", "duplicate of line " + prev + " (same candidate, id, sample_of and sample)");
            seen[c.from[r]][c.cand[r]][j] = c.line[r];
            t[c.from[r]][c.cand[r]][j] = c.logp[r];
        }
        for (int f = 0; f < K; f++)
            for (int k = 0; k < K; k++)
                for (int j = 0; j < n * M; j++)
                    if (seen[f][k][j] == 0)
                        throw InputException.at(file, 0, "logp", "no on-policy line for candidate '" + name(cands, k)
                                + "', id '" + name(ids, j / M) + "', sample_of '" + name(cands, f) + "', sample " + j % M
                                + " (samples are numbered 0.." + (M - 1) + " for every candidate and id)");
    }

    /** A cell of the on-policy table (sample_of, candidate, id, sample), or of the validation table (0, candidate, id, 0). */
    private record Cell(int from, int cand, int id, int sample) implements Comparable<Cell> {
        @Override public int compareTo(Cell o) {
            int d = Integer.compare(from, o.from);
            if (d == 0) d = Integer.compare(cand, o.cand);
            if (d == 0) d = Integer.compare(id, o.id);
            return d != 0 ? d : Integer.compare(sample, o.sample);
        }
    }

    /**
     * The error for cells that cannot fill their table because there are fewer lines than cells: the first duplicate
     * line if there is one, else the first missing cell in table order; the errors {@link #fill} and
     * {@link #fillOnPolicy} give. Memory and time grow with the lines, not with the table (K x n, or K x K x n x M
     * when {@code M > 0}).
     */
    private static InputException holeOrDuplicate(Path file, Cells c, int K, int n, int M, Map<String, Integer> cands,
                                                  Map<String, Integer> ids) {
        boolean onPolicy = M > 0;
        Map<Cell, Long> firstLine = new HashMap<>();
        for (int r = 0; r < c.size; r++) {
            Cell cell = onPolicy ? new Cell(c.from[r], c.cand[r], c.id[r], c.sample[r]) : new Cell(0, c.cand[r], c.id[r], 0);
            Long prev = firstLine.putIfAbsent(cell, c.line[r]);
            if (prev == null) continue;
            return onPolicy ? InputException.at(file, c.line[r], "sample", "duplicate of line " + prev + " (same candidate, id, sample_of and sample)")
                    : InputException.at(file, c.line[r], "id", "duplicate of line " + prev + " (same candidate and id)");
        }
        Cell[] sorted = firstLine.keySet().toArray(new Cell[0]);
        Arrays.sort(sorted);
        int[] radix = {onPolicy ? K : 1, K, n, onPolicy ? M : 1}, next = new int[4];  // the next cell in table order
        for (Cell cell : sorted) {
            if (!cell.equals(new Cell(next[0], next[1], next[2], next[3]))) break;
            for (int d = 3; d >= 0 && ++next[d] == radix[d]; d--) next[d] = 0;
        }
        if (!onPolicy) return InputException.at(file, 0, "logp", "no line for candidate '" + name(cands, next[1]) + "', id '" + name(ids, next[2]) + "'");
        return InputException.at(file, 0, "logp", "no on-policy line for candidate '" + name(cands, next[1]) + "', id '" + name(ids, next[2])
                + "', sample_of '" + name(cands, next[0]) + "', sample " + next[3] + " (samples are numbered 0.." + (M - 1) + " for every candidate and id)");
    }

    /**
     * Writes the table in the format {@link #read} reads (validation lines, then on-policy lines), so a run can
     * hand its log-probs to {@code covlab select}. Values are written exactly (shortest round-trip decimal;
     * -Infinity bare, as Python's json does).
     */
    public static void write(Path file, LogProbTable t) {
        AtomicFiles.write(file, raw -> {
            Writer out = new BufferedWriter(new OutputStreamWriter(raw, StandardCharsets.UTF_8), 1 << 16);
            String[] c = t.candidates().stream().map(LogProbJsonl::quote).toArray(String[]::new);
            String[] id = t.ids().stream().map(LogProbJsonl::quote).toArray(String[]::new);
            for (int k = 0; k < t.K(); k++)
                for (int i = 0; i < t.n(); i++)
                    out.write("{\"candidate\": " + c[k] + ", \"id\": " + id[i] + ", \"logp\": " + t.logp()[k][i] + "}\n");
            if (t.onPolicy() != null) {
                int M = t.onPolicy().samplesPerPrompt();
                for (int f = 0; f < t.K(); f++)
                    for (int k = 0; k < t.K(); k++)
                        for (int j = 0; j < t.n() * M; j++)
                            out.write("{\"candidate\": " + c[k] + ", \"id\": " + id[j / M] + ", \"sample_of\": " + c[f]
                                    + ", \"sample\": " + j % M + ", \"logp\": " + t.onPolicy().logp()[f][k][j] + "}\n");
            }
            out.flush();
        });
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int known(Path file, long ln, String field, String name, Map<String, Integer> names) {
        Integer k = names.get(name);
        if (k == null)
            throw InputException.at(file, ln, field, "'" + name + "' has no validation lines (candidate, id, logp)");
        return k;
    }

    private static String name(Map<String, Integer> names, int index) {
        return names.keySet().stream().skip(index).findFirst().orElseThrow();
    }
}
