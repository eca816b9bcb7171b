package org.covlab.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.covlab.metric.CoverageProfile;
import org.covlab.model.LogSpace;
import org.covlab.task.Verifier;
import org.covlab.util.Seeds;
import org.junit.jupiter.api.Test;

class StoppedKlTest {

    private static double bernoulliKl(double p, double q) {
        return p * Math.log(p / q) + (1 - p) * Math.log((1 - p) / (1 - q));
    }

    @Test void oneStepIsTheKlCappedAtLogN() {
        ToyModel data = ToyModel.bernoulli(new double[][] {{0.3}});
        ToyModel model = ToyModel.bernoulli(new double[][] {{0.1}});
        ToyTask task = new ToyTask(data, 1, new double[] {1}, Verifier.ANY);
        List<WeightedSequence> support = Evaluation.enumerate(task, List.of(ToyTask.prompt(0)));
        double kl = bernoulliKl(0.3, 0.1);  // 0.1537
        double[] d = StoppedKl.stoppedKl(data, model, support, new double[] {1, 1.01, 100});
        assertThat(d[0]).isEqualTo(0.0);
        assertThat(d[1]).isCloseTo(Math.log(1.01), within(1e-15));
        assertThat(d[2]).isCloseTo(kl, within(1e-15));
    }

    @Test void productStepsAddTheirKls() {
        // Two independent steps: every response sees KL_1 + KL_2 = 0.1537 + 0.0823 = 0.2360.
        ToyModel data = ToyModel.bernoulli(new double[][] {{0.3, 0.5}});
        ToyModel model = ToyModel.bernoulli(new double[][] {{0.1, 0.7}});
        ToyTask task = new ToyTask(data, 2, new double[] {1}, Verifier.ANY);
        List<WeightedSequence> support = Evaluation.enumerate(task, List.of(ToyTask.prompt(0)));
        double sum = bernoulliKl(0.3, 0.1) + bernoulliKl(0.5, 0.7);
        assertThat(StoppedKl.tokenKlSum(data, model, new int[] {0}, new int[] {1, 0})).isCloseTo(sum, within(1e-15));
        assertThat(StoppedKl.stoppedKl(data, model, support, 1.2)).isCloseTo(Math.log(1.2), within(1e-15));
        assertThat(StoppedKl.stoppedKl(data, model, support, 2)).isCloseTo(sum, within(1e-15));
    }

    @Test void withoutTheStopItIsTheSequenceKl() {
        // Chain rule: E_{pi_D}[sum_h KL_h] = KL(pi_D || pi) of the sequences, computed from records.
        Seeds seeds = new Seeds(21);
        double maxDiff = 0;
        for (int trial = 0; trial < 5; trial++) {
            ToyModel data = ToyModel.random(3, 3, 2, 2, seeds.stream("data", trial));
            ToyModel model = ToyModel.random(3, 3, 2, 2, seeds.stream("init", trial));
            ToyTask task = new ToyTask(data, 3, new double[] {0.5, 0.5}, Verifier.ANY);
            List<WeightedSequence> support = Evaluation.enumerate(task, List.of(ToyTask.prompt(0), ToyTask.prompt(1)));
            double seqKl = CoverageProfile.kl(Evaluation.records(task, model, support));
            double stopped = StoppedKl.stoppedKl(data, model, support, 1e300);
            maxDiff = Math.max(maxDiff, Math.abs(seqKl - stopped));
            assertThat(stopped).isCloseTo(seqKl, within(1e-12));
        }
        System.out.printf("stopped KL (N = 1e300) vs sequence KL: max |diff| = %.3g%n", maxDiff);
    }

    @Test void missingTokenGivesInfiniteKl() {
        double[] p = {Math.log(0.5), Math.log(0.5)};
        double[] q = {0, Double.NEGATIVE_INFINITY};
        assertThat(LogSpace.kl(p, q)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(LogSpace.kl(q, p)).isCloseTo(Math.log(2), within(1e-15));
        assertThat(LogSpace.kl(new double[] {-800, 0}, new double[] {Double.NEGATIVE_INFINITY, 0})).isEqualTo(0.0);
    }
}
