package org.covlab.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.covlab.eval.WeightedSequence;
import org.covlab.metric.LogRatioRecord;
import org.covlab.model.FixtureAccess;
import org.covlab.model.Gpt;
import org.covlab.model.GptConfig;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;
import org.covlab.tensor.Parallel;
import org.covlab.tensor.Softmax;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ExactEval#records}, each prompt run once and its support on the prompt's keys and values, against each
 * (x, y) scored by one plain {@link Gpt#forward} over x ++ y (bit for bit), and against the path it replaced
 * ({@link ExactEvalBenchmark#recordsOneByOne}: every (x, y) from scratch by the batch scorer, whose padding to the
 * batch's longest sequence moves the last bits), on seeded random GPTs: Fig. 2 at H = 8 and 24 (supports of 1 and
 * 16), fig1-finetune and fig1-pretrain (4 in G3), 1 and 2 threads.
 */
class ExactEvalTest {

    private static final Parallel TWO = new Parallel(2);
    private static final int PROMPTS = 4;                 // per class
    /** The support sizes each task must show (the sizes the sharing is for). */
    private static final Map<String, Set<Integer>> SIZES = Map.of(GraphTasks.FIG2, Set.of(1, 16),
            GraphTasks.FIG1_PRETRAIN, Set.of(4), GraphTasks.FIG1_FINETUNE, Set.of(1));

    @AfterAll static void close() {
        TWO.close();
    }

    static Stream<Arguments> cases() {
        return Stream.of(Arguments.of(GraphTasks.FIG2, 8, 1L), Arguments.of(GraphTasks.FIG2, 8, 2L),
                Arguments.of(GraphTasks.FIG2, 24, 3L), Arguments.of(GraphTasks.FIG2, 24, 4L),
                Arguments.of(GraphTasks.FIG1_FINETUNE, 8, 5L), Arguments.of(GraphTasks.FIG1_FINETUNE, 8, 6L),
                Arguments.of(GraphTasks.FIG1_PRETRAIN, 8, 7L), Arguments.of(GraphTasks.FIG1_PRETRAIN, 8, 8L));
    }

    @ParameterizedTest(name = "{0} H={1} seed {2}") @MethodSource("cases")
    void recordsEqualTheOldPathsAndDoNotDependOnThreads(String name, int h, long seed) {
        GraphTask task = GraphTasks.byName(name, h);
        GptConfig cfg = new GptConfig(task.vocabSize(), task.maxPromptLength() + task.maxResponseLength() - 1, 2, 4, 32);
        List<WeightedSequence> seqs = ExactEval.supportSequences(task, ExactEval.validationPrompts(task, PROMPTS, seed));
        Map<String, Integer> perPrompt = new TreeMap<>();
        for (WeightedSequence s : seqs) perPrompt.merge(s.id().substring(0, s.id().lastIndexOf("/y")), 1, Integer::sum);
        assertThat(perPrompt.values()).as("seed %d: support sizes", seed).containsAll(SIZES.get(name));

        double std = seed % 2 == 0 ? 0.5 : 0.2;              // peaked and flat next-token laws
        List<LogRatioRecord> one = ExactEval.records(task, FixtureAccess.randomModel(cfg, Parallel.SERIAL, seed, std), seqs);
        Gpt model = FixtureAccess.randomModel(cfg, TWO, seed, std);
        List<LogRatioRecord> two = ExactEval.records(task, model, seqs), old = ExactEvalBenchmark.recordsOneByOne(task, model, seqs);
        assertThat(two).as("seed %d: 2 threads vs 1, bit for bit", seed).isEqualTo(one);
        double worst = 0, oldVsPlain = 0, smallest = 0;
        int differing = 0;
        for (int i = 0; i < seqs.size(); i++) {
            LogRatioRecord a = two.get(i), b = old.get(i);
            assertThat(List.of(a.id(), a.group(), a.weight(), a.logpData())).as("seed %d, record %d", seed, i)
                    .isEqualTo(List.of(b.id(), b.group(), b.weight(), b.logpData()));
            worst = Math.max(worst, Math.abs(a.logpModel() - b.logpModel()));
            smallest = Math.min(smallest, b.logpModel());
            double plain = plainForward(model, seqs.get(i).prompt().tokens(), seqs.get(i).response());
            if (a.logpModel() != plain) differing++;
            oldVsPlain = Math.max(oldVsPlain, Math.abs(b.logpModel() - plain));
        }
        System.out.printf("%s H=%d seed %d: %d records (support sizes %s), log-probs down to %.1f: max |new - old| %.3g "
                        + "(old vs the plain forward %.3g); %d new log-probs differ from the plain forward%n", name, h, seed, seqs.size(),
                new java.util.TreeSet<>(perPrompt.values()), smallest, worst, oldVsPlain, differing);
        assertThat(differing).as("seed %d: bit for bit against the plain forward", seed).isZero();
        assertThat(worst).as("seed %d: against the old path, float rounding only", seed).isLessThan(1e-4);
    }

    /** log pi(y | x) from one plain {@link Gpt#forward} over x ++ y without y's last token, summed in token order. */
    private static double plainForward(Gpt m, int[] x, int[] y) {
        if (y.length == 0) return 0;
        int[] tokens = java.util.Arrays.copyOf(x, x.length + y.length - 1);
        System.arraycopy(y, 0, tokens, x.length, y.length - 1);
        m.forward(tokens, 1, tokens.length);
        float[] logits = m.logits();
        int v = m.vocabSize();
        double sum = 0;
        for (int h = 0; h < y.length; h++) {
            int row = (x.length - 1 + h) * v;
            sum += (double) logits[row + y[h]] - Softmax.logSumExp(logits, row, v);
        }
        return sum;
    }
}
