package org.covlab.select;

/**
 * The best in class, for experiments where pi_D is known (Thm 6.3-6.4's comparator): the candidate with the
 * smallest true {@code Cov_N(pi_D || pi_k)}, computed exactly elsewhere (e.g. by enumerating pi_D's support).
 * It uses the table only for the candidate names.
 *
 * @param trueCoverage (K) exact Cov_N of each candidate, in the table's order; each in [0, 1]
 */
public record OracleBestCoverage(double[] trueCoverage) implements Selector {

    public OracleBestCoverage {
        trueCoverage = trueCoverage.clone();
        for (double c : trueCoverage)
            if (!(c >= 0 && c <= 1)) throw new IllegalArgumentException("a coverage must be in [0, 1], got " + c);
    }

    @Override public String method() { return ORACLE; }

    @Override public Selection select(LogProbTable table) {
        if (table.K() != trueCoverage.length)
            throw new IllegalArgumentException(trueCoverage.length + " coverages for " + table.K() + " candidates");
        return Selection.byMinimum(ORACLE, table.candidates(), trueCoverage.clone(), null);
    }
}
