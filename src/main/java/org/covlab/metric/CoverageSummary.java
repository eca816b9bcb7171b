package org.covlab.metric;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link CoverageProfile#summarize} reports for a set of records (and, in {@link #groups()}, for each
 * group): KL, cross-entropy and Cov_N with Wilson intervals (Def. 1.1, section 3).
 *
 * @param nRecords            number of records
 * @param effectiveSampleSize Kish's (sum w)² / sum w², the n of the Wilson intervals
 * @param kl                  sequence KL(pi_D || pi_hat)
 * @param crossEntropy        sequence cross-entropy E_{pi_D}[-log pi_hat(y|x)]
 * @param ns                  the N grid, in the caller's order
 * @param coverage            Cov_N for each entry of {@code ns} (same index)
 * @param groups              the same figures per group, in first-seen order; empty inside a group
 */
public record CoverageSummary(int nRecords, double effectiveSampleSize, double kl, double crossEntropy,
                              List<Double> ns, List<Estimate> coverage, Map<String, CoverageSummary> groups) {
    public CoverageSummary {
        ns = List.copyOf(ns);
        coverage = List.copyOf(coverage);
        groups = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(groups, "groups")));
        if (ns.size() != coverage.size())
            throw new IllegalArgumentException(ns.size() + " N values but " + coverage.size() + " estimates");
        if (nRecords < 1) throw new IllegalArgumentException("nRecords must be >= 1, got " + nRecords);
    }

    /** The estimate for the first grid entry equal to {@code n}. */
    public Estimate coverageAt(double n) {
        int i = ns.indexOf(n);
        if (i < 0) throw new IllegalArgumentException("N = " + n + " is not in the grid " + ns);
        return coverage.get(i);
    }
}
