package org.covlab.bon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.SplittableRandom;
import org.covlab.metric.CoverageBounds.RegretBound;
import org.covlab.metric.Estimate;
import org.covlab.model.AutoregressiveModel;
import org.covlab.task.LinearInstance;
import org.covlab.task.LinearInstances;
import org.covlab.util.Seeds;
import org.junit.jupiter.api.Test;

class BestOfNTest {

    private static final int[] GRID = {1, 2, 4, 8, 16, 32, 64, 128, 256};

    /*
     * The sampled checks of this class hold for any seed but with probability at most 1e-6 each: T = ln(2e6) below.
     * A sampled success rate is the mean of n independent 0/1 outcomes whose means average to the exact value, so
     * by Chernoff-Hoeffding (Hoeffding 1963, Thm. 1) P(n KL(sampled || exact) >= T) <= 2 e^-T = 1e-6; likewise
     * P(|mean - E| >= sqrt(T / 2n)) <= 1e-6 for a mean of n independent values in [0, 1]. There are 18 + 27 + 9 = 54
     * such checks, so by Bonferroni a correct BestOfN fails this class at any seed with probability <= 5.4e-5.
     */
    private static final double T = Math.log(2e6);

    /** KL(Bernoulli(q) || Bernoulli(p)), with 0 log 0 = 0. */
    private static double kl(double q, double p) {
        return (q > 0 ? q * Math.log(q / p) : 0) + (q < 1 ? (1 - q) * Math.log((1 - q) / (1 - p)) : 0);
    }

    /** Asserts that {@code exact} can be the mean behind {@code sampled} (n outcomes); returns n KL(sampled || exact). */
    private static double assertPlausible(double sampled, double exact, int n, String what) {
        double nKl = n * kl(sampled, exact);
        assertThat(nKl).as("%s: sampled %.4f vs exact %.4f over %d: n KL = %.2f >= %.2f", what, sampled, exact, n, nKl, T)
                .isLessThan(T);
        return nKl;
    }

    /** Every N's exact value is plausible given its sampled rate; returns the largest |sampled - exact|. */
    private static double assertAgree(BestOfNResult r, String what) {
        assertThat(r.exact()).as(what + ": exact curve").isNotNull();
        double max = 0, maxKl = 0;
        for (int i = 0; i < r.ns().length; i++) {
            Estimate s = r.success()[i];
            maxKl = Math.max(maxKl, assertPlausible(s.value(), r.exact()[i], r.prompts(), what + " N=" + r.ns()[i]));
            max = Math.max(max, Math.abs(s.value() - r.exact()[i]));
        }
        System.out.printf("%s: sampled vs exact Best-of-N, max |diff| = %.4f, max n KL = %.2f (limit %.2f) over %d N%n",
                what, max, maxKl, T, r.ns().length);
        return max;
    }

    @Test void exactAndSampledAgreeOnALinearInstance() {
        // pivotal at H = 4 with a weak rule: pi_D breaks it often, so the MLE on 8 samples succeeds at N = 1 about half the time.
        LinearInstance in = LinearInstances.byName("pivotal", 4, Map.of("k", 2.0, "rule", 0.15));
        AutoregressiveModel mle = LinearModelSpec.model(in, 8, new Seeds(3));
        BestOfNResult r = BestOfN.measure(in.task(), mle, new BestOfN.Settings(GRID, 2000, 5, 2));
        assertAgree(r, "pivotal H=4, MLE n=8");
        assertThat(r.success()[0].value()).as("not trivial at N=1").isBetween(0.05, 0.95);
        // exact = 1 - (1 - pi_hat(A))^N, with pi_hat(A) from our own listing of V^H (one prompt).
        double pA = 0;
        for (int[] y : Tiny.all(in.task().vocabSize(), 4))
            if (in.task().verifier().accepts(in.task().prompts().get(0), y)) pA += Math.exp(mle.sequenceLogProb(new int[] {0}, y));
        double maxDiff = 0;
        for (int i = 0; i < GRID.length; i++) maxDiff = Math.max(maxDiff, Math.abs(r.exact()[i] - (1 - Math.pow(1 - pA, GRID[i]))));
        System.out.printf("exact curve vs own listing of V^H: max diff %.3g%n", maxDiff);
        assertThat(maxDiff).isLessThan(1e-12);
    }

    @Test void exactAndSampledAgreeOnAHandMadeTask() {
        SplittableRandom rnd = new SplittableRandom(11);
        Tiny.ProductModel data = new Tiny.ProductModel(Tiny.randomTables(3, 2, 3, 1, rnd));
        Tiny.ProductModel model = new Tiny.ProductModel(Tiny.randomTables(3, 2, 3, 3, rnd));
        Tiny.TinyTask task = new Tiny.TinyTask(new double[] {0.5, 0.3, 0.2}, data, 2, (x, y) -> y[0] == y[1]);
        BestOfNResult r = BestOfN.measure(task, model, new BestOfN.Settings(GRID, 3000, 7, 2));
        assertAgree(r, "hand-made 3 prompts, V=3, H=2");
        // exact over the drawn prompts is within prompt-sampling error (Hoeffding, see T) of the exact value under mu.
        for (int i = 0; i < GRID.length; i++) {
            double underMu = 0;
            for (int x = 0; x < 3; x++) underMu += task.mu()[x] * (1 - Math.pow(1 - model.mass(x, task.verifier(), 2), GRID[i]));
            assertThat(r.exact()[i]).as("N=%d", GRID[i]).isCloseTo(underMu, within(Math.sqrt(T / (2 * r.prompts()))));
        }
    }

    @Test void knownAnswerGivesOneMinusOneMinusPToTheN() {
        for (double p : new double[] {0.3, 0.02, 0.001}) {
            BestOfNResult r = BestOfN.measure(Tiny.singleAnswer(), Tiny.coin(p), new BestOfN.Settings(GRID, 1500, 1, 2));
            double max = 0;
            for (int i = 0; i < GRID.length; i++) {
                double want = 1 - Math.pow(1 - p, GRID[i]);
                max = Math.max(max, Math.abs(r.exact()[i] - want));
                assertPlausible(r.success()[i].value(), want, r.prompts(), "p=" + p + " N=" + GRID[i]);
            }
            System.out.printf("known answer p=%s: exact vs 1-(1-p)^N max diff %.3g%n", p, max);
            assertThat(max).isLessThan(1e-12);
            assertThat(r.targetSuccess()).isEqualTo(1.0);
        }
    }

    @Test void drawsAreNestedAndReusedAcrossTheNList() {
        LinearInstance in = LinearInstances.byName("bernoulli", 1, Map.of("p", 0.1));
        org.covlab.task.LinearTask task = in.task();
        AutoregressiveModel model = in.dataModel();
        var x = task.prompts().get(0);
        int longer = 0;
        for (int j = 0; j < 300; j++) {
            BestOfN.Draws four = BestOfN.draw(task, model, x, 4, new Seeds(2).stream("draws", j));
            BestOfN.Draws sixteen = BestOfN.draw(task, model, x, 16, new Seeds(2).stream("draws", j));
            // the first 4 of 16 draws are the 4 draws
            if (sixteen.firstAccepted() <= 4) assertThat(four.firstAccepted()).isEqualTo(sixteen.firstAccepted());
            else { assertThat(four.firstAccepted()).isEqualTo(5); longer++; }
            boolean before = false;
            for (int n = 1; n <= 16; n++) {
                assertThat(!before || sixteen.success(n)).as("success non-decreasing in N").isTrue();
                before = sixteen.success(n);
            }
        }
        assertThat(longer).as("some prompts need more than 4 draws").isGreaterThan(0);

        BestOfNResult both = BestOfN.measure(task, model, new BestOfN.Settings(new int[] {1, 4}, 500, 9, 2));
        BestOfNResult only = BestOfN.measure(task, model, new BestOfN.Settings(new int[] {4}, 500, 9, 2));
        assertThat(both.success()[1]).isEqualTo(only.success()[0]);
        assertThat(both.success()[0].value()).isLessThanOrEqualTo(both.success()[1].value());
    }

    @Test void threadsDoNotChangeTheResult() {
        LinearInstance in = LinearInstances.byName("bernoulli", 3, Map.of("p", 0.1));
        BestOfN.Settings one = new BestOfN.Settings(GRID, 400, 4, 1), two = new BestOfN.Settings(GRID, 400, 4, 2);
        BestOfNResult a = BestOfN.measure(in.task(), in.dataModel(), one), b = BestOfN.measure(in.task(), in.dataModel(), two);
        assertThat(b.success()).isEqualTo(a.success());
        assertThat(b.exact()).isEqualTo(a.exact());
        assertThat(b.drawn()).isEqualTo(a.drawn());
    }

    /**
     * Where the propositions say they must hold, on exact curves: Prop. D.6 (regret <= Cov_M + eps) for the task's
     * reward; Prop. D.7 (regret >= ½ Cov_2N) for its witness reward always, and for the task's reward when pi_T is
     * deterministic (one correct response per prompt).
     */
    @Test void coverageBoundsBracketTheRegret() {
        SplittableRandom rnd = new SplittableRandom(5);
        double slackUpper = Double.POSITIVE_INFINITY, slackLower = Double.POSITIVE_INFINITY;
        int upperUsed = 0;
        for (int trial = 0; trial < 30; trial++) {
            int K = 1 + rnd.nextInt(3);
            double[] mu = new double[K];
            for (int x = 0; x < K; x++) mu[x] = 1.0 / K;
            Tiny.ProductModel data = new Tiny.ProductModel(Tiny.randomTables(K, 2, 3, 1 + 3 * rnd.nextDouble(), rnd));
            Tiny.ProductModel model = new Tiny.ProductModel(Tiny.randomTables(K, 2, 3, 1 + 6 * rnd.nextDouble(), rnd));
            int target = rnd.nextInt(3);
            Tiny.TinyTask task = new Tiny.TinyTask(mu, data, 2, (x, y) -> y[0] == target || y[1] == target);
            BestOfNResult r = BestOfN.measure(task, model, new BestOfN.Settings(GRID, 30, trial, 1));
            for (int i = 0; i < GRID.length; i++) {
                double regret = r.targetSuccess() - r.exact()[i];
                RegretBound u = r.regretUpper()[i];
                if (u != null) {
                    upperUsed++;
                    assertThat(regret).as("D.6 trial %d N=%d", trial, GRID[i]).isLessThanOrEqualTo(u.value() + 1e-12);
                    slackUpper = Math.min(slackUpper, u.value() - regret);
                }
                assertThat(r.witnessRegret()[i]).as("D.7 trial %d N=%d", trial, GRID[i]).isGreaterThanOrEqualTo(r.regretLower()[i] - 1e-12);
                slackLower = Math.min(slackLower, r.witnessRegret()[i] - r.regretLower()[i]);
            }
        }
        for (double p : new double[] {0.5, 0.05, 0.004, 1e-4}) {  // deterministic pi_T: the task's own regret
            BestOfNResult r = BestOfN.measure(Tiny.singleAnswer(), Tiny.coin(p), new BestOfN.Settings(GRID, 10, 1, 1));
            for (int i = 0; i < GRID.length; i++) {
                double regret = 1 - r.exact()[i];
                assertThat(regret).as("D.7 p=%s N=%d", p, GRID[i]).isGreaterThanOrEqualTo(r.regretLower()[i]);
                if (r.regretUpper()[i] != null) assertThat(regret).isLessThanOrEqualTo(r.regretUpper()[i].value());
            }
        }
        System.out.printf("bounds: D.6 applied at %d (trial, N), min slack %.3g; D.7 witness min slack %.3g%n",
                upperUsed, slackUpper, slackLower);
        assertThat(upperUsed).as("D.6 applies somewhere").isGreaterThan(30);
    }
}
