package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.covlab.select.LogProbJsonl;
import org.covlab.select.LogProbTable;
import org.covlab.select.OffsetTournament;
import org.covlab.select.Selection;
import org.covlab.select.SimpleTournament;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzing select's log-prob JSONL reader, 1,000 seeded inputs, the probe's D5 cases first (a sparse 20,000-candidate
 * diagonal, one on-policy line with sample 10^6): exit 0 with the tournaments' choice and scores as a naive oracle
 * computes them from the structured input, or exit 2 with one line, in bounded time and memory.
 */
class LogProbFuzzTest {
    @TempDir static Path dir;
    static final double N = 4, A = 0.1;
    static final Set<String> FIELDS = Set.of("candidate", "id", "logp", "sample_of", "sample");

    static LongStream seeds() {
        return LongStream.range(0, JsonlFuzzTest.CASES);
    }

    @org.junit.jupiter.api.AfterAll static void bothOutcomesAreCommon() {
        FuzzCase.requireBothOutcomes("select", JsonlFuzzTest.CASES);
    }

    private static String name(String prefix, int i, SplittableRandom rng) {
        return rng != null && rng.nextInt(8) == 0 ? Integer.toString(i) : "\"" + prefix + i + "\"";
    }

    private static String logp(SplittableRandom rng) {
        return switch (rng.nextInt(12)) {
            case 0 -> "-Infinity";
            case 1 -> "0";
            case 2 -> "-1e400";
            default -> Double.toString(-rng.nextInt(6) - (rng.nextBoolean() ? 0 : rng.nextDouble()));
        };
    }

    static FuzzLines logprobs(long seed) {
        FuzzLines in = new FuzzLines();
        if (seed == 0) {
            for (int i = 0; i < 20_000; i++) in.line("candidate", "\"c" + i + "\"", "id", "\"x" + i + "\"", "logp", "-1");
            return in;
        }
        if (seed <= 2) {
            int K = seed == 1 ? 3 : 2, n = seed == 1 ? 200 : 3000;
            for (int c = 0; c < K; c++) for (int i = 0; i < n; i++) in.line("candidate", "\"c" + c + "\"", "id", "\"x" + i + "\"", "logp", "-1");
            in.line("candidate", "\"c0\"", "id", "\"x0\"", "sample_of", "\"c1\"", "sample", "1000000", "logp", "-2");
            return in;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int K = 1 + rng.nextInt(4), n = 1 + rng.nextInt(4), M = rng.nextInt(5) < 2 ? 1 + rng.nextInt(2) : 0;
        List<String[]> lines = new ArrayList<>();
        for (int c = 0; c < K; c++) for (int i = 0; i < n; i++) lines.add(new String[] {"candidate", name("c", c, null), "id", name("x", i, null), "logp", logp(rng)});
        for (int f = 0; f < K && M > 0; f++)
            for (int c = 0; c < K; c++)
                for (int i = 0; i < n; i++)
                    for (int s = 0; s < M; s++)
                        lines.add(new String[] {"candidate", name("c", c, null), "id", name("x", i, null), "sample_of", name("c", f, null),
                                "sample", Integer.toString(s), "logp", logp(rng)});
        for (int i = lines.size() - 1; i > 0; i--) java.util.Collections.swap(lines, i, rng.nextInt(i + 1));
        for (String[] l : lines) in.line(l);
        for (int m = rng.nextInt(3); m > 0; m--) in.mutate(rng);
        if (rng.nextInt(10) == 0) {
            in.line("candidate", name("c", 0, rng), "id", name("x", 0, rng), "sample_of", "\"c0\"", "sample", "1000000", "logp", "-1");
            in.mutations.add("an on-policy line with sample 1000000");
        }
        if (rng.nextInt(4) == 0) in.damage(rng);
        return in;
    }

    /** The table select must read from structured lines, or null when it must refuse them. */
    record Table(List<String> cands, List<String> ids, double[][] ll, int M, double[][][] on) {}

    static Table oracle(List<List<String[]>> lines) {
        Map<String, Integer> cands = new LinkedHashMap<>(), ids = new LinkedHashMap<>();
        Map<List<String>, Double> valid = new LinkedHashMap<>(), onPolicy = new LinkedHashMap<>();
        List<Object[]> pending = new ArrayList<>();
        for (List<String[]> f : lines) {
            if (FuzzLines.hasDuplicateKey(f) || f.stream().anyMatch(x -> !FIELDS.contains(x[0]))) return null;
            String cand = nameOf(f, "candidate"), id = nameOf(f, "id");
            JsonNode lp = FuzzLines.value(f, "logp");
            if (cand == null || id == null || lp == null || lp.isNull() || !lp.isNumber()) return null;
            double v = lp.doubleValue();
            if (v != Double.NEGATIVE_INFINITY && !(Double.isFinite(v) && v <= 0)) return null;
            if (FuzzLines.has(f, "sample_of") != FuzzLines.has(f, "sample")) return null;
            if (!FuzzLines.has(f, "sample")) {
                cands.putIfAbsent(cand, cands.size());
                ids.putIfAbsent(id, ids.size());
                if (valid.put(List.of(cand, id), v) != null) return null;
                continue;
            }
            JsonNode s = FuzzLines.value(f, "sample");
            String from = nameOf(f, "sample_of");
            if (!s.isIntegralNumber() || !s.canConvertToLong() || s.longValue() < 0 || s.longValue() > 1_000_000 || from == null) return null;
            pending.add(new Object[] {List.of(from, cand, id, Long.toString(s.longValue())), v, (int) s.longValue()});
        }
        int K = cands.size(), n = ids.size(), M = 0;
        if (valid.isEmpty() || valid.size() != K * n) return null;
        double[][] ll = new double[K][n];
        valid.forEach((k, v) -> ll[cands.get(k.get(0))][ids.get(k.get(1))] = v);
        for (Object[] p : pending) {
            @SuppressWarnings("unchecked") List<String> key = (List<String>) p[0];
            if (!cands.containsKey(key.get(0)) || !cands.containsKey(key.get(1)) || !ids.containsKey(key.get(2))) return null;
            if (onPolicy.put(key, (Double) p[1]) != null) return null;
            M = Math.max(M, (Integer) p[2] + 1);
        }
        if (pending.isEmpty()) return new Table(List.copyOf(cands.keySet()), List.copyOf(ids.keySet()), ll, 0, null);
        if ((double) K * K * n * M != onPolicy.size()) return null;
        double[][][] on = new double[K][K][n * M];
        for (var e : onPolicy.entrySet()) {
            List<String> k = e.getKey();
            on[cands.get(k.get(0))][cands.get(k.get(1))][ids.get(k.get(2)) * M + Integer.parseInt(k.get(3))] = e.getValue();
        }
        return new Table(List.copyOf(cands.keySet()), List.copyOf(ids.keySet()), ll, M, on);
    }

    private static String nameOf(List<String[]> f, String key) {
        JsonNode v = FuzzLines.value(f, key);
        return v == null || v.isNull() || !(v.isTextual() || v.isIntegralNumber()) ? null : v.asText();
    }

    /** Column max of C[k'][k] - gamma2 Con[k'][k], by the obvious loops; con null for the simple tournament. */
    static double[] naiveScores(double[][] ll, double[][][] on, double gamma2) {
        int K = ll.length;
        double[] score = new double[K];
        for (int k = 0; k < K; k++) {
            score[k] = Double.NEGATIVE_INFINITY;
            for (int kp = 0; kp < K; kp++) {
                double payoff = fraction(ll[kp], ll[k]) - (on == null ? 0 : gamma2 * fraction(on[k][kp], on[k][k]));
                score[k] = Math.max(score[k], payoff);
            }
        }
        return score;
    }

    private static double fraction(double[] a, double[] ref) {
        long c = 0;
        for (int j = 0; j < ref.length; j++) if (a[j] - ref[j] >= Math.log(N)) c++;
        return (double) c / ref.length;
    }

    @ParameterizedTest(name = "seed {0}") @MethodSource("seeds") void selectLogprobs(long seed) throws IOException {
        FuzzLines in = logprobs(seed);
        Path f = Files.write(dir.resolve("logprobs.jsonl"), in.bytes());   // rewritten for every case
        Table expected = in.damaged ? null : oracle(in.lines);
        FuzzCase r = FuzzCase.run(seed, in.toString(), () -> {
            LogProbTable t = LogProbJsonl.read(f);
            return new Selection[] {new SimpleTournament(N).select(t), t.onPolicy() == null ? null : new OffsetTournament(N, A).select(t)};
        }).check(in.damaged ? FuzzCase.Expect.EITHER : expected == null ? FuzzCase.Expect.REFUSE : FuzzCase.Expect.ACCEPT,
                JsonlFuzzTest.MAX_BYTES + 300L * Files.size(f)).count("select");
        if (!r.accepted() || expected == null) return;
        Selection[] got = (Selection[]) r.result();
        assertThat(got[0].candidates()).as("seed %d: %s", seed, in).isEqualTo(expected.cands());
        assertThat(got[0].scores()).as("seed %d: tournament scores: %s", seed, in).containsExactly(naiveScores(expected.ll(), null, 0));
        assertThat(got[1] == null).as("seed %d: on-policy lines: %s", seed, in).isEqualTo(expected.on() == null);
        if (got[1] != null)
            assertThat(got[1].scores()).as("seed %d: offset scores: %s", seed, in).containsExactly(naiveScores(expected.ll(), expected.on(), 2 * Math.pow(N, A)));
    }
}
