package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.covlab.metric.CoverageProfile;
import org.covlab.metric.CoverageSummary;
import org.covlab.metric.PassAtK;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzing the JSONL readers of passk (samples) and coverage (records), 1,000 seeded inputs each, the probe's cases
 * first: every input ends in exit 0 with the answer an exact oracle computes from the structured input, or in exit 2
 * with one line; in bounded time and memory (see {@link FuzzCase}). Inputs with byte damage have no oracle: exit 0 or 2.
 * select's reader is fuzzed in {@link LogProbFuzzTest}.
 */
class JsonlFuzzTest {
    @TempDir static Path dir;
    static final int CASES = 1000;
    static final long MAX_BYTES = 64L << 20;
    static final int[] KS = {1, 10, 100};

    static LongStream seeds() {
        return LongStream.range(0, CASES);
    }

    @org.junit.jupiter.api.AfterAll static void bothOutcomesAreCommon() {
        FuzzCase.requireBothOutcomes("passk", CASES);
        FuzzCase.requireBothOutcomes("coverage", CASES);
    }

    /** The input as a file (one per reader, rewritten for every case: the cases run one at a time). */
    private static Path write(String name, long seed, FuzzLines in) throws IOException {
        return Files.write(dir.resolve(name + ".jsonl"), in.bytes());
    }

    /** A random hostile mutation or two, or byte damage, of a valid input; seeds below {@code probe} are left as they are. */
    private static void mutate(FuzzLines in, SplittableRandom rng) {
        for (int m = rng.nextInt(3); m > 0; m--) in.mutate(rng);
        if (rng.nextInt(4) == 0) in.damage(rng);
    }

    // ---- passk --------------------------------------------------------------------------------------------------

    /** The probe's D1 and D2 inputs, then random ones. */
    static FuzzLines samples(long seed) {
        String max = "9223372036854775807";
        FuzzLines in = new FuzzLines();
        switch ((int) Math.min(seed, 4)) {
            case 0 -> in.line("task_id", "\"t\"", "n", "2147483647", "c", "1");
            case 1 -> in.line("task_id", "\"t\"", "n", "1", "c", "1").line("task_id", "\"t\"", "n", max, "c", max);
            case 2 -> in.line("task_id", "\"t\"", "n", "10", "c", "1").line("task_id", "\"t\"", "n", max, "c", "0");
            case 3 -> in.line("task_id", "\"t\"", "n", "5", "c", "5").line("task_id", "\"t\"", "n", max, "c", "0").line("task_id", "\"t\"", "n", max, "c", "0");
            default -> {
                SplittableRandom rng = new SplittableRandom(seed);
                long[] big = {2147483647L, 2147483646L, 1073741824L, 1000000000L, Long.MAX_VALUE};
                for (int l = 1 + rng.nextInt(6); l > 0; l--) {
                    String task = "\"t" + rng.nextInt(3) + "\"";
                    if (rng.nextInt(5) < 2) {
                        in.line("task_id", task, "correct", Boolean.toString(rng.nextBoolean()));
                    } else {
                        long n = rng.nextInt(4) == 0 ? big[rng.nextInt(big.length)] : rng.nextInt(40);
                        long c = switch (rng.nextInt(3)) { case 0 -> n; case 1 -> Math.min(n, 1); default -> (long) (rng.nextDouble() * n); };
                        in.line("task_id", task, "n", Long.toString(n), "c", Long.toString(c));
                    }
                }
                mutate(in, rng);
            }
        }
        return in;
    }

    /** What passk must make of structured lines: task -> {n, c}, or null when it must refuse them. */
    static Map<String, long[]> passkOracle(List<List<String[]>> lines) {
        Map<String, long[]> sums = new LinkedHashMap<>();
        for (List<String[]> f : lines) {
            JsonNode task = FuzzLines.value(f, "task_id");
            if (FuzzLines.hasDuplicateKey(f) || task == null || !task.isTextual()) return null;
            boolean counted = FuzzLines.has(f, "n") || FuzzLines.has(f, "c");
            long n, c;
            if (FuzzLines.has(f, "correct")) {
                JsonNode b = FuzzLines.value(f, "correct");
                if (counted || !b.isBoolean()) return null;
                n = 1;
                c = b.booleanValue() ? 1 : 0;
            } else {
                JsonNode nv = FuzzLines.value(f, "n"), cv = FuzzLines.value(f, "c");
                if (!counted || !exactLong(nv) || !exactLong(cv)) return null;
                n = nv.longValue();
                c = cv.longValue();
                if (n < 0 || c < 0 || c > n) return null;
            }
            long[] s = sums.computeIfAbsent(task.textValue(), t -> new long[2]);
            if (BigInteger.valueOf(s[0]).add(BigInteger.valueOf(n)).compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) > 0) return null;
            s[0] += n;
            s[1] += c;
        }
        return sums.isEmpty() ? null : sums;
    }

    private static boolean exactLong(JsonNode v) {
        return v != null && v.isIntegralNumber() && v.canConvertToLong();
    }

    /** pass@k averaged over tasks, exactly: 1 - prod_{j<k} (n-c-j)/(n-j); NaN when some task has fewer than k samples. */
    static double exactPassAtK(Map<String, long[]> tasks, int k) {
        BigDecimal sum = BigDecimal.ZERO;
        for (long[] t : tasks.values()) {
            long n = t[0], c = t[1];
            if (n < k) return Double.NaN;
            BigInteger num = BigInteger.ONE, den = BigInteger.ONE;
            for (int j = 0; j < k; j++) {
                num = num.multiply(BigInteger.valueOf(Math.max(0, n - c - j)));
                den = den.multiply(BigInteger.valueOf(n - j));
            }
            sum = sum.add(BigDecimal.ONE.subtract(new BigDecimal(num).divide(new BigDecimal(den), MathContext.DECIMAL128)));
        }
        return sum.divide(BigDecimal.valueOf(tasks.size()), MathContext.DECIMAL128).doubleValue();
    }

    @ParameterizedTest(name = "seed {0}") @MethodSource("seeds") void passkSamples(long seed) throws IOException {
        FuzzLines in = samples(seed);
        Path f = write("samples", seed, in);
        Map<String, long[]> expected = in.damaged ? null : passkOracle(in.lines);
        FuzzCase r = FuzzCase.run(seed, in.toString(), () -> {
            List<PassAtK.Counts> tasks = PasskCommand.readCounts(f);
            double[] out = new double[KS.length];
            for (int i = 0; i < KS.length; i++) out[i] = PassAtK.mean(tasks, KS[i]).orElse(Double.NaN);
            return out;
        }).check(in.damaged ? FuzzCase.Expect.EITHER : expected == null ? FuzzCase.Expect.REFUSE : FuzzCase.Expect.ACCEPT, MAX_BYTES).count("passk");
        if (!r.accepted()) return;
        double[] got = (double[]) r.result();
        for (int i = 0; i < KS.length; i++) {
            if (!Double.isNaN(got[i])) assertThat(got[i]).as("seed %d: pass@%d in [0, 1]: %s", seed, KS[i], in).isBetween(0.0, 1.0);
            if (expected == null) continue;
            double want = exactPassAtK(expected, KS[i]);
            assertThat(Double.isNaN(got[i])).as("seed %d: pass@%d defined: %s", seed, KS[i], in).isEqualTo(Double.isNaN(want));
            if (!Double.isNaN(want)) assertThat(Math.abs(got[i] - want)).as("seed %d: pass@%d = %s, exact %s: %s", seed, KS[i], got[i], want, in).isLessThan(1e-12);
        }
    }

    // ---- coverage -----------------------------------------------------------------------------------------------

    /** The probe's D3 and D4 inputs, then random ones. */
    static FuzzLines records(long seed) {
        FuzzLines in = new FuzzLines();
        switch ((int) Math.min(seed, 3)) {
            case 0 -> in.line("id", "\"a\"", "logp_model", "-1e10", "weight", "1e300");
            case 1 -> { for (String id : List.of("a", "b", "c")) in.line("id", "\"" + id + "\"", "logp_model", "-1.5e308"); }
            case 2 -> in.line("id", "\"a\"", "logp_model", "-1", "weight", "1.5e308", "group", "\"A\"")
                    .line("id", "\"b\"", "logp_model", "-2", "weight", "1.5e308", "group", "\"B\"");
            default -> {
                SplittableRandom rng = new SplittableRandom(seed);
                for (int l = 1 + rng.nextInt(6); l > 0; l--) {
                    List<String> kv = new ArrayList<>(List.of("id", "\"r" + l + "\"", "logp_model", num(-rng.nextDouble() * 30)));
                    if (rng.nextBoolean()) kv.addAll(List.of("logp_data", num(-rng.nextDouble() * 4)));
                    if (rng.nextBoolean()) kv.addAll(List.of("weight", num(rng.nextInt(4) == 0 ? rng.nextDouble() * 1e308 : rng.nextDouble() * 3)));
                    if (rng.nextBoolean()) kv.addAll(List.of("group", "\"G" + rng.nextInt(3) + "\""));
                    in.line(kv.toArray(String[]::new));
                }
                mutate(in, rng);
            }
        }
        return in;
    }

    private static String num(double d) {
        return String.format(Locale.ROOT, "%s", d);
    }

    /** One record as the spec of coverage --records defines it. */
    record Rec(String group, double weight, double logpData, double logpModel) {}

    /** What coverage must make of structured lines, or null when it must refuse them. */
    static List<Rec> recordsOracle(List<List<String[]>> lines) {
        List<Rec> out = new ArrayList<>();
        Map<String, Double> maxWeight = new LinkedHashMap<>();
        for (List<String[]> f : lines) {
            JsonNode id = FuzzLines.value(f, "id"), group = FuzzLines.value(f, "group");
            if (FuzzLines.hasDuplicateKey(f) || id == null || !id.isTextual()) return null;
            Double model = finite(f, "logp_model", null), data = finite(f, "logp_data", 0.0), weight = finite(f, "weight", 1.0);
            if (model == null || data == null || weight == null || model > 0 || data > 0 || weight < 0) return null;
            if (FuzzLines.has(f, "group") && !group.isTextual()) return null;
            String g = FuzzLines.has(f, "group") ? group.textValue() : "all";
            maxWeight.merge(g, weight, Math::max);
            out.add(new Rec(g, weight, data, model));
        }
        if (out.isEmpty() || maxWeight.values().stream().anyMatch(w -> !(w > 0))) return null;
        return out;
    }

    /** A finite number field (absent or null: the default); null when it is there but not a finite number. */
    private static Double finite(List<String[]> f, String key, Double absent) {
        if (!FuzzLines.has(f, key)) return absent;
        JsonNode v = FuzzLines.value(f, key);
        return v.isNumber() && Double.isFinite(v.doubleValue()) ? v.doubleValue() : null;
    }

    /** sum w x / sum w over records of positive weight, exactly (x in double, as the code computes it). */
    private static double exactMean(List<Rec> recs, java.util.function.ToDoubleFunction<Rec> x) {
        BigDecimal num = BigDecimal.ZERO, den = BigDecimal.ZERO;
        for (Rec r : recs) {
            if (r.weight() == 0) continue;
            num = num.add(new BigDecimal(r.weight()).multiply(new BigDecimal(x.applyAsDouble(r))));
            den = den.add(new BigDecimal(r.weight()));
        }
        return num.divide(den, MathContext.DECIMAL128).doubleValue();
    }

    @ParameterizedTest(name = "seed {0}") @MethodSource("seeds") void coverageRecords(long seed) throws IOException {
        FuzzLines in = records(seed);
        Path f = write("records", seed, in);
        List<Rec> expected = in.damaged ? null : recordsOracle(in.lines);
        FuzzCase r = FuzzCase.run(seed, in.toString(), () -> CoverageProfile.summarize(RecordsFile.records(RecordsFile.read(f, false)), new double[] {2, 16}))
                .check(in.damaged ? FuzzCase.Expect.EITHER : expected == null ? FuzzCase.Expect.REFUSE : FuzzCase.Expect.ACCEPT, MAX_BYTES)
                .count("coverage");
        if (!r.accepted()) return;
        CoverageSummary s = (CoverageSummary) r.result();
        assertThat(Double.isFinite(s.kl()) && Double.isFinite(s.crossEntropy())).as("seed %d: finite KL and CE: %s", seed, in).isTrue();
        for (var e : s.coverage()) assertThat(e.lower() <= e.value() && e.value() <= e.upper() && e.upper() <= 1).as("seed %d: %s", seed, in).isTrue();
        if (expected == null) return;
        assertThat(s.nRecords()).isEqualTo(expected.size());
        double kl = exactMean(expected, x -> x.logpData() - x.logpModel()), ce = exactMean(expected, x -> -x.logpModel());
        assertThat(Math.abs(s.kl() - kl)).as("seed %d: kl %s, exact %s: %s", seed, s.kl(), kl, in).isLessThanOrEqualTo(1e-12 * Math.max(1, Math.abs(kl)));
        assertThat(Math.abs(s.crossEntropy() - ce)).as("seed %d: ce %s, exact %s: %s", seed, s.crossEntropy(), ce, in).isLessThanOrEqualTo(1e-12 * Math.max(1, ce));
        for (int i = 0; i < 2; i++) {
            double logN = Math.log(s.ns().get(i));
            double cov = exactMean(expected, x -> x.logpData() - x.logpModel() >= logN ? 1 : 0);
            assertThat(Math.abs(s.coverage().get(i).value() - cov)).as("seed %d: Cov_%s: %s", seed, s.ns().get(i), in).isLessThan(1e-12);
        }
    }
}
