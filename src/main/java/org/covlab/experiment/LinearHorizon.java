package org.covlab.experiment;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covlab.decode.Sampler;
import org.covlab.eval.EvalRun;
import org.covlab.eval.SampledPassAtN;
import org.covlab.metric.CoverageProfile;
import org.covlab.metric.Estimate;
import org.covlab.metric.LogRatioRecord;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.LinearSoftmaxModel;
import org.covlab.report.CsvTable;
import org.covlab.report.RunFolder;
import org.covlab.task.LinearInstance;
import org.covlab.task.LinearInstances;
import org.covlab.task.Prompt;
import org.covlab.task.Verifier;
import org.covlab.train.TrainingMethod;
import org.covlab.train.TrainingMethods;
import org.covlab.train.TrainingPlan;
import org.covlab.util.Seeds;

/**
 * Experiment {@code linear-horizon}: how cross-entropy (KL) and the coverage profile Cov_N behave as the horizon H
 * grows, for every training method of the paper on the autoregressive linear model (Eq. 3). The paper proves
 * (Prop. 3.2, Thm 4.2) that the MLE's KL grows with H while its Cov_N does not; that constant-step SGD pays H/T
 * while normalized SGD does not (Prop. 5.1, Thm 5.1); and that TTT decoding and truncated distillation are
 * horizon-free (Thm 6.1, 6.2). It never measures any of it; this does.
 *
 * <p>Protocol. Every (instance, H, seed) gives all methods the same samples. Each method's step size is the best of a
 * grid of multiples of its theory value ({@link Settings#etaScales}), chosen per (instance, H, method) by the lowest
 * Cov_16 averaged over seeds and over the evaluation points (the theorems bound the average over iterates), ties
 * by KL. So SGD gets its best constant step at every H, which is what Prop. 5.1's lower bound is about.
 * All grid runs go to {@code tuning.csv}; the chosen ones to {@code metrics.csv}.
 */
public final class LinearHorizon {
    private LinearHorizon() {}

    public static final String NAME = "linear-horizon";

    /** The tail levels of Cov_N, as in the issue: two near the bulk, the headline 16, and a deep tail. */
    public static final List<Double> NS = List.of(2.0, 4.0, 16.0, 256.0);

    /** Pass@N levels, measured by sampling where the instance has a verifier. */
    public static final List<Integer> PASS_NS = List.of(1, 4, 16);

    /** The tail level the step-size choice and the headline plots use. */
    public static final double HEADLINE_N = 16;

    /**
     * @param instances            linear instances where the paper predicts an H-dependence difference
     * @param horizons             the H grid
     * @param methods              training method names ({@link TrainingMethods#NAMES})
     * @param seeds                seeds per cell (0 .. seeds-1 under the master seed)
     * @param samples              the sample budget T (one fresh (x, y) per sample)
     * @param evalPoints           log-spaced evaluation points up to T
     * @param etaScales            multiples of each method's theory step size to try
     * @param evalSamplesPerPrompt Monte Carlo responses per prompt when |V|^H is too large to enumerate
     * @param passPrompts          prompts drawn from mu for the sampled Pass@N
     * @param threads              worker threads over cells
     */
    public record Settings(List<String> instances, List<Integer> horizons, List<String> methods, int seeds,
                           long samples, int evalPoints, List<Double> etaScales, int evalSamplesPerPrompt,
                           int passPrompts, int threads) {
        public Settings {
            instances = List.copyOf(instances);
            horizons = List.copyOf(horizons);
            methods = List.copyOf(methods);
            etaScales = List.copyOf(etaScales);
            for (String i : instances) if (!LinearInstances.NAMES.contains(i)) throw new IllegalArgumentException("unknown instance " + i);
            for (String m : methods) if (!TrainingMethods.NAMES.contains(m)) throw new IllegalArgumentException("unknown method " + m);
            if (horizons.isEmpty() || horizons.stream().anyMatch(h -> h < 1)) throw new IllegalArgumentException("horizons must be >= 1");
            if (seeds < 1 || samples < 16 || evalPoints < 2 || evalSamplesPerPrompt < 1 || passPrompts < 1 || threads < 1)
                throw new IllegalArgumentException("seeds, evalPoints, evalSamplesPerPrompt, passPrompts, threads must be >= 1; samples >= 16");
            if (etaScales.isEmpty() || etaScales.stream().anyMatch(e -> !(e > 0))) throw new IllegalArgumentException("eta scales must be > 0");
        }

        /** Prop. 3.2 (MLE: KL vs Cov), Prop. 5.1 (SGD vs normalized), pivotal (sigma*^2 << B^2 H, with a verifier). */
        static final List<String> INSTANCES = List.of("prop3.2", "prop5.1", "pivotal");

        /** The full run: H in {8..128}, 3 seeds, 10k samples; about 10 minutes on 2 cores. */
        public static Settings full(int seeds, int threads) {
            return new Settings(INSTANCES, List.of(8, 16, 32, 64, 128), TrainingMethods.NAMES, seeds, 10_000, 8,
                    List.of(1.0, 4.0, 16.0, 64.0, 256.0), 400, 256, threads);
        }

        /** The quick run: three horizons, 2k samples; about a minute on 2 cores. */
        public static Settings quick(int seeds, int threads) {
            return new Settings(INSTANCES, List.of(8, 32, 128), TrainingMethods.NAMES, seeds, 2_000, 6,
                    List.of(1.0, 4.0, 16.0, 64.0, 256.0), 200, 128, threads);
        }
    }

    /** The columns of metrics.csv and tuning.csv. */
    public static List<String> header() {
        List<String> h = new ArrayList<>(List.of("instance", "method", "H", "seed", "eta_scale", "step", "kl", "cross_entropy"));
        for (double n : NS) h.add(EvalRun.covColumn(n));
        for (int n : PASS_NS) h.add("pass@" + n);
        return h;
    }


    /** Every grid run (tuning.csv) and the chosen step size's runs (metrics.csv). */
    public record Tables(CsvTable tuning, CsvTable metrics) {}

    /** Runs every cell (resuming finished ones), writes tuning.csv and metrics.csv. */
    public static Tables run(Settings s, RunFolder run) {
        List<CellRunner.Cell> cells = new ArrayList<>();
        for (String instance : s.instances())
            for (int H : s.horizons())
                for (String method : s.methods())
                    for (double scale : method.equals("mle") ? List.of(1.0) : s.etaScales())
                        for (int seed = 0; seed < s.seeds(); seed++) {
                            String key = instance + "_H" + H + "_" + method + "_eta" + scale + "_s" + seed;
                            int fH = H, fSeed = seed;
                            cells.add(new CellRunner.Cell(key, () -> cell(s, run.seed(), instance, fH, method, scale, fSeed)));
                        }
        CsvTable all = CellRunner.run(run, NAME, header(), s.threads(), cells);
        all.write(run.file("tuning.csv"));
        CsvTable chosen = chooseStepSizes(all);
        chosen.write(run.file("metrics.csv"));
        return new Tables(all, chosen);
    }

    /** One training run, evaluated at log-spaced points: rows of {@link #header()}. */
    static List<Object[]> cell(Settings s, long master, String instanceName, int H, String method, double scale, int seed) {
        LinearInstance in = instance(instanceName, H, s.samples());
        Seeds seeds = new Seeds(master).child(instanceName + "/H" + H + "/seed" + seed);
        TrainingPlan plan = TrainingPlan.of(s.samples(), evalPoints(s.samples(), s.evalPoints()));
        TrainingMethod m = TrainingMethods.byName(method);
        if (!method.equals("mle")) {
            Map<String, Double> scaled = new HashMap<>();
            scaled.put("eta", scale * m.settings(in, plan).get("eta"));
            m = TrainingMethods.byName(method, scaled);
        }
        List<Object[]> rows = new ArrayList<>();
        List<Prompt> passPrompts = new ArrayList<>();
        var promptRng = seeds.stream("pass-prompts");
        for (int i = 0; i < s.passPrompts(); i++) passPrompts.add(in.task().samplePrompt(promptRng));
        int[] passNs = PASS_NS.stream().mapToInt(Integer::intValue).toArray();
        m.train(in, plan, seeds, (seen, model) -> {
            // The same evaluation responses for every method and step: differences are the models', not noise.
            List<LogRatioRecord> records = in.records(model, s.evalSamplesPerPrompt(), seeds.stream("eval"));
            boolean exact = model instanceof LinearSoftmaxModel l && l.isMarkov();
            List<Object> row = new ArrayList<>(List.of(instanceName, method, H, seed, scale, seen,
                    exact ? in.sequenceKl(model) : CoverageProfile.kl(records),
                    exact ? in.crossEntropy(model) : CoverageProfile.crossEntropy(records)));
            CoverageProfile profile = CoverageProfile.of(records);
            for (double n : NS) row.add(profile.coverage(n));
            if (in.task().verifier() == Verifier.ANY) {
                for (int ignored : passNs) row.add(null);
            } else {
                Estimate[] pass = SampledPassAtN.sampled(in.task(), model, passPrompts, passNs, Sampler.ANCESTRAL, seeds.stream("pass", seen));
                for (Estimate e : pass) row.add(e.value());
            }
            rows.add(row.toArray());
        });
        return rows;
    }

    /** The instance at horizon H; Prop. 3.2's rare prompt gets mu(1) = 1/(2T), so it is unseen w.p. about e^{-1/2}. */
    static LinearInstance instance(String name, int H, long samples) {
        return name.equals("prop3.2")
                ? LinearInstances.byName(name, H, Map.of("n", (double) samples))
                : LinearInstances.byName(name, H);
    }

    /** {@code count} log-spaced sample counts from T/2^(count-1)... up to T, distinct, at least 1. */
    static long[] evalPoints(long samples, int count) {
        List<Long> points = new ArrayList<>();
        for (int i = count - 1; i >= 0; i--) {
            long p = Math.max(1, Math.round(samples / Math.pow(2, i)));
            if (points.isEmpty() || p > points.get(points.size() - 1)) points.add(p);
        }
        return points.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Keeps, per (instance, H, method), the rows of the step-size multiple with the lowest mean Cov_16 over seeds and
     * evaluation points (ties: lowest mean KL, then the smaller multiple).
     */
    static CsvTable chooseStepSizes(CsvTable all) {
        String cov = EvalRun.covColumn(HEADLINE_N);
        Map<String, double[]> score = new LinkedHashMap<>(); // key|scale -> {sum cov, sum kl, count}
        for (CsvTable.Row r : all.rows()) {
            double[] acc = score.computeIfAbsent(groupKey(r) + "|" + r.get("eta_scale"), k -> new double[3]);
            acc[0] += r.number(cov);
            acc[1] += r.number("kl");
            acc[2]++;
        }
        Map<String, String> best = new HashMap<>();
        Map<String, double[]> bestScore = new HashMap<>();
        for (var e : score.entrySet()) {
            String group = e.getKey().substring(0, e.getKey().lastIndexOf('|'));
            String scale = e.getKey().substring(e.getKey().lastIndexOf('|') + 1);
            double[] mean = {e.getValue()[0] / e.getValue()[2], e.getValue()[1] / e.getValue()[2], Double.parseDouble(scale)};
            double[] cur = bestScore.get(group);
            if (cur == null || compare(mean, cur) < 0) {
                bestScore.put(group, mean);
                best.put(group, scale);
            }
        }
        CsvTable chosen = new CsvTable(all.header());
        for (CsvTable.Row r : all.rows()) {
            if (!best.get(groupKey(r)).equals(r.get("eta_scale"))) continue;
            chosen.addRow(all.header().stream().map(r::get).toArray());
        }
        return chosen;
    }

    private static int compare(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) {
            int c = Double.compare(Double.isNaN(a[i]) ? Double.MAX_VALUE : a[i], Double.isNaN(b[i]) ? Double.MAX_VALUE : b[i]);
            if (c != 0) return c;
        }
        return 0;
    }

    private static String groupKey(CsvTable.Row r) {
        return r.get("instance") + "|" + r.get("H") + "|" + r.get("method");
    }
}
