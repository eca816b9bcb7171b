package org.covlab.select;

/**
 * The simple coverage tournament (Eq. 28-29; notes section 3.1). On validation data from pi_D:
 * {@code C[k'][k] = Ĉov_N(pi_k' || pi_k)}, {@code score[k] = max_k' C[k'][k]} ("how badly does anyone
 * out-cover k"), and the choice is {@code argmin_k score[k]}, ties to the lowest index.
 * The diagonal takes part in the max and is 0 (a candidate never out-covers itself when N > 1).
 *
 * <p>Thm 6.3: w.p. 1-delta, {@code Cov_{N^(1+a)}(chosen) <~ min_pi Cov_{N^a}(pi) + 1/N^(1-a) + log(K/delta)/n}
 * for every a in [0,1], without realizability.
 *
 * @param N the tail parameter, > 1 (need not be an integer)
 */
public record SimpleTournament(double N) implements Selector {

    public SimpleTournament {
        requireN(N);
    }

    @Override public String method() { return TOURNAMENT; }

    @Override public Selection select(LogProbTable table) {
        double[][] c = PairwiseCoverage.onData(table.logp(), Math.log(N));
        return Selection.byMinimum(TOURNAMENT, table.candidates(), Selection.columnMax(c), c);
    }

    static void requireN(double N) {
        if (!(N > 1) || Double.isInfinite(N)) throw new IllegalArgumentException("N must be finite and > 1, got " + N);
    }
}
