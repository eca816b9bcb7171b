package org.covlab.metric;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.covlab.eval.Evaluation;
import org.covlab.eval.StoppedKl;
import org.covlab.eval.ToyModel;
import org.covlab.eval.ToyTask;
import org.covlab.eval.WeightedSequence;
import org.covlab.task.Verifier;
import org.covlab.util.Seeded;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Props. 3.1, D.4, D.10 (theorems: they must hold exactly on enumerated distributions) and D.6/D.7 against
 * exact Pass@N regret, on random small distributions. Prints the smallest slack bound - measured seen.
 */
@ExtendWith(Seeded.class)
class CoverageBoundsPropertyTest {
    private static final double TOL = 1e-12;  // rounding only
    private static double minKlSlack = Double.POSITIVE_INFINITY, minHellingerSlack = Double.POSITIVE_INFINITY,
            minStoppedSlack = Double.POSITIVE_INFINITY, minUpperSlack = Double.POSITIVE_INFINITY,
            minLowerSlack = Double.POSITIVE_INFINITY;

    /** Probabilities proportional to u^spread: spread 4 gives ratios spanning many orders of magnitude. */
    private static double[] randomDistribution(SplittableRandom rng, int k, double spread) {
        double[] p = new double[k];
        double total = 0;
        for (int i = 0; i < k; i++) total += p[i] = Math.pow(rng.nextDouble(), spread) + 1e-12;
        for (int i = 0; i < k; i++) p[i] /= total;
        return p;
    }

    /** Enumerated records of random pi_D, pi_hat over a few prompts; pi_hat may put mass off supp pi_D. */
    private static List<LogRatioRecord> randomPair(SplittableRandom rng) {
        int prompts = 1 + rng.nextInt(3), k = 2 + rng.nextInt(7), extra = rng.nextInt(3);
        double[] mu = randomDistribution(rng, prompts, 1);
        List<LogRatioRecord> out = new ArrayList<>();
        for (int x = 0; x < prompts; x++) {
            double[] data = randomDistribution(rng, k, 1 + rng.nextDouble(4));
            double[] model = randomDistribution(rng, k + extra, 1 + rng.nextDouble(6));
            for (int y = 0; y < k; y++) {
                out.add(new LogRatioRecord("x" + x + "/" + y, "all", mu[x] * data[y], Math.log(data[y]), Math.log(model[y])));
            }
        }
        return out;
    }

    private static double randomN(SplittableRandom rng) {
        return Math.exp(rng.nextDouble(0, 9));
    }

    static LongStream seeds() { return Seeded.seeds(300); }

    @ParameterizedTest @MethodSource("seeds")
    void klAndHellingerBoundsHold(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<LogRatioRecord> records = randomPair(rng);
        double kl = CoverageProfile.kl(records), h2 = CoverageBounds.hellingerSquared(records);
        CoverageProfile profile = CoverageProfile.of(records);
        for (int i = 0; i < 10; i++) {
            double n = randomN(rng), cov = profile.coverage(n);
            double klSlack = CoverageBounds.klBound(kl, n) - cov;            // Prop. 3.1
            double hSlack = CoverageBounds.hellingerBound(h2, n) - cov;      // Prop. D.4
            minKlSlack = Math.min(minKlSlack, klSlack);
            minHellingerSlack = Math.min(minHellingerSlack, hSlack);
            assertThat(klSlack).as("Prop 3.1 at N=%s", n).isGreaterThanOrEqualTo(-TOL);
            assertThat(hSlack).as("Prop D.4 at N=%s", n).isGreaterThanOrEqualTo(-TOL);
        }
    }

    @ParameterizedTest @MethodSource("seeds")
    void stoppedKlBoundHoldsOnAutoregressiveModels(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int vocab = 2 + rng.nextInt(2), horizon = 1 + rng.nextInt(3);
        ToyModel data = ToyModel.random(vocab, horizon, 2, 1 + rng.nextDouble(3), rng);
        ToyModel model = ToyModel.random(vocab, horizon, 2, 1 + rng.nextDouble(5), rng);
        ToyTask task = new ToyTask(data, horizon, new double[] {0.5, 0.5}, Verifier.ANY);
        List<WeightedSequence> support = Evaluation.enumerate(task, List.of(ToyTask.prompt(0), ToyTask.prompt(1)));
        CoverageProfile profile = CoverageProfile.of(Evaluation.records(task, model, support));
        double[] ns = new double[8];
        for (int i = 0; i < ns.length; i++) ns[i] = Math.E * Math.exp(rng.nextDouble(0.01, 8));
        double[] stopped = StoppedKl.stoppedKl(data, model, support, ns);
        for (int i = 0; i < ns.length; i++) {
            double slack = CoverageBounds.stoppedKlBound(stopped[i], ns[i]) - profile.coverage(ns[i]);  // Prop. D.10
            minStoppedSlack = Math.min(minStoppedSlack, slack);
            assertThat(slack).as("Prop D.10 at N=%s", ns[i]).isGreaterThanOrEqualTo(-TOL);
        }
    }

    @ParameterizedTest @MethodSource("seeds")
    void regretBoundsBracketExactBestOfN(long seed) {
        // Deterministic pi_T = pi_D: one correct y*(x) per prompt, reward 1{y = y*}; regret = 1 - Pass@N.
        SplittableRandom rng = new SplittableRandom(seed);
        int prompts = 1 + rng.nextInt(20);
        List<LogRatioRecord> records = new ArrayList<>();
        for (int x = 0; x < prompts; x++) {
            records.add(new LogRatioRecord("x" + x, "all", rng.nextDouble(0.1, 1), 0, -rng.nextDouble(0, 12)));
        }
        CoverageProfile profile = CoverageProfile.of(records);
        for (int i = 0; i < 5; i++) {
            double n = randomN(rng), regret = 1 - PassAtN.exact(records, n);
            double lowerSlack = regret - CoverageBounds.regretLowerBound(n, profile::coverage);     // Prop. D.7
            minLowerSlack = Math.min(minLowerSlack, lowerSlack);
            assertThat(lowerSlack).as("Prop D.7 at N=%s", n).isGreaterThanOrEqualTo(-TOL);
            var upper = CoverageBounds.regretUpperBound(n, profile::coverage);                  // Prop. D.6
            if (upper.isPresent()) {
                double slack = upper.get().value() - regret;
                minUpperSlack = Math.min(minUpperSlack, slack);
                assertThat(slack).as("Prop D.6 at N=%s", n).isGreaterThanOrEqualTo(-TOL);
            }
        }
    }

    @ParameterizedTest @MethodSource("seeds")
    void answerCoverageIsBoundedByMarkovWithinAnswers(long seed) {
        // Cov^ans_N <= Cov_M / (1 - M/N) for 1 <= M < N (see AnswerCoverage's Javadoc).
        SplittableRandom rng = new SplittableRandom(seed);
        List<LogRatioRecord> records = randomPair(rng);
        int answers = 1 + rng.nextInt(3);
        List<String> answerOf = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) answerOf.add("a" + rng.nextInt(answers));
        List<LogRatioRecord> byAnswer = AnswerCoverage.answerRecords(records,
                r -> r.id().substring(0, r.id().indexOf('/')), r -> answerOf.get(records.indexOf(r)));
        CoverageProfile profile = CoverageProfile.of(records), ansProfile = CoverageProfile.of(byAnswer);
        for (int i = 0; i < 5; i++) {
            double n = 1 + randomN(rng), m = 1 + (n - 1) * rng.nextDouble();
            assertThat(ansProfile.coverage(n)).isLessThanOrEqualTo(profile.coverage(m) / (1 - m / n) + TOL);
        }
    }

    @AfterAll
    static void report() {
        System.out.printf("bounds: min slack Prop 3.1 %.3g, D.4 %.3g, D.10 %.3g, D.6 %.3g, D.7 %.3g%n",
                minKlSlack, minHellingerSlack, minStoppedSlack, minUpperSlack, minLowerSlack);
    }
}
