package org.covlab.task.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.covlab.model.AutoregressiveModel;
import org.covlab.task.Prompt;
import org.covlab.task.Verifier;
import org.junit.jupiter.api.Test;

/**
 * The graph verifiers' prefix test {@link Verifier#canAccept} against independent references: for correct-path,
 * pi_D(prefix) > 0 from the task's next-token conditionals; for valid-path, "some listed s-t path (then EOS) starts
 * with the prefix". Also the contract a sampler relies on: a rejected prefix is rejected, and so is every completion.
 */
class VerifierPrefixTest {

    @Test void prefixTestIsExactOnEveryGraphFamily() {
        SplittableRandom rng = new SplittableRandom(3);
        int checked = 0, rejected = 0;
        for (String name : GraphTasks.NAMES) {
            GraphTask task = GraphTasks.byName(name, 8);
            int H = task.H(), n = H + 3;
            for (int p = 0; p < 40; p++) {
                Prompt x = task.samplePrompt(rng);
                AutoregressiveModel data = task.dataModel(x.group());
                List<int[]> validPaths = new ArrayList<>();
                for (int[] path : task.graph(x.tokens()).allPaths()) validPaths.add(task.tokenizer().encodeResponse(path));
                for (int[] y : candidates(task, x, validPaths, rng)) {
                    for (String v : GraphTask.VERIFIERS) {
                        Verifier verifier = task.verifier(v);
                        for (int len = 0; len <= y.length; len++) {
                            int[] prefix = Arrays.copyOf(y, len);
                            boolean expected = v.equals(GraphTask.CORRECT_PATH)
                                    ? data.sequenceLogProb(x.tokens(), prefix) > Double.NEGATIVE_INFINITY && len <= n
                                    : startsSome(validPaths, prefix);
                            assertThat(verifier.canAccept(x, y, len)).as("%s %s %s prefix %d of %s", name, x, v, len, Arrays.toString(y))
                                    .isEqualTo(expected);
                            checked++;
                            if (!expected) {
                                rejected++;
                                assertThat(verifier.accepts(x, prefix)).isFalse();
                                assertThat(verifier.accepts(x, y)).isFalse();
                            }
                        }
                    }
                }
            }
        }
        System.out.printf("graph verifiers' prefix test: %d prefixes checked against the references, %d rejected%n", checked, rejected);
        assertThat(rejected).isGreaterThan(checked / 10);
    }

    /** Correct and valid paths, each with one token changed, random tokens, early EOS. */
    private static List<int[]> candidates(GraphTask task, Prompt x, List<int[]> validPaths, SplittableRandom rng) {
        List<int[]> out = new ArrayList<>(validPaths);
        out.add(task.sampleResponse(x, rng));
        int n = task.maxResponseLength(), v = task.vocabSize();
        for (int k = 0; k < 6; k++) {
            int[] y = validPaths.get(rng.nextInt(validPaths.size())).clone();
            y[rng.nextInt(n)] = rng.nextInt(v);
            out.add(y);
        }
        int[] random = new int[n];
        for (int i = 0; i < n; i++) random[i] = rng.nextInt(v);
        out.add(random);
        int[] early = Arrays.copyOf(validPaths.get(0), n);
        early[n - 2] = NumeralTokenizer.EOS;
        out.add(early);
        return out;
    }

    private static boolean startsSome(List<int[]> responses, int[] prefix) {
        for (int[] y : responses) if (y.length >= prefix.length && Arrays.equals(y, 0, prefix.length, prefix, 0, prefix.length)) return true;
        return false;
    }
}
