package org.covlab.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.covlab.decode.Sampler;
import org.covlab.metric.CoverageProfile;
import org.covlab.model.LinearSoftmaxModel;
import org.covlab.report.CsvTable;
import org.covlab.report.RunFolder;
import org.covlab.select.LogProbTable;
import org.covlab.select.MinCrossEntropy;
import org.covlab.select.OffsetTournament;
import org.covlab.select.OnPolicyLogProbs;
import org.covlab.select.OracleBestCoverage;
import org.covlab.select.Selector;
import org.covlab.select.SimpleTournament;
import org.covlab.task.LinearInstance;
import org.covlab.task.LinearInstances;
import org.covlab.train.DataStream;
import org.covlab.util.Seeds;

/**
 * Experiment {@code tournament-vs-mle}: on the two instances where the MLE's coverage bound (Thm 4.1) is tight
 * (Prop. 4.1(a), coarse term c d/n; Prop. 4.1(b), fine term c d/(n log N)), compare the true Cov_{N^(1+a)} of four
 * choices from one finite class Pi: the MLE over Pi, the simple tournament (Eq. 29, Thm 6.3), the offset tournament
 * (Eq. 32, Thm 6.4) and the best in class. Thm 6.3/6.4 predict that the tournaments avoid the MLE's fine-grained
 * term and keep only a coarse one.
 *
 * <p>Protocol. Per (instance, n, N, seed): n samples (x, y) ~ pi_D; the MLE is the member with the highest
 * likelihood on them (min cross-entropy, {@link MinCrossEntropy}); both tournaments run at tail N on the same n
 * samples (the paper's tournaments use a sample from pi_D; using the MLE's own data compares the selection rules,
 * not the amount of data); the offset tournament draws M responses per sample prompt from every candidate; the
 * best in class has the lowest exact Cov_{N^(1+a)}. Candidates are shuffled per (instance, n, seed), so ties (common:
 * tournament scores are counts) are broken at random, not in favour of whichever member is listed first.
 *
 * <p>Classes. Prop. 4.1(b) is finite (2^d + 1 members, pi_D among them), built with its N parameter at N^(1+a): the
 * MLE's wrong members then under-cover pi_D by 2 N^(1+a) on the rare token, so they fail at the level measured.
 * Prop. 4.1(a) has Theta = the box; Pi is a grid on its face theta_0 = 1 (by the softmax's shift invariance every
 * box point whose largest coordinate is theta_0 is equivalent to one there, and pi_D is), with {@code levels41a}
 * values per rare coordinate. Both are built for the sample size n and use H = 1, as in the paper.
 */
public final class TournamentVsMle {
    private TournamentVsMle() {}

    public static final String NAME = "tournament-vs-mle";

    public static final String MLE = "mle", SIMPLE = "simple-tournament", OFFSET = "offset-tournament", BEST = "best-in-class";
    public static final List<String> METHODS = List.of(MLE, SIMPLE, OFFSET, BEST);

    /**
     * @param instances       "prop4.1a" and/or "prop4.1b"
     * @param sampleSizes     the n grid (>= 2 d41b and >= d41a)
     * @param tails           the tournaments' N (> 1); coverage is measured at N^(1+a)
     * @param a               the offset exponent of Thm 6.3/6.4 (gamma = N^a)
     * @param onPolicySamples M, responses per sample prompt drawn from each candidate (Eq. 32)
     * @param d41a            classes of Prop. 4.1(a)
     * @param levels41a       grid values per rare coordinate of Prop. 4.1(a): K = levels^(d-1)
     * @param d41b            dimension of Prop. 4.1(b): K = 2^d + 1
     * @param seeds           seeds per (instance, n, N)
     * @param threads         worker threads over cells
     */
    public record Settings(List<String> instances, List<Integer> sampleSizes, List<Double> tails, double a, int onPolicySamples,
                           int d41a, int levels41a, int d41b, int seeds, int threads) {
        public Settings {
            instances = List.copyOf(instances);
            sampleSizes = List.copyOf(sampleSizes);
            tails = List.copyOf(tails);
            for (String i : instances) if (!INSTANCES.contains(i)) throw new IllegalArgumentException("instance must be one of " + INSTANCES);
            if (instances.isEmpty() || sampleSizes.isEmpty() || tails.isEmpty()) throw new IllegalArgumentException("empty grid");
            if (tails.stream().anyMatch(N -> !(N > 1))) throw new IllegalArgumentException("N must be > 1");
            if (!(a >= 0 && a <= 1)) throw new IllegalArgumentException("a must be in [0, 1]");
            if (d41a < 2 || levels41a < 2 || d41b < 1 || d41b > 10) throw new IllegalArgumentException("need d41a >= 2, levels41a >= 2, 1 <= d41b <= 10");
            int minN = Math.max(d41a, 2 * d41b);
            if (sampleSizes.stream().anyMatch(n -> n < minN)) throw new IllegalArgumentException("n must be >= " + minN);
            if (onPolicySamples < 1 || seeds < 1 || threads < 1) throw new IllegalArgumentException("M, seeds, threads must be >= 1");
        }

        static final List<String> INSTANCES = List.of("prop4.1a", "prop4.1b");
        /**
         * a = 0.1: Thm 6.4 needs N^(1-2a) >= 8, true for every N >= 14, so for the whole N grid. M = 2 on-policy samples
         * per prompt: the on-policy table is K x K x nM doubles (about 270 MB at K = 129, n = 1024). K = 125 for 4.1(a)
         * (d = 4, 5 levels) and 129 for 4.1(b) (d = 7) keep the K^2 tournaments and that table small.
         */
        static final double A = 0.1;
        static final int M = 2, D41A = 4, LEVELS41A = 5, D41B = 7;

        public static Settings full(int seeds, int threads) {
            return new Settings(INSTANCES, List.of(16, 64, 256, 1024), List.of(16.0, 64.0, 256.0), A, M, D41A, LEVELS41A, D41B, seeds, threads);
        }

        public static Settings quick(int seeds, int threads) {
            return new Settings(INSTANCES, List.of(16, 64, 256), List.of(16.0, 256.0), A, M, D41A, LEVELS41A, D41B, seeds, threads);
        }
    }

    /**
     * The columns of metrics.csv: the issue's, then the measured level N^(1+a), the chosen member (its index in Pi),
     * |Pi|, and the comparator of Thm 6.3, min over Pi of Cov_{N^a}.
     */
    public static List<String> header() {
        return List.of("instance", "method", "n", "N", "seed", "coverage", "level", "member", "class_size", "best_cov_at_Na");
    }

    /** Runs every cell (resuming finished ones) and writes metrics.csv. */
    public static CsvTable run(Settings s, RunFolder run) {
        List<CellRunner.Cell> cells = new ArrayList<>();
        for (String instance : s.instances())
            for (int n : s.sampleSizes())
                for (double N : s.tails())
                    for (int seed = 0; seed < s.seeds(); seed++) {
                        int fn = n, fSeed = seed;
                        cells.add(new CellRunner.Cell(instance + "_n" + n + "_N" + N + "_s" + seed,
                                () -> cell(s, run.seed(), instance, fn, N, fSeed)));
                    }
        CsvTable metrics = CellRunner.run(run, NAME, header(), s.threads(), cells);
        metrics.write(run.file("metrics.csv"));
        return metrics;
    }

    /** A finite class Pi of linear models on one instance's feature map; pi_D is the instance's data model. */
    public record FiniteClass(LinearInstance instance, List<double[]> members) {
        public FiniteClass {
            if (instance.H() != 1) throw new IllegalArgumentException("the classes here are single-token (H = 1)");
            members = members.stream().map(double[]::clone).toList();
        }

        public int size() { return members.size(); }

        public LinearSoftmaxModel model(int k) { return instance.model(members.get(k)); }

        /** Exact Cov_level(pi_D || pi_k) of every member, by enumerating pi_D's support. // (K) */
        public double[] coverage(double level) {
            double[] out = new double[size()];
            for (int k = 0; k < out.length; k++)
                out[k] = CoverageProfile.of(instance.records(model(k), 1, new SplittableRandom(0))).coverage(level);
            return out;
        }

        /** log pi_k(y | x) for every member k, prompt x and token y. // (K, prompts * V) */
        double[][] logProbTable() {
            int X = instance.task().prompts().size(), V = instance.task().vocabSize();
            double[][] lp = new double[size()][X * V];
            for (int k = 0; k < size(); k++) {
                LinearSoftmaxModel m = model(k);
                for (int x = 0; x < X; x++) for (int y = 0; y < V; y++) lp[k][x * V + y] = m.sequenceLogProb(new int[] {x}, new int[] {y});
            }
            return lp;
        }
    }

    /** The class for (instance, n, N): see the class comment. */
    public static FiniteClass finiteClass(Settings s, String name, int n, double N) {
        if (name.equals("prop4.1b")) {
            LinearInstance in = LinearInstances.byName(name, 1, Map.of("n", (double) n, "d", (double) s.d41b(), "N", Math.pow(N, 1 + s.a())));
            return new FiniteClass(in, in.theta().members().orElseThrow());
        }
        LinearInstance in = LinearInstances.byName(name, 1, Map.of("n", (double) n, "d", (double) s.d41a()));
        List<double[]> grid = new ArrayList<>();
        int d = s.d41a(), L = s.levels41a();
        for (int code = 0; code < Math.pow(L, d - 1); code++) {
            double[] theta = new double[d];
            theta[0] = 1;
            for (int y = 1, c = code; y < d; y++, c /= L) theta[y] = -1 + 2.0 * (c % L) / (L - 1);
            grid.add(theta);
        }
        return new FiniteClass(in, grid);
    }

    /** One (instance, n, N, seed): the four choices and their exact coverage, rows of {@link #header()}. */
    static List<Object[]> cell(Settings s, long master, String name, int n, double N, int seed) {
        FiniteClass pi = finiteClass(s, name, n, N);
        int K = pi.size(), V = pi.instance().task().vocabSize(), M = s.onPolicySamples();
        double level = Math.pow(N, 1 + s.a());
        double[] cov = pi.coverage(level), covAtNa = pi.coverage(Math.pow(N, s.a()));
        double best = java.util.Arrays.stream(covAtNa).min().orElseThrow();
        // Shared across N (common random numbers where the class does not depend on N): data, order, on-policy draws.
        Seeds seeds = new Seeds(master).child(name + "/n" + n + "/seed" + seed);
        int[] order = shuffled(K, seeds.stream("order")); // candidate j is member order[j]
        double[][] lp = pi.logProbTable();
        DataStream data = new DataStream(pi.instance().task(), seeds);
        int[] xs = new int[n], cells = new int[n];
        for (int i = 0; i < n; i++) {
            DataStream.Sample z = data.next();
            xs[i] = z.prompt()[0];
            cells[i] = xs[i] * V + z.response()[0];
        }
        double[][] logp = new double[K][n]; // (K, n) log pi_k(y_i | x_i), candidates in shuffled order
        for (int j = 0; j < K; j++) for (int i = 0; i < n; i++) logp[j][i] = lp[order[j]][cells[i]];
        double[][][] onPolicy = new double[K][K][n * M]; // (sampler k, scorer k', i*M + m)
        SplittableRandom rng = seeds.stream("on-policy");
        for (int j = 0; j < K; j++) {
            LinearSoftmaxModel sampler = pi.model(order[j]);
            for (int i = 0; i < n; i++)
                for (int m = 0; m < M; m++) {
                    int y = sampler.sample(new int[] {xs[i]}, 1, -1, Sampler.ANCESTRAL, rng)[0];
                    for (int jp = 0; jp < K; jp++) onPolicy[j][jp][i * M + m] = lp[order[jp]][xs[i] * V + y];
                }
        }
        LogProbTable table = LogProbTable.of(logp, new OnPolicyLogProbs(M, onPolicy));
        double[] covInOrder = new double[K];
        for (int j = 0; j < K; j++) covInOrder[j] = cov[order[j]];
        Map<String, Selector> selectors = Map.of(MLE, new MinCrossEntropy(), SIMPLE, new SimpleTournament(N),
                OFFSET, new OffsetTournament(N, s.a()), BEST, new OracleBestCoverage(covInOrder));
        List<Object[]> rows = new ArrayList<>();
        for (String method : METHODS) {
            int member = order[selectors.get(method).select(table).chosen()];
            rows.add(new Object[] {name, method, n, N, seed, cov[member], level, member, K, best});
        }
        return rows;
    }

    /** A uniformly random permutation of 0..K-1 (Fisher-Yates). */
    static int[] shuffled(int K, SplittableRandom rng) {
        int[] p = new int[K];
        for (int i = 0; i < K; i++) p[i] = i;
        for (int i = K - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
