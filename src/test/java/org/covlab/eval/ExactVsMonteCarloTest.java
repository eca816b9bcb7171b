package org.covlab.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.covlab.decode.Sampler;
import org.covlab.metric.ConfidenceIntervals;
import org.covlab.metric.CoverageProfile;
import org.covlab.metric.CoverageSummary;
import org.covlab.metric.Estimate;
import org.covlab.metric.LogMath;
import org.covlab.metric.LogRatioRecord;
import org.covlab.metric.PassAtN;
import org.covlab.task.Prompt;
import org.covlab.task.Verifier;
import org.covlab.util.Seeds;
import org.junit.jupiter.api.Test;

/**
 * Every metric computed twice on binary sequences of length H = 6, pi_D a product distribution and pi_hat a
 * random fully autoregressive model (two groups mixed 0.7 / 0.3): exactly, by enumerating all 64 responses per prompt, and by Monte Carlo. The exact value
 * must fall inside the Monte Carlo 99.9% interval (z = 3.29: many comparisons, fixed seeds).
 */
class ExactVsMonteCarloTest {
    private static final double Z = 3.29, LEVEL = 0.999;
    private static final int H = 6, SAMPLES = 8000;
    private static final double[] MU = {0.7, 0.3};
    private static final double[][] DATA = {{0.9, 0.2, 0.5, 0.7, 0.95, 0.4}, {0.3, 0.6, 0.1, 0.8, 0.5, 0.5}};
    private static final double[] NS = {1.5, 2, 4, 16, 64};

    /** Accepts responses with at least four ones. */
    private static final Verifier MOSTLY_ONES = (x, y) -> {
        int ones = 0;
        for (int t : y) ones += t;
        return ones >= 4;
    };

    private final Seeds seeds = new Seeds(2026);
    private final ToyModel data = ToyModel.bernoulli(DATA);
    private final ToyModel model = ToyModel.random(2, H, MU.length, 1.5, seeds.stream("init"));
    private final ToyTask task = new ToyTask(data, H, MU, MOSTLY_ONES);

    /** mu exactly: 7 copies of the G0 prompt and 3 of G1, each enumerated. */
    private List<WeightedSequence> exactSupport() {
        List<Prompt> prompts = new ArrayList<>();
        prompts.addAll(Collections.nCopies(7, ToyTask.prompt(0)));
        prompts.addAll(Collections.nCopies(3, ToyTask.prompt(1)));
        return Evaluation.enumerate(task, prompts);
    }

    private List<WeightedSequence> samples() {
        SplittableRandom rng = seeds.stream("data");
        List<Prompt> prompts = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) prompts.add(task.samplePrompt(rng));
        return Evaluation.sample(task, prompts, 1, rng);
    }

    /** |exact - estimate| in units of the interval's half-width on the side of the exact value. */
    private static double standardised(double exact, Estimate e) {
        double diff = Math.abs(exact - e.value());
        if (diff <= 1e-12) return 0;  // rounding: a degenerate interval still agrees
        return diff / (exact >= e.value() ? e.upper() - e.value() : e.value() - e.lower());
    }

    @Test void coverageProfileAndKl() {
        List<WeightedSequence> support = exactSupport();
        assertThat(support.stream().mapToDouble(WeightedSequence::weight).sum()).isCloseTo(1, within(1e-12));
        CoverageSummary exact = CoverageProfile.summarize(Evaluation.records(task, model, support), NS);
        List<LogRatioRecord> sampled = Evaluation.records(task, model, samples());
        CoverageSummary mc = CoverageProfile.summarize(sampled, NS);
        double worst = 0;
        for (String g : List.of("G0", "G1")) {
            CoverageSummary e = g.equals("G0") ? exact.groups().get("G0") : exact.groups().get("G1");
            CoverageSummary m = mc.groups().get(g);
            for (int i = 0; i < NS.length; i++) {
                double truth = e.coverage().get(i).value();
                Estimate est = ConfidenceIntervals.wilson(m.coverage().get(i).value(), m.effectiveSampleSize(), Z);
                worst = Math.max(worst, standardised(truth, est));
                assertThat(standardised(truth, est)).as("%s Cov_%s exact %s vs %s", g, NS[i], truth, est).isLessThanOrEqualTo(1);
            }
        }
        for (int i = 0; i < NS.length; i++) {
            double truth = exact.coverage().get(i).value();
            Estimate est = ConfidenceIntervals.wilson(mc.coverage().get(i).value(), mc.effectiveSampleSize(), Z);
            worst = Math.max(worst, standardised(truth, est));
            assertThat(standardised(truth, est)).as("Cov_%s exact %s vs %s", NS[i], truth, est).isLessThanOrEqualTo(1);
        }
        Estimate kl = ConfidenceIntervals.bootstrap(sampled, CoverageProfile::kl, 2000, LEVEL, seeds.stream("bootstrap"));
        worst = Math.max(worst, standardised(exact.kl(), kl));
        System.out.printf("exact vs MC: Cov_N (all, G0, G1) and KL %.4f vs %s; worst |diff| = %.2f half-widths%n",
                exact.kl(), kl, worst);
        assertThat(standardised(exact.kl(), kl)).isLessThanOrEqualTo(1);
        assertThat(exact.coverageAt(1.5).value()).isGreaterThan(exact.coverageAt(64).value());  // not degenerate
        assertThat(exact.coverageAt(64).value()).isGreaterThan(0);
    }

    @Test void stoppedKl() {
        List<WeightedSequence> sampled = samples();
        double[] exact = StoppedKl.stoppedKl(data, model, exactSupport(), NS);
        double[] mc = StoppedKl.stoppedKl(data, model, sampled, NS);
        List<Double> klSums = new ArrayList<>();
        for (WeightedSequence s : sampled) klSums.add(StoppedKl.tokenKlSum(data, model, s.prompt().tokens(), s.response()));
        double worst = 0;
        for (int i = 0; i < NS.length; i++) {
            double logN = Math.log(NS[i]);
            Estimate est = ConfidenceIntervals.bootstrap(klSums,
                    l -> l.stream().mapToDouble(v -> Math.min(logN, v)).average().orElseThrow(), 1000, LEVEL,
                    seeds.stream("bootstrap", i));
            assertThat(est.value()).isCloseTo(mc[i], within(1e-12));
            worst = Math.max(worst, standardised(exact[i], est));
            assertThat(standardised(exact[i], est)).as("D_seq,%s exact %s vs %s", NS[i], exact[i], est).isLessThanOrEqualTo(1);
        }
        System.out.printf("exact vs MC stopped KL: worst |diff| = %.2f half-widths%n", worst);
    }

    @Test void passAtNExactVersusSampled() {
        int[] ns = {1, 2, 4, 8};
        double[] logpAccepted = new double[MU.length];  // log pi_hat(>= 4 ones | x), by enumeration
        for (int g = 0; g < MU.length; g++) {
            logpAccepted[g] = Double.NEGATIVE_INFINITY;
            for (int[] y : task.allResponses()) {
                if (MOSTLY_ONES.accepts(ToyTask.prompt(g), y))
                    logpAccepted[g] = LogMath.logAddExp(logpAccepted[g], model.sequenceLogProb(new int[] {g}, y));
            }
        }
        SplittableRandom rng = seeds.stream("sampling");
        List<Prompt> prompts = new ArrayList<>();
        for (int i = 0; i < 3000; i++) prompts.add(task.samplePrompt(rng));
        Estimate[] sampled = SampledPassAtN.sampled(task, model, prompts, ns, Sampler.ANCESTRAL, rng);
        double worst = 0;
        for (int j = 0; j < ns.length; j++) {
            double exact = 0;
            for (int g = 0; g < MU.length; g++) exact += MU[g] * PassAtN.exact(logpAccepted[g], ns[j]);
            Estimate est = ConfidenceIntervals.wilson(sampled[j].value(), prompts.size(), Z);
            assertThat(sampled[j]).isEqualTo(ConfidenceIntervals.wilson(Math.round(sampled[j].value() * 3000), 3000));
            worst = Math.max(worst, standardised(exact, est));
            assertThat(standardised(exact, est)).as("Pass@%d exact %s vs %s", ns[j], exact, est).isLessThanOrEqualTo(1);
        }
        System.out.printf("exact vs sampled Pass@N: worst |diff| = %.2f half-widths%n", worst);
        assertThat(sampled[0].value()).isLessThan(sampled[3].value());
    }
}
