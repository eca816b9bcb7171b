package org.covlab.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class CoverageProfileTest {

    private static LogRatioRecord rec(String group, double w, double logpData, double logpModel) {
        return new LogRatioRecord("r", group, w, logpData, logpModel);
    }

    // Log ratios log 2.5 (w 1), log 10 (w 1), 0 (w 2); total weight 4.
    private static final List<LogRatioRecord> HAND = List.of(
            rec("A", 1, 0, Math.log(0.4)),
            rec("B", 1, 0, Math.log(0.1)),
            rec("A", 2, Math.log(0.5), Math.log(0.5)));

    @Test void coverageOfAHandComputedCase() {
        CoverageProfile p = CoverageProfile.of(HAND);
        assertThat(p.coverage(1)).isEqualTo(1.0);        // every ratio >= 0 = log 1
        assertThat(p.coverage(1.5)).isEqualTo(0.5);      // log 2.5 and log 10
        assertThat(p.coverage(2.5 * (1 - 1e-12))).isEqualTo(0.5);
        assertThat(p.coverage(3)).isEqualTo(0.25);       // only log 10
        assertThat(p.coverage(9.99)).isEqualTo(0.25);
        assertThat(p.coverage(10.01)).isEqualTo(0.0);
        assertThat(p.coverage(new double[] {3, 1, 1e9})).containsExactly(0.25, 1.0, 0.0);
    }

    @Test void klAndCrossEntropyOfAHandComputedCase() {
        // KL = (log 2.5 + log 10 + 2*0) / 4 = (0.916291 + 2.302585) / 4
        assertThat(CoverageProfile.kl(HAND)).isCloseTo(0.80471895621705, within(1e-13));
        // CE = (-log 0.4 - log 0.1 - 2 log 0.5) / 4 = (0.916291 + 2.302585 + 1.386294) / 4
        assertThat(CoverageProfile.crossEntropy(HAND)).isCloseTo(1.15129254649702, within(1e-13));
        // Kish: 4² / (1 + 1 + 4)
        assertThat(CoverageProfile.effectiveSampleSize(HAND)).isCloseTo(16.0 / 6, within(1e-13));
    }

    @Test void thresholdIsInclusive() {
        // 0 - (-log N) is exactly log N: the record sits on the threshold and counts (Def. 1.1 uses >=).
        double n = 7.3;
        List<LogRatioRecord> r = List.of(rec("all", 1, 0, -Math.log(n)), rec("all", 3, 0, 0));
        assertThat(CoverageProfile.coverage(r, n)).isEqualTo(0.25);
        assertThat(CoverageProfile.coverage(r, n * (1 + 1e-12))).isEqualTo(0.0);
    }

    @Test void zeroModelMassIsInfinitelyUnderCovered() {
        List<LogRatioRecord> r = List.of(rec("all", 1, -1, Double.NEGATIVE_INFINITY), rec("all", 1, -1, -1),
                rec("all", 0, -2, Double.NEGATIVE_INFINITY));  // zero weight: counts nowhere, not even in KL
        assertThat(CoverageProfile.coverage(r, 1e300)).isEqualTo(0.5);
        assertThat(CoverageProfile.kl(r)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(CoverageProfile.kl(r.subList(1, 3))).isEqualTo(0.0);
    }

    @Test void longSequencesStayInLogSpace() {
        // log-probs around -5000: exponentiating would underflow to 0/0.
        List<LogRatioRecord> r = List.of(rec("all", 1, -5000, -5003), rec("all", 1, -4000, -4000.5));
        assertThat(CoverageProfile.coverage(r, Math.exp(2))).isEqualTo(0.5);
        assertThat(CoverageProfile.kl(r)).isCloseTo(1.75, within(1e-12));
        assertThat(CoverageProfile.crossEntropy(r)).isCloseTo(4501.75, within(1e-9));
    }

    @Test void summaryReportsGroupsInFirstSeenOrderWithWilsonIntervals() {
        CoverageSummary s = CoverageProfile.summarize(HAND, new double[] {2, 1.5});
        assertThat(s.nRecords()).isEqualTo(3);
        assertThat(s.kl()).isEqualTo(CoverageProfile.kl(HAND));
        assertThat(s.ns()).containsExactly(2.0, 1.5);
        assertThat(s.coverageAt(2).value()).isEqualTo(0.5);
        assertThat(s.coverage().get(0))
                .isEqualTo(ConfidenceIntervals.wilson(0.5, 16.0 / 6, ConfidenceIntervals.Z_95));
        assertThat(s.groups().keySet()).containsExactly("A", "B");
        CoverageSummary a = s.groups().get("A");
        assertThat(a.nRecords()).isEqualTo(2);
        assertThat(a.coverageAt(2).value()).isCloseTo(1.0 / 3, within(1e-15));
        assertThat(a.effectiveSampleSize()).isCloseTo(9.0 / 5, within(1e-13));
        assertThat(a.kl()).isCloseTo(Math.log(2.5) / 3, within(1e-15));
        assertThat(a.groups()).isEmpty();
        assertThat(s.groups().get("B").coverageAt(2)).isEqualTo(ConfidenceIntervals.wilson(1, 1));
    }

    @Test void rejectsEmptyOrMasslessRecordsAndNBelowOne() {
        assertThatThrownBy(() -> CoverageProfile.of(List.of())).hasMessageContaining("no records");
        assertThatThrownBy(() -> CoverageProfile.kl(List.of(rec("a", 0, 0, 0)))).hasMessageContaining("positive");
        assertThatThrownBy(() -> CoverageProfile.of(HAND).coverage(0.99)).hasMessageContaining(">= 1");
        assertThatThrownBy(() -> CoverageProfile.of(HAND).coverage(Double.NaN)).hasMessageContaining(">= 1");
    }
}
