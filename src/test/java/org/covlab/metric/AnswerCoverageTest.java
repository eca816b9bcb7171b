package org.covlab.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.covlab.eval.Evaluation;
import org.covlab.eval.ToyModel;
import org.covlab.eval.ToyTask;
import org.covlab.eval.WeightedSequence;
import org.covlab.task.Prompt;
import org.covlab.task.Verifier;
import org.junit.jupiter.api.Test;

class AnswerCoverageTest {
    private static final Function<LogRatioRecord, String> PROMPT = r -> r.id().substring(0, r.id().indexOf('/'));
    private static final Function<LogRatioRecord, String> ANSWER = r -> r.id().substring(r.id().length() - 1);

    @Test void marginalisesResponsesThatShareAnAnswer() {
        // Prompt x: y1 -> a (0.25 / 0.25), y2 -> a (0.25 / 0), y3 -> b (0.5 / 0.75).
        List<LogRatioRecord> records = List.of(
                new LogRatioRecord("x/1a", "G", 0.25, Math.log(0.25), Math.log(0.25)),
                new LogRatioRecord("x/2a", "G", 0.25, Math.log(0.25), Double.NEGATIVE_INFINITY),
                new LogRatioRecord("x/3b", "G", 0.5, Math.log(0.5), Math.log(0.75)));
        List<LogRatioRecord> answers = AnswerCoverage.answerRecords(records, PROMPT, ANSWER);
        assertThat(answers).extracting(LogRatioRecord::id).containsExactly("x/a", "x/b");
        assertThat(answers.get(0).weight()).isEqualTo(0.5);
        assertThat(answers.get(0).logpData()).isCloseTo(Math.log(0.5), within(1e-15));
        assertThat(answers.get(0).logpModel()).isCloseTo(Math.log(0.25), within(1e-15));
        assertThat(answers.get(1).group()).isEqualTo("G");
        // Answer a has ratio 0.5/0.25 = 2, so Cov^ans_2 = 0.5, while only y2 crosses 2 alone: Cov_2 = 0.25.
        // The notes' "Cov^ans_N <= Cov_N" fails here; Cov^ans_N <= Cov_M / (1 - M/N) holds (M = 1: 1.0).
        assertThat(AnswerCoverage.coverage(records, PROMPT, ANSWER, 2)).isEqualTo(0.5);
        assertThat(CoverageProfile.coverage(records, 2)).isEqualTo(0.25);
        assertThat(CoverageProfile.coverage(records, 1) / (1 - 1 / 2.0)).isGreaterThanOrEqualTo(0.5);
    }

    @Test void staysInLogSpaceForLongResponses() {
        List<LogRatioRecord> records = List.of(new LogRatioRecord("x/1a", "all", 1, -5000, -5010),
                new LogRatioRecord("x/2a", "all", 1, -5000, -5010));
        LogRatioRecord a = AnswerCoverage.answerRecords(records, PROMPT, ANSWER).get(0);
        assertThat(a.logpData()).isCloseTo(-5000 + Math.log(2), within(1e-9));
        assertThat(a.logpModel()).isCloseTo(-5010 + Math.log(2), within(1e-9));
    }

    @Test void lastTokenAnswersOfAProductTaskMatchTheirMarginals() {
        // pi(y_H = v | x) of a product distribution is its last step's probability: an independent reference.
        double[][] q = {{0.2, 0.6, 0.9}, {0.7, 0.4, 0.35}};
        double[][] p = {{0.3, 0.5, 0.6}, {0.1, 0.5, 0.05}};
        ToyTask task = new ToyTask(ToyModel.bernoulli(q), 3, new double[] {0.5, 0.5}, Verifier.ANY);
        List<Prompt> prompts = List.of(ToyTask.prompt(0), ToyTask.prompt(1));
        List<WeightedSequence> support = Evaluation.enumerate(task, prompts);
        Map<String, String> answerOf = new HashMap<>();
        for (WeightedSequence s : support) answerOf.put(s.id(), String.valueOf(s.response()[2]));
        List<LogRatioRecord> records = Evaluation.records(task, ToyModel.bernoulli(p), support);
        List<LogRatioRecord> answers = AnswerCoverage.answerRecords(records, PROMPT, r -> answerOf.get(r.id()));
        assertThat(answers).hasSize(4);
        double maxDiff = 0;
        for (LogRatioRecord a : answers) {
            int x = a.id().charAt(1) - '0', v = a.id().charAt(a.id().length() - 1) - '0';
            double qv = v == 1 ? q[x][2] : 1 - q[x][2], pv = v == 1 ? p[x][2] : 1 - p[x][2];
            maxDiff = Math.max(maxDiff, Math.max(Math.abs(a.logpData() - Math.log(qv)), Math.abs(a.logpModel() - Math.log(pv))));
            assertThat(a.weight()).isCloseTo(0.5 * qv, within(1e-15));
        }
        System.out.printf("answer marginals vs last-step probabilities: max |diff| = %.3g%n", maxDiff);
        assertThat(maxDiff).isLessThan(1e-13);
        // Group 1's answer 1: ratio 0.35/0.05 = 7 -> counts at N = 4, weight 0.5 * 0.35.
        assertThat(CoverageProfile.coverage(answers, 4)).isCloseTo(0.5 * 0.35, within(1e-15));
    }
}
