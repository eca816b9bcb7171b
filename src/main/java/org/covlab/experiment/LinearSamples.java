package org.covlab.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.covlab.eval.EvalRun;
import org.covlab.metric.CoverageProfile;
import org.covlab.metric.LogRatioRecord;
import org.covlab.model.AutoregressiveModel;
import org.covlab.report.CsvTable;
import org.covlab.report.RunFolder;
import org.covlab.task.LinearInstance;
import org.covlab.task.LinearInstances;
import org.covlab.train.TrainingMethods;
import org.covlab.train.TrainingPlan;
import org.covlab.util.Seeds;

/**
 * Experiment {@code linear-samples}: the rates in the sample size n of the MLE's KL and coverage profile on the
 * autoregressive linear model (Eq. 3). Prop. 3.2 and Thm 4.1/4.2 predict that KL grows with H/n (missing mass pays
 * log W_max ≍ H) while Cov_N shrinks like 1/(n log N) with no H. Every (instance, H, n, seed) fits the MLE (Eq. 2) on
 * n samples and measures KL and cross-entropy exactly (DP) and Cov_N against the exact pi_D (atom DP,
 * {@link LinearInstance#exactRecords}; Monte Carlo only if an instance needs more than {@code maxAtoms} atoms).
 *
 * <p>Instances built for a sample size get it: Prop. 3.2 is built for n sequences (mu(1) = 1/(2n), so x = 1 is unseen
 * with probability about e^{-1/2} at every n, which is what its KL lower bound H/(4n) needs); Prop. 4.1(a)/(b) are
 * per-token constructions (H = 1 in the paper; here H i.i.d. tokens), so they are built for the nH tokens the MLE
 * sees, which keeps every H at the construction's design point. The data of one (instance, H, seed) come from one
 * stream, so for an instance that does not depend on n (pivotal) the n samples are the first n of a larger set.
 */
public final class LinearSamples {
    private LinearSamples() {}

    public static final String NAME = "linear-samples";

    /** The tail levels of Cov_N, as in the issue. */
    public static final List<Double> NS = LinearHorizon.NS;

    /** The tail level of the headline plots and claims. */
    public static final double HEADLINE_N = LinearHorizon.HEADLINE_N;

    /** Per-token constructions (stated for H = 1): built for the nH tokens of n sequences. */
    static final List<String> PER_TOKEN = List.of("prop4.1a", "prop4.1b");

    /**
     * @param instances            linear instance names ({@link LinearInstances#NAMES})
     * @param horizons             the H grid
     * @param sampleSizes          the n grid (MLE sample sizes)
     * @param seeds                seeds per (instance, H, n)
     * @param maxAtoms             atom limit per position of the exact Cov_N DP (beyond it: Monte Carlo)
     * @param evalSamplesPerPrompt Monte Carlo responses per prompt when the exact DP is refused
     * @param threads              worker threads over cells
     */
    public record Settings(List<String> instances, List<Integer> horizons, List<Integer> sampleSizes, int seeds,
                           int maxAtoms, int evalSamplesPerPrompt, int threads) {
        public Settings {
            instances = List.copyOf(instances);
            horizons = List.copyOf(horizons);
            sampleSizes = List.copyOf(sampleSizes);
            for (String i : instances) if (!LinearInstances.NAMES.contains(i)) throw new IllegalArgumentException("unknown instance " + i);
            if (instances.isEmpty() || horizons.isEmpty() || sampleSizes.isEmpty()) throw new IllegalArgumentException("empty grid");
            if (horizons.stream().anyMatch(h -> h < 1)) throw new IllegalArgumentException("horizons must be >= 1");
            if (sampleSizes.stream().anyMatch(n -> n < 1)) throw new IllegalArgumentException("sample sizes must be >= 1");
            if (seeds < 1 || maxAtoms < 1 || evalSamplesPerPrompt < 1 || threads < 1)
                throw new IllegalArgumentException("seeds, maxAtoms, evalSamplesPerPrompt, threads must be >= 1");
        }

        /** The instances: Prop. 3.2 (KL ≍ H/n), pivotal tokens (sigma*^2 << B^2 H), Prop. 4.1(b) (fine term). */
        static final List<String> INSTANCES = List.of("prop3.2", "pivotal", "prop4.1b");
        static final List<Integer> HORIZONS = List.of(8, 32, 128);
        /** Enough atoms for every instance above at H = 128 (pivotal needs ~450, prop4.1b ~1200 per prompt). */
        static final int MAX_ATOMS = 20_000;

        /** The full run: n in {16, ..., 4096}. */
        public static Settings full(int seeds, int threads) {
            return new Settings(INSTANCES, HORIZONS, List.of(16, 64, 256, 1024, 4096), seeds, MAX_ATOMS, 400, threads);
        }

        /** The quick run: n in {16, 64, 256, 1024}. */
        public static Settings quick(int seeds, int threads) {
            return new Settings(INSTANCES, HORIZONS, List.of(16, 64, 256, 1024), seeds, MAX_ATOMS, 400, threads);
        }
    }

    /** The columns of metrics.csv: the issue's, then whether Cov_N is exact, the instance's design n, d and sigma*^2. */
    public static List<String> header() {
        List<String> h = new ArrayList<>(List.of("instance", "H", "n", "seed", "kl", "cross_entropy"));
        for (double n : NS) h.add(EvalRun.covColumn(n));
        h.addAll(List.of("cov_exact", "design_n", "d", "sigma_star_sq"));
        return h;
    }

    /** Runs every cell (resuming finished ones) and writes metrics.csv. */
    public static CsvTable run(Settings s, RunFolder run) {
        List<CellRunner.Cell> cells = new ArrayList<>();
        for (String instance : s.instances())
            for (int H : s.horizons())
                for (int n : s.sampleSizes())
                    for (int seed = 0; seed < s.seeds(); seed++) {
                        int fH = H, fn = n, fSeed = seed;
                        cells.add(new CellRunner.Cell(instance + "_H" + H + "_n" + n + "_s" + seed,
                                () -> List.<Object[]>of(cell(s, run.seed(), instance, fH, fn, fSeed))));
                    }
        CsvTable metrics = CellRunner.run(run, NAME, header(), s.threads(), cells);
        metrics.write(run.file("metrics.csv"));
        return metrics;
    }

    /** One MLE fit on n samples and its exact metrics: a row of {@link #header()}. */
    static Object[] cell(Settings s, long master, String name, int H, int n, int seed) {
        LinearInstance in = instance(name, H, n);
        Seeds seeds = new Seeds(master).child(name + "/H" + H + "/seed" + seed);
        AutoregressiveModel mle = TrainingMethods.byName("mle").train(in, TrainingPlan.of(n), seeds, (t, m) -> { });
        var exact = in.exactRecords(mle, s.maxAtoms());
        List<LogRatioRecord> records = exact.orElseGet(() -> in.records(mle, s.evalSamplesPerPrompt(), seeds.stream("eval")));
        CoverageProfile profile = CoverageProfile.of(records);
        List<Object> row = new ArrayList<>(List.of(name, H, n, seed, in.sequenceKl(mle), in.crossEntropy(mle)));
        for (double N : NS) row.add(profile.coverage(N));
        row.add(exact.isPresent());
        row.add(in.params().containsKey("n") ? in.params().get("n").longValue() : null);
        row.add(in.d());
        row.add(in.sigmaStarSq());
        return row.toArray();
    }

    /** The instance at horizon H for sample size n (see the class comment for which are built for n or nH). */
    static LinearInstance instance(String name, int H, int n) {
        if (!LinearInstances.PARAMETERS.get(name).contains("n")) return LinearInstances.byName(name, H);
        long design = PER_TOKEN.contains(name) ? (long) n * H : n;
        return LinearInstances.byName(name, H, Map.of("n", (double) design));
    }
}
