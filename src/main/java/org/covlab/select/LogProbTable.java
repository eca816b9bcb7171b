package org.covlab.select;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * The input of every selector: K candidates (checkpoints, members of a finite class) scored on n validation
 * examples (x_i, y_i) drawn from pi_D, as sequence log-probs {@code logp[k][i] = log pi_k(y_i|x_i)} (the LL of
 * notes section 3.1). Stored as double, the precision the log-probs are written in, so the fast and naive
 * tournaments evaluate the very same differences and a tie at exactly log N is seen by both.
 *
 * @param candidates K distinct names, in input order (the order ties are broken in: the first wins)
 * @param ids        n distinct example ids
 * @param logp       (K, n); each value <= 0, -infinity allowed (zero probability), never NaN
 * @param onPolicy   the offset tournament's on-policy log-probs (Eq. 32), or null when there are none
 */
public record LogProbTable(List<String> candidates, List<String> ids, double[][] logp, OnPolicyLogProbs onPolicy) {

    public LogProbTable {
        candidates = List.copyOf(candidates);
        ids = List.copyOf(ids);
        Objects.requireNonNull(logp, "logp");
        if (candidates.isEmpty()) throw new IllegalArgumentException("no candidates");
        if (ids.isEmpty()) throw new IllegalArgumentException("no examples");
        requireDistinct(candidates, "candidate");
        requireDistinct(ids, "example id");
        if (logp.length != candidates.size())
            throw new IllegalArgumentException("logp has " + logp.length + " rows for " + candidates.size() + " candidates");
        for (int k = 0; k < logp.length; k++) requireLogProbs(logp[k], ids.size(), "logp[" + k + "]");
        if (onPolicy != null && (onPolicy.K() != candidates.size() || onPolicy.n() != ids.size()))
            throw new IllegalArgumentException("onPolicy is for K=" + onPolicy.K() + ", n=" + onPolicy.n()
                    + " but the table has K=" + candidates.size() + ", n=" + ids.size());
    }

    /** A table with names c0..c{K-1} and ids 0..n-1, without on-policy samples. */
    public static LogProbTable of(double[][] logp) {
        return of(logp, null);
    }

    /** A table with names c0..c{K-1} and ids 0..n-1. */
    public static LogProbTable of(double[][] logp, OnPolicyLogProbs onPolicy) {
        List<String> names = IntStream.range(0, logp.length).mapToObj(k -> "c" + k).toList();
        int n = logp.length == 0 ? 0 : logp[0].length;
        return new LogProbTable(names, IntStream.range(0, n).mapToObj(Integer::toString).toList(), logp, onPolicy);
    }

    /** Number of candidates. */
    public int K() { return candidates.size(); }

    /** Number of validation examples. */
    public int n() { return ids.size(); }

    /** This table with on-policy log-probs attached. */
    public LogProbTable withOnPolicy(OnPolicyLogProbs samples) {
        return new LogProbTable(candidates, ids, logp, samples);
    }

    static void requireLogProbs(double[] row, int length, String what) {
        if (row == null || row.length != length)
            throw new IllegalArgumentException(what + " must have length " + length);
        for (int j = 0; j < length; j++)
            if (!(row[j] <= 0))
                throw new IllegalArgumentException(what + "[" + j + "] = " + row[j] + " is not a log-prob (<= 0, not NaN)");
    }

    private static void requireDistinct(List<String> names, String what) {
        HashSet<String> seen = new HashSet<>();
        for (String s : names) if (!seen.add(s)) throw new IllegalArgumentException("duplicate " + what + " '" + s + "'");
    }
}
