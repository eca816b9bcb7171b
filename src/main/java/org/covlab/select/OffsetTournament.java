package org.covlab.select;

/**
 * The offset tournament with on-policy samples (Eq. 32; notes section 3.2):
 * {@code score[k] = max_k' ( C[k'][k] - 2 N^a Con[k'][k] )}, where C is the simple tournament's matrix on the
 * validation data and {@code Con[k'][k] = (1/(nM)) sum_{i,m} 1[log pi_k'(y_{i,m}) - log pi_k(y_{i,m}) >= log N]}
 * on the samples {@code y_{i,m} ~ pi_k(.|x_i)} of the minimizing candidate k (the proof's
 * {@code P_{mu_n, pi}(C_N(pi', pi))}). The choice is the argmin, ties to the lowest index; scores are >= 0
 * because the diagonal (payoff 0) takes part in the max.
 *
 * <p>Thm 6.4: if some member is within a log N of pi_D everywhere and N^(1-2a) >= 8, then w.p. 1-delta
 * {@code Cov_{2N^(1+a)}(chosen) <~ log(K/delta)/n}; the 1/N^(1-a) term of Thm 6.3 is gone.
 *
 * @param N the tail parameter, > 1
 * @param a the offset exponent, >= 0 (gamma = N^a; Thm 6.4 wants a > 0)
 */
public record OffsetTournament(double N, double a) implements Selector {

    public OffsetTournament {
        SimpleTournament.requireN(N);
        if (!(a >= 0) || Double.isInfinite(a)) throw new IllegalArgumentException("a must be finite and >= 0, got " + a);
        if (Double.isInfinite(2 * Math.pow(N, a))) throw new IllegalArgumentException("2 N^a overflows at N = " + N + ", a = " + a);
    }

    @Override public String method() { return OFFSET; }

    /** The winMatrix of the selection is the payoff {@code C[k'][k] - 2 N^a Con[k'][k]}. */
    @Override public Selection select(LogProbTable table) {
        if (table.onPolicy() == null)
            throw new IllegalArgumentException("the offset tournament needs on-policy samples of every candidate");
        double logN = Math.log(N), gamma2 = 2 * Math.pow(N, a);
        double[][] w = PairwiseCoverage.onData(table.logp(), logN);
        double[][] con = PairwiseCoverage.onPolicy(table.onPolicy().logp(), logN);
        for (int kp = 0; kp < w.length; kp++)
            for (int k = 0; k < w.length; k++) w[kp][k] -= gamma2 * con[kp][k];
        return Selection.byMinimum(OFFSET, table.candidates(), Selection.columnMax(w), w);
    }
}
