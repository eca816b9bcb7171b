package org.covlab.select;

import java.util.List;

/**
 * Picks one candidate out of K (notes section 3.1-3.2, paper section 6.3): checkpoint selection for Best-of-N.
 * Every selector ranks by a score where lower is better and breaks ties towards the lowest index.
 */
public interface Selector {

    /** Simple coverage tournament, Eq. 29: {@link SimpleTournament}. */
    String TOURNAMENT = "tournament";
    /** Offset tournament with on-policy samples, Eq. 32: {@link OffsetTournament}. */
    String OFFSET = "offset";
    /** Minimum validation cross-entropy (= minimum KL up to pi_D's entropy): {@link MinCrossEntropy}. */
    String MIN_CE = "min-ce";
    /** Minimum true Cov_N, where pi_D is known: {@link OracleBestCoverage}. */
    String ORACLE = "oracle";
    /** The methods {@link #byName} builds from log-probs alone. */
    List<String> FROM_LOGPROBS = List.of(TOURNAMENT, OFFSET, MIN_CE);

    /** The name reported in {@link Selection#method()}. */
    String method();

    /** Chooses among the table's candidates. */
    Selection select(LogProbTable table);

    /**
     * A selector that needs only log-probs, by name: {@value #TOURNAMENT} (uses N), {@value #OFFSET} (uses N
     * and a) or {@value #MIN_CE} (uses neither). The oracle needs exact coverages: build
     * {@link OracleBestCoverage} directly.
     *
     * @throws IllegalArgumentException for another name
     */
    static Selector byName(String method, double N, double a) {
        return switch (method) {
            case TOURNAMENT -> new SimpleTournament(N);
            case OFFSET -> new OffsetTournament(N, a);
            case MIN_CE -> new MinCrossEntropy();
            case ORACLE -> throw new IllegalArgumentException("oracle needs the true Cov_N of every candidate: "
                    + "use new OracleBestCoverage(trueCoverage)");
            default -> throw new IllegalArgumentException("unknown method '" + method + "'; choose one of "
                    + String.join(", ", FROM_LOGPROBS));
        };
    }
}
