package org.covlab.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.covlab.metric.CoverageProfile;
import org.covlab.metric.LogRatioRecord;
import org.covlab.model.LinearSoftmaxModel;
import org.junit.jupiter.api.Test;

/** The atom DP behind {@link LinearInstance#exactRecords} against enumerating V^H, and against the KL/CE DP at large H. */
class ExactRecordsTest {

    private static final double[] NS = {1.5, 2, 4, 16, 256};

    /** A model away from theta*, so the log ratio has both signs and a tail. */
    private static LinearSoftmaxModel perturbed(LinearInstance in, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] theta = in.thetaStar();
        for (int j = 0; j < theta.length; j++) theta[j] = 0.6 * theta[j] + 0.3 * (rng.nextDouble() * 2 - 1);
        return in.model(theta);
    }

    @Test void atomsGiveTheSameCoverageKlAndCrossEntropyAsEnumeration() {
        double worst = 0;
        for (String name : List.of("prop3.2", "pivotal", "prop4.1b", "propI.1")) {
            LinearInstance in = LinearInstances.byName(name, 5);
            for (long seed = 1; seed <= 3; seed++) {
                LinearSoftmaxModel model = perturbed(in, seed);
                List<LogRatioRecord> exact = in.exactRecords(model, 100_000).orElseThrow();
                List<LogRatioRecord> enumerated = in.records(model, 1, new SplittableRandom(0)); // |V|^5 <= 4096: enumeration
                assertThat(exact.size()).as(name).isLessThanOrEqualTo(enumerated.size());
                CoverageProfile a = CoverageProfile.of(exact), b = CoverageProfile.of(enumerated);
                for (double n : NS) worst = Math.max(worst, Math.abs(a.coverage(n) - b.coverage(n)));
                worst = Math.max(worst, Math.abs(CoverageProfile.kl(exact) - CoverageProfile.kl(enumerated)));
                worst = Math.max(worst, Math.abs(CoverageProfile.crossEntropy(exact) - CoverageProfile.crossEntropy(enumerated)));
            }
        }
        System.out.printf("exact records (atom DP) vs enumeration of V^5 (Cov_N, KL, CE): max |diff| = %.2e%n", worst);
        assertThat(worst).isLessThan(1e-9);
    }

    @Test void atLongHorizonsTheAtomsStayFewAndMatchTheKlDp() {
        double worst = 0;
        for (String name : List.of("prop3.2", "pivotal", "prop4.1b")) {
            LinearInstance in = LinearInstances.byName(name, 128);
            LinearSoftmaxModel model = perturbed(in, 7);
            List<LogRatioRecord> exact = in.exactRecords(model, 50_000).orElseThrow();
            double kl = in.sequenceKl(model), ce = in.crossEntropy(model);
            worst = Math.max(worst, Math.abs(CoverageProfile.kl(exact) - kl) / Math.max(1, kl));
            worst = Math.max(worst, Math.abs(CoverageProfile.crossEntropy(exact) - ce) / Math.max(1, ce));
            double mass = exact.stream().mapToDouble(LogRatioRecord::weight).sum();
            assertThat(mass).as(name + " total mass").isBetween(1 - 1e-12, 1 + 1e-12);
            System.out.printf("%s at H=128: %d atoms%n", name, exact.size());
        }
        System.out.printf("exact records vs MarkovDp KL/CE at H=128: max relative |diff| = %.2e%n", worst);
        assertThat(worst).isLessThan(1e-9);
    }

    @Test void tooManyAtomsIsRefusedNotTruncated() {
        LinearInstance in = LinearInstances.byName("propI.1", 24); // every position its own coordinate: 2^24 sums
        assertThat(in.exactRecords(perturbed(in, 1), 1000)).isEmpty();
    }
}
