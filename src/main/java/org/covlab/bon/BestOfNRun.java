package org.covlab.bon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.covlab.decode.TttSettings;
import org.covlab.metric.CoverageBounds.RegretBound;
import org.covlab.metric.Estimate;
import org.covlab.model.AutoregressiveModel;
import org.covlab.report.CsvTable;
import org.covlab.report.HtmlReport;
import org.covlab.report.Json;
import org.covlab.report.Plot;
import org.covlab.report.RunFolder;
import org.covlab.report.Section;
import org.covlab.report.Verdict;
import org.covlab.task.LinearInstance;
import org.covlab.util.InputException;
import org.covlab.util.Seeds;
import org.covlab.util.IoErrors;

/** Writes a Best-of-N run folder: config.json, results.json, metrics.csv (one row per N), plots and report.html. */
public final class BestOfNRun {
    private BestOfNRun() {}

    /**
     * The run's settings, as written to config.json; {@code trainSamples} is null for a GPT checkpoint, {@code edgeOrder}
     * (the graph task's prompts) for a linear model, {@code ttt} (the GPT's test-time-training decoder) without it.
     */
    public record Config(String command, String task, int H, String edgeOrder, String model, Integer trainSamples, int[] ns, int prompts,
                         long seed, int threads, TttSettings ttt) {}

    /** metrics.csv's columns: regret_upper is empty where Prop. D.6 does not apply, exact and witness_regret where not exact. */
    public static final String[] COLUMNS = {"N", "success", "success_lo", "success_hi", "exact", "regret_upper", "M",
            "epsilon", "regret_lower", "witness_regret"};

    private static final String SAMPLED = "sampled (95% band)", EXACT = "exact, from p = pi_hat(correct|x)",
            UPPER = "Prop. D.6 bound", LOWER = "Prop. D.7 bound", WITNESS = "D.7's worst-case reward";
    /** How config.json names a GPT model: this prefix, then the checkpoint folder. */
    public static final String CHECKPOINT = "checkpoint:";

    /** A Best-of-N measurement on a linear instance, ready to run: its config, instance and the measurement itself. */
    public record LinearSetup(Config config, LinearInstance instance, Supplier<BestOfNResult> measure) {

        /** The instance of {@code spec} at horizon H, the MLE on {@code trainSamples} samples (0: pi_D) as pi_hat. */
        public static LinearSetup of(LinearModelSpec spec, int H, int trainSamples, BestOfN.Settings s) {
            LinearInstance instance = spec.instance(H);
            AutoregressiveModel pihat = LinearModelSpec.model(instance, trainSamples, new Seeds(s.seed()).child("train"));
            Config config = new Config("bon", instance.task().name(), H, null, spec.toString(), trainSamples, s.ns(), s.prompts(),
                    s.seed(), s.threads(), null);
            return new LinearSetup(config, instance, () -> BestOfN.measure(instance.task(), pihat, s));
        }
    }

    /** What a run leaves: its folder and the measured curve. */
    public record Outcome(Path dir, BestOfNResult result) {}

    /**
     * Opens the run folder {@code out} first (refused if it exists and is not empty, before any work), runs
     * {@code measure} as the timed phase "measure", then writes metrics.csv, the plots, results.json and report.html.
     */
    public static Outcome run(Config config, Supplier<BestOfNResult> measure, Path out) {
        if (Files.isDirectory(out) && hasFiles(out))  // RunFolder's own message would suggest --resume, which bon has not
            throw InputException.at(out, 0, null, "exists and is not empty; choose another --out");
        RunFolder run = RunFolder.open("bon", config.seed(), out, false);
        run.writeConfig(config);
        BestOfNResult r;
        try (var phase = run.phase("measure")) {
            r = measure.get();
        }
        Section section;
        try (var phase = run.phase("report")) {
            metrics(r).write(run.file("metrics.csv"));
            section = section(r, run.dir(), config);
        }
        run.put("curve", r.json());
        run.put("target_success", r.targetSuccess());
        run.put("target_exact", r.targetExact());
        run.put("draws", r.drawn());
        run.put("draw_seconds", r.drawSeconds());
        run.put("draws_per_second", r.drawsPerSecond());
        run.put("claims", section.claims());
        RunFolder.Results results = run.finish();
        HtmlReport.builder("covlab: Best-of-N").meta(results).section(section).build().write(run.file("report.html"));
        return new Outcome(run.dir(), r);
    }

    private static boolean hasFiles(Path dir) {
        try (var files = Files.list(dir)) {
            return files.findAny().isPresent();
        } catch (IOException e) {
            throw IoErrors.unchecked("cannot list " + dir, e);
        }
    }

    /**
     * The curve again from a run folder's metrics.csv, config.json and results.json ({@code covlab report}); the
     * inverse of {@link #metrics} and {@link #run}.
     */
    public static BestOfNResult read(Path dir) {
        Config c = Json.readFile(dir.resolve(RunFolder.CONFIG), Config.class);
        RunFolder.Results results = RunFolder.readResults(dir);
        CsvTable t = CsvTable.read(dir.resolve("metrics.csv")).requireColumns(COLUMNS);
        int k = t.rowCount();
        int[] ns = new int[k];
        Estimate[] success = new Estimate[k];
        RegretBound[] upper = new RegretBound[k];
        double[] exact = new double[k], lower = new double[k], witness = new double[k];
        boolean hasExact = true, hasWitness = true;
        for (int i = 0; i < k; i++) {
            CsvTable.Row r = t.row(i);
            ns[i] = (int) r.integer("N");
            success[i] = new Estimate(r.number("success"), r.number("success_lo"), r.number("success_hi"));
            upper[i] = r.get("regret_upper").isEmpty() ? null
                    : new RegretBound(r.number("regret_upper"), r.number("M"), r.number("epsilon"));
            lower[i] = r.number("regret_lower");
            exact[i] = r.number("exact");
            witness[i] = r.number("witness_regret");
            hasExact &= !r.get("exact").isEmpty();
            hasWitness &= !r.get("witness_regret").isEmpty();
        }
        Map<String, Object> saved = results.results();
        return new BestOfNResult(ns, success, hasExact ? exact : null, upper, lower, hasWitness ? witness : null,
                ((Number) saved.get("target_success")).doubleValue(), (Boolean) saved.get("target_exact"), c.prompts(),
                ((Number) saved.get("draws")).longValue(), ((Number) saved.get("draw_seconds")).doubleValue());
    }

    /** The report section again, from the run folder alone. */
    public static Section rebuild(Path dir) {
        return section(read(dir), dir, Json.readFile(dir.resolve(RunFolder.CONFIG), Config.class));
    }

    /** One row per N. */
    public static CsvTable metrics(BestOfNResult r) {
        CsvTable t = CsvTable.withHeader(COLUMNS);
        for (int i = 0; i < r.ns().length; i++) {
            RegretBound u = r.regretUpper()[i];
            t.addRow(r.ns()[i], r.success()[i].value(), r.success()[i].lower(), r.success()[i].upper(),
                    r.exact() == null ? null : r.exact()[i], u == null ? null : u.value(), u == null ? null : u.m(),
                    u == null ? null : u.epsilon(), r.regretLower()[i], r.witnessRegret() == null ? null : r.witnessRegret()[i]);
        }
        return t;
    }

    /** The report section: the claims of App. D.2 and Props. D.6-D.7 against the measured curve, and its plots in {@code dir}. */
    public static Section section(BestOfNResult r, Path dir, Config c) {
        int k = r.ns().length;
        double[] n = Arrays.stream(r.ns()).asDoubleStream().toArray();
        double target = r.targetSuccess();
        double[] s = new double[k], lo = new double[k], hi = new double[k], upper = new double[k], lower = new double[k];
        for (int i = 0; i < k; i++) {
            s[i] = r.success()[i].value();
            lo[i] = r.success()[i].lower();
            hi[i] = r.success()[i].upper();
            // Prop. D.6 is not drawn where it does not apply, nor where it exceeds pi_T's success (vacuous: success >= a negative number).
            upper[i] = r.regretUpper()[i] == null || r.regretUpper()[i].value() > target ? Double.NaN : r.regretUpper()[i].value();
            lower[i] = r.regretLower()[i];
        }
        String model = c.model().startsWith(CHECKPOINT) ? "checkpoint " + Path.of(c.model().substring(CHECKPOINT.length())).getFileName() : c.model();
        String what = c.task() + ", " + (c.trainSamples() == null ? model : c.trainSamples() == 0 ? "pi_D" : "MLE n=" + c.trainSamples());
        List<String> names = List.of(SAMPLED, EXACT, UPPER, LOWER, WITNESS);  // one colour per series in both plots
        Plot success = Plot.titled("Best-of-N success: " + what).xTitle("N").yTitle("success rate").logX().colors(names)
                .band(SAMPLED, n, s, lo, hi);
        Plot regret = Plot.titled("Best-of-N regret: " + what).xTitle("N").yTitle("regret = " + fmt(target) + " - success")
                .logX().logY().colors(names)
                .band(SAMPLED, n, floor(minus(target, s)), floor(minus(target, hi)), floor(minus(target, lo)));
        if (r.exact() != null) {
            success.dashed(EXACT, n, r.exact());
            regret.dashed(EXACT, n, floor(minus(target, r.exact())));
        }
        success.dashed(UPPER, n, minus(target, upper)).dashed(LOWER, n, minus(target, lower));
        regret.dashed(UPPER, n, floor(upper)).dashed(LOWER, n, floor(lower));
        if (r.witnessRegret() != null) regret.line(WITNESS, n, floor(r.witnessRegret()));

        Section.Builder b = Section.builder("Best-of-N and coverage",
                "Does coverage predict Best-of-N: is the regret within Prop. D.6's upper and Prop. D.7's lower bound from "
                        + "Cov_M(pi_T || pi_hat), and does sampling match 1 - (1 - pi_hat(correct|x))^N (App. D.2)?");
        claims(r, b);
        b.plot(success.write(dir, "bon_success"), "Best-of-N success against N, with its 95% Wilson band over " + r.prompts()
                        + " prompts (nested draws); the exact E_x[1 - (1 - p(x))^N] with p(x) = pi_hat(correct|x); Prop. D.6: "
                        + "success >= 1 - Cov_M - eps (drawn where it applies); Prop. D.7: the worst-case reward's success "
                        + "<= 1 - Cov_2N / 2. Cov is Cov(pi_T || pi_hat) on the same prompts.")
         .plot(regret.write(dir, "bon_regret"), "The same as regret against pi_T (log-log; values below " + REGRET_FLOOR + " are not drawn), with the exact "
                 + "regret of Prop. D.7's worst-case reward 1{pi_T/pi_hat >= 2N}, which the D.7 line must stay under.")
         .note("pi_T is pi_D restricted to the responses the verifier accepts, renormalised: it always succeeds, so regret = "
                 + fmt(target) + " - success (pi_T's success is the share of prompts pi_D can answer). Prop. D.6 bounds the "
                 + "regret of every reward; Prop. D.7's 1/2 Cov_2N bounds the regret of its worst-case reward "
                 + "1{pi_T/pi_hat >= 2N}, and the task's own regret only where each prompt has one correct response.")
         .setting("task", c.task() + (c.edgeOrder() == null ? "" : ", edges in " + c.edgeOrder() + " order")).setting("H", c.H()).setting("model", c.model()).setting("MLE samples (0: pi_D)", c.trainSamples() == null ? "n/a (checkpoint)" : c.trainSamples())
         .setting("decoder", c.ttt() == null ? "plain" : "test-time training, K = " + c.ttt().steps() + ", eta = " + c.ttt().lr())
         .setting("prompts", c.prompts()).setting("N", Arrays.toString(c.ns())).setting("seed", c.seed()).setting("threads", c.threads())
         .setting("draws", r.drawn()).setting("draws per second", Math.round(r.drawsPerSecond()))
         .setting("pi_T", r.targetExact() ? "listed exactly" : "Monte Carlo, " + TargetPolicy.MONTE_CARLO_DRAWS + " pi_D draws per prompt");
        return b.build();
    }

    private static void claims(BestOfNResult r, Section.Builder b) {
        int k = r.ns().length;
        double target = r.targetSuccess();
        if (r.exact() != null) {
            int inside = 0;
            double gap = 0;
            for (int i = 0; i < k; i++) {
                if (r.success()[i].contains(r.exact()[i])) inside++;
                gap = Math.max(gap, Math.abs(r.success()[i].value() - r.exact()[i]));
            }
            b.claim("App. D.2: Best-of-N success = E_x[1 - (1 - pi_hat(correct|x))^N]",
                    "exact curve inside the 95% interval at " + inside + " of " + k + " N (largest gap " + fmt(gap) + ")",
                    inside == k ? Verdict.REPRODUCED : inside >= 0.8 * k ? Verdict.PARTLY : Verdict.NOT_REPRODUCED);
        }
        int applies = 0, below = 0;
        for (int i = 0; i < k; i++) {
            if (r.regretUpper()[i] == null) continue;
            applies++;
            if (target - r.success()[i].upper() <= r.regretUpper()[i].value()) below++;
        }
        b.claim("Prop. D.6: coverage suffices, regret <= Cov_M + eps when N >= 2M log(1/eps) and Cov_M <= 1/2",
                applies == 0 ? "Cov_M > 1/2 for every admissible M at every N: the bound does not apply"
                        : "measured regret (lower 95% end) within the bound at " + below + " of the " + applies + " N where it applies",
                applies == 0 ? Verdict.INCONCLUSIVE : below == applies ? Verdict.REPRODUCED : Verdict.NOT_REPRODUCED);
        if (r.witnessRegret() == null) {
            b.claim("Prop. D.7: coverage is necessary, the worst-case reward's regret >= 1/2 Cov_2N",
                    "needs pi_hat(correct|x) exactly, which this task does not list", Verdict.INCONCLUSIVE);
            return;
        }
        int holds = 0;
        for (int i = 0; i < k; i++) if (r.witnessRegret()[i] >= r.regretLower()[i] - 1e-12) holds++;
        b.claim("Prop. D.7: coverage is necessary, the worst-case reward's regret >= 1/2 Cov_2N",
                "exact regret of 1{pi_T/pi_hat >= 2N} at or above 1/2 Cov_2N at " + holds + " of " + k + " N",
                holds == k ? Verdict.REPRODUCED : Verdict.NOT_REPRODUCED);
    }

    /** Regrets below this are not drawn on the log axis: sampling cannot see them and they would squash the plot. */
    static final double REGRET_FLOOR = 1e-4;

    private static double[] floor(double[] v) {
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) if (!(out[i] >= REGRET_FLOOR)) out[i] = Double.NaN;
        return out;
    }

    private static double[] minus(double a, double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = a - v[i];
        return out;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
