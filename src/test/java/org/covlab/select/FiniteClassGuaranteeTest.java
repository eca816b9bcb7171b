package org.covlab.select;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.covlab.util.Seeds;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Thm 6.3 and 6.4 as sanity checks on a finite class with a known pi_D that is itself a member. The hidden
 * constants of "<~" are taken as 1 (Thm 6.3) and 10 (Thm 6.4); each check also asserts that some members
 * break the bound, so a selector that picked badly would fail.
 */
class FiniteClassGuaranteeTest {

    static final int PROMPTS = 20, V = 30, n = 2000, M = 4;
    static final double DELTA = 0.05;

    /** A finite class over PROMPTS uniform prompts and V responses: logp[k][x][y] = log pi_k(y|x). */
    record FiniteClass(double[][] logD, List<double[][]> members, int dataIndex) {

        /** True Cov_T(pi_D || pi_k), exactly, by enumeration. */
        double coverage(int k, double T) {
            double c = 0;
            for (int x = 0; x < PROMPTS; x++)
                for (int y = 0; y < V; y++)
                    if (logD[x][y] - members.get(k)[x][y] >= Math.log(T)) c += Math.exp(logD[x][y]) / PROMPTS;
            return c;
        }
    }

    static FiniteClass build(SplittableRandom rng) {
        double[][] logD = new double[PROMPTS][];
        for (int x = 0; x < PROMPTS; x++) {
            double[] z = new double[V];
            for (int y = 0; y < V; y++) z[y] = 1.5 * gaussian(rng);
            logD[x] = logSoftmax(z);
        }
        List<double[][]> members = new ArrayList<>();
        // Under-cover a random set of pi_D mass p by a factor f: Cov_T = about p for T < f, 0 beyond.
        double[][] shrink = {{0.1, 3}, {0.3, 10}, {0.2, 100}, {0.4, 1000}, {0.5, 50}, {0.05, 1e4}};
        for (double[] pf : shrink) members.add(shrink(logD, pf[0], pf[1], rng));
        int dataIndex = members.size() / 2;
        members.add(dataIndex, logD);
        for (double lambda : new double[] {0.1, 0.5, 0.9}) members.add(smooth(logD, lambda));
        for (double beta : new double[] {1.5, 3}) members.add(temper(logD, beta));
        return new FiniteClass(logD, members, dataIndex);
    }

    /** Validation pairs from pi_D and, with M > 0, M on-policy samples per prompt from every member. */
    static LogProbTable table(FiniteClass c, SplittableRandom rng, boolean onPolicy) {
        int K = c.members().size();
        int[] xs = new int[n], ys = new int[n];
        for (int i = 0; i < n; i++) {
            xs[i] = rng.nextInt(PROMPTS);
            ys[i] = sample(c.logD()[xs[i]], rng);
        }
        double[][] ll = new double[K][n];
        for (int k = 0; k < K; k++) for (int i = 0; i < n; i++) ll[k][i] = c.members().get(k)[xs[i]][ys[i]];
        LogProbTable t = LogProbTable.of(ll);
        if (!onPolicy) return t;
        double[][][] s = new double[K][K][n * M];
        for (int f = 0; f < K; f++)
            for (int i = 0; i < n; i++)
                for (int m = 0; m < M; m++) {
                    int y = sample(c.members().get(f)[xs[i]], rng);
                    for (int k = 0; k < K; k++) s[f][k][i * M + m] = c.members().get(k)[xs[i]][y];
                }
        return t.withOnPolicy(new OnPolicyLogProbs(M, s));
    }

    /** Thm 6.3: Cov_{N^(1+a)}(chosen) <= min_k Cov_{N^a}(pi_k) + 1/N^(1-a) + log(K/delta)/n. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void simpleTournamentMeetsTheorem63(long seed) {
        Seeds seeds = new Seeds(seed);
        FiniteClass c = build(seeds.stream("class"));
        LogProbTable t = table(c, seeds.stream("data"), false);
        int K = c.members().size();
        double N = 16;
        Selection s = new SimpleTournament(N).select(t);
        for (double a : new double[] {0.25, 0.5}) {   // one choice, checked against the bound for two a
            double best = Double.POSITIVE_INFINITY;
            for (int k = 0; k < K; k++) best = Math.min(best, c.coverage(k, Math.pow(N, a)));
            double bound = best + Math.pow(N, -(1 - a)) + Math.log(K / DELTA) / n;
            double got = c.coverage(s.chosen(), Math.pow(N, 1 + a));
            System.out.printf("seed %d a %.2f: chose %d, Cov_N^(1+a) = %.4f <= bound %.4f%n", seed, a, s.chosen(), got, bound);
            assertThat(got).isLessThanOrEqualTo(bound);
            assertThat(violators(c, Math.pow(N, 1 + a), bound)).isNotEmpty();
        }
    }

    /** Thm 6.4 with pi_D in the class (so the offset condition holds for any a): Cov_{2N^(1+a)}(chosen) <= 10 log(K/delta)/n. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void offsetTournamentMeetsTheorem64(long seed) {
        Seeds seeds = new Seeds(seed);
        FiniteClass c = build(seeds.stream("class"));
        LogProbTable t = table(c, seeds.stream("data"), true);
        int K = c.members().size();
        double N = 64, a = 0.25;   // N^(1-2a) = 8, the theorem's condition
        Selection s = new OffsetTournament(N, a).select(t);
        double bound = 10 * Math.log(K / DELTA) / n, T = 2 * Math.pow(N, 1 + a);
        double got = c.coverage(s.chosen(), T);
        System.out.printf("seed %d offset: chose %d, Cov_2N^(1+a) = %.4f <= bound %.4f%n", seed, s.chosen(), got, bound);
        assertThat(got).isLessThanOrEqualTo(bound);
        assertThat(violators(c, T, bound)).isNotEmpty();
    }

    private static List<Integer> violators(FiniteClass c, double T, double bound) {
        List<Integer> out = new ArrayList<>();
        for (int k = 0; k < c.members().size(); k++) if (c.coverage(k, T) > bound) out.add(k);
        return out;
    }

    private static double[][] shrink(double[][] logD, double p, double f, SplittableRandom rng) {
        double[][] out = new double[logD.length][];
        for (int x = 0; x < logD.length; x++) {
            double[] z = logD[x].clone();
            double mass = 0;
            while (mass < p) {   // shrink random responses until pi_D mass p is hit
                int y = rng.nextInt(V);
                if (z[y] == logD[x][y]) { z[y] -= Math.log(f); mass += Math.exp(logD[x][y]); }
            }
            out[x] = logSoftmax(z);
        }
        return out;
    }

    private static double[][] smooth(double[][] logD, double lambda) {
        double[][] out = new double[logD.length][V];
        for (int x = 0; x < logD.length; x++)
            for (int y = 0; y < V; y++) out[x][y] = Math.log((1 - lambda) * Math.exp(logD[x][y]) + lambda / V);
        return out;
    }

    private static double[][] temper(double[][] logD, double beta) {
        double[][] out = new double[logD.length][];
        for (int x = 0; x < logD.length; x++) {
            double[] z = logD[x].clone();
            for (int y = 0; y < V; y++) z[y] *= beta;
            out[x] = logSoftmax(z);
        }
        return out;
    }

    static double[] logSoftmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : z) max = Math.max(max, v);
        for (double v : z) sum += Math.exp(v - max);
        double lse = max + Math.log(sum);
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) out[i] = z[i] - lse;
        return out;
    }

    static int sample(double[] logp, SplittableRandom rng) {
        double u = rng.nextDouble(), acc = 0;
        for (int y = 0; y < logp.length; y++) {
            acc += Math.exp(logp[y]);
            if (u < acc) return y;
        }
        return logp.length - 1;
    }

    static double gaussian(SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }
}
