package org.covlab.select;

import java.util.Objects;

/**
 * The offset tournament's on-policy log-probs (Eq. 32): for each candidate k, M samples per validation prompt
 * {@code y_{i,m} ~ pi_k(.|x_i)}, scored under every candidate k'. Stored per sampling candidate as a
 * (K, n*M) table, so the whole is (K, K, n*M) and column k of Con reads one contiguous table:
 * {@code logp[k][k'][i*M + m] = log pi_k'(y_{i,m} | x_i)} with {@code y_{i,m} ~ pi_k(.|x_i)}.
 *
 * @param samplesPerPrompt M >= 1
 * @param logp             (K, K, n*M); each value <= 0, -infinity allowed, never NaN
 */
public record OnPolicyLogProbs(int samplesPerPrompt, double[][][] logp) {

    public OnPolicyLogProbs {
        Objects.requireNonNull(logp, "logp");
        if (samplesPerPrompt < 1) throw new IllegalArgumentException("samplesPerPrompt must be >= 1, got " + samplesPerPrompt);
        if (logp.length == 0 || logp[0].length == 0) throw new IllegalArgumentException("no candidates");
        int K = logp.length, width = logp[0][0] == null ? -1 : logp[0][0].length;
        if (width < samplesPerPrompt || width % samplesPerPrompt != 0)
            throw new IllegalArgumentException("rows must have n*M entries with M = " + samplesPerPrompt + ", got " + width);
        for (int k = 0; k < K; k++) {
            if (logp[k] == null || logp[k].length != K)
                throw new IllegalArgumentException("logp[" + k + "] must have " + K + " rows (one per scoring candidate)");
            for (int kp = 0; kp < K; kp++) LogProbTable.requireLogProbs(logp[k][kp], width, "logp[" + k + "][" + kp + "]");
        }
    }

    /** Number of candidates. */
    public int K() { return logp.length; }

    /** Number of prompts. */
    public int n() { return logp[0][0].length / samplesPerPrompt; }
}
