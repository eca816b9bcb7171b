package org.covlab.metric;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Answer-level coverage (section 7.1): for responses y = (y_cot, y_ans),
 * Cov^ans_N(pi_D || pi_hat) = P_{pi_D}[ pi_D(y_ans|x) / pi_hat(y_ans|x) >= N ], where both probabilities
 * marginalise over the reasoning: pi(a|x) = sum of pi(y|x) over the responses y with answer a.
 *
 * <p>The records must enumerate supp pi_D(.|x), each response once, with weights mu(x)·pi_D(y|x)
 * ({@code eval.Evaluation.enumerate}, {@code eval.ExactEval.supportSequences}). Then pi_D(a|x) is exact, but
 * pi_hat(a|x) summed over that support is a <em>lower bound</em> when the model puts mass on responses outside it with the same answer; the ratio is
 * then overestimated and the measured Cov^ans_N is an upper bound on the true one.
 *
 * <p>Note: the paper states Cov^ans_N <= Cov_N, which fails in general (a response the model misses
 * entirely can push its answer's ratio over N while no single response crosses it). What holds, by Markov
 * within each answer, is Cov^ans_N <= Cov_M / (1 - M/N) for 1 <= M < N, e.g. Cov^ans_N <= 2·Cov_{N/2}.
 */
public final class AnswerCoverage {
    private AnswerCoverage() {}

    /**
     * One record per (prompt, answer), in first-seen order: log-probs are logsumexp over the responses
     * sharing the answer, the weight is their sum (mu(x)·pi_D(a|x)), the group and id come from the first
     * response ("prompt/answer" as id).
     *
     * @param promptOf the prompt a record belongs to (e.g. the id up to '/')
     * @param answerOf the record's answer y_ans
     */
    public static List<LogRatioRecord> answerRecords(List<LogRatioRecord> records,
                                                     Function<LogRatioRecord, String> promptOf,
                                                     Function<LogRatioRecord, String> answerOf) {
        Map<List<String>, double[]> sums = new LinkedHashMap<>();  // (prompt, answer) -> {weight, logpData, logpModel}
        Map<List<String>, String> groupOf = new LinkedHashMap<>();
        for (LogRatioRecord r : records) {
            List<String> key = List.of(promptOf.apply(r), answerOf.apply(r));
            double[] s = sums.computeIfAbsent(key, k ->
                    new double[] {0, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY});
            s[0] += r.weight();
            s[1] = LogMath.logAddExp(s[1], r.logpData());
            s[2] = LogMath.logAddExp(s[2], r.logpModel());
            groupOf.putIfAbsent(key, r.group());
        }
        List<LogRatioRecord> out = new ArrayList<>(sums.size());
        for (Map.Entry<List<String>, double[]> e : sums.entrySet()) {
            double[] s = e.getValue();
            // A sum over a whole support can round to 1 + 1e-16; log-probs stay <= 0.
            out.add(new LogRatioRecord(e.getKey().get(0) + "/" + e.getKey().get(1), groupOf.get(e.getKey()),
                    s[0], Math.min(0, s[1]), Math.min(0, s[2])));
        }
        return out;
    }

    /** Cov^ans_N for one N: the coverage profile of {@link #answerRecords}. */
    public static double coverage(List<LogRatioRecord> records, Function<LogRatioRecord, String> promptOf,
                                  Function<LogRatioRecord, String> answerOf, double n) {
        return CoverageProfile.coverage(answerRecords(records, promptOf, answerOf), n);
    }

    /**
     * The corrected bound above at M = max(1, N/2): Cov^ans_N <= Cov_M / (1 - M/N), i.e. 2·Cov_{N/2} for N >= 2,
     * capped at 1; {@code responses} is the response-level profile of the same records. 1 at N = 1 (no M < N).
     */
    public static double bound(CoverageProfile responses, double n) {
        double m = Math.max(1, CoverageProfile.requireN(n) / 2);
        return m >= n ? 1 : Math.min(1, responses.coverage(m) / (1 - m / n));
    }
}
