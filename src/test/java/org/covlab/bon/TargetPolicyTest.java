package org.covlab.bon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.SplittableRandom;
import org.covlab.metric.CoverageProfile;
import org.covlab.task.LinearInstance;
import org.covlab.task.LinearInstances;
import org.covlab.task.Prompt;
import org.junit.jupiter.api.Test;

class TargetPolicyTest {

    private static final Tiny.ProductModel DATA = new Tiny.ProductModel(new double[][][] {{{0.7, 0.3}}});
    private static final Tiny.ProductModel MODEL = new Tiny.ProductModel(new double[][][] {{{0.95, 0.05}}});

    @Test void piTIsPiDRestrictedToAcceptedResponses() {
        Tiny.TinyTask onlyOne = new Tiny.TinyTask(new double[] {1}, DATA, 1, (x, y) -> y[0] == 1);
        TargetPolicy t = TargetPolicy.of(onlyOne, Tiny.prompt(0), MODEL, new SplittableRandom(1));
        assertThat(t.exact()).isTrue();
        assertThat(t.logpTarget()).containsExactly(0.0);  // pi_T = delta_1: log 0.3 - log 0.3
        assertThat(t.weight()).containsExactly(1.0);
        assertThat(t.logModelMass()).isCloseTo(Math.log(0.05), within(1e-15));

        Tiny.TinyTask any = new Tiny.TinyTask(new double[] {1}, DATA, 1, (x, y) -> true);
        TargetPolicy all = TargetPolicy.of(any, Tiny.prompt(0), MODEL, new SplittableRandom(1));
        assertThat(all.logpTarget()).containsExactly(new double[] {Math.log(0.7), Math.log(0.3)}, within(1e-15));  // pi_T = pi_D
        assertThat(all.logModelMass()).isCloseTo(0, within(1e-15));
        // witness set of Prop. D.7 at N = 2: pi_T/pi_hat >= 4 only for token 1 (0.3/0.05 = 6), not token 0 (0.7/0.95)
        assertThat(all.witnessMasses(2)).containsExactly(new double[] {0.3, 0.05}, within(1e-15));

        Tiny.TinyTask none = new Tiny.TinyTask(new double[] {1}, DATA, 1, (x, y) -> false);
        assertThat(TargetPolicy.of(none, Tiny.prompt(0), MODEL, new SplittableRandom(1)).attainable()).isFalse();
    }

    @Test void monteCarloPiTMatchesTheListedOne() {
        LinearInstance in = LinearInstances.byName("pivotal", 4, Map.of("k", 2.0, "rule", 0.3));
        var mle = LinearModelSpec.model(in, 8, new org.covlab.util.Seeds(1));
        Prompt x = in.task().prompts().get(0);
        TargetPolicy listed = TargetPolicy.of(in.task(), x, mle, new SplittableRandom(1));
        TargetPolicy sampled = TargetPolicy.sampled(in.task(), x, mle.open(x.tokens()), new SplittableRandom(2));
        assertThat(listed.exact()).isTrue();
        assertThat(sampled.exact()).isFalse();
        assertThat(sum(listed.weight())).isCloseTo(1, within(1e-12));
        assertThat(sum(sampled.weight())).isCloseTo(1, within(1e-12));
        CoverageProfile a = CoverageProfile.of(listed.records("x", "all", 1)), b = CoverageProfile.of(sampled.records("x", "all", 1));
        double max = 0;
        for (double m : new double[] {1, 1.5, 2, 4, 8, 16, 64}) max = Math.max(max, Math.abs(a.coverage(m) - b.coverage(m)));
        System.out.printf("listed Cov_1.5 = %.3f, Cov_2 = %.3f%n", a.coverage(1.5), a.coverage(2));
        assertThat(a.coverage(1.5)).as("a profile that is neither 0 nor 1").isBetween(0.05, 0.95);
        System.out.printf("Cov_M(pi_T || pi_hat): Monte Carlo (%d draws) vs listed, max diff %.4f%n", TargetPolicy.MONTE_CARLO_DRAWS, max);
        assertThat(max).isLessThan(0.04);
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s;
    }
}
