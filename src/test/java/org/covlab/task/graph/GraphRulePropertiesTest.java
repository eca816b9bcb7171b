package org.covlab.task.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.covlab.task.Prompt;
import org.covlab.util.Seeded;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The paper's class rules, checked over random seeds against {@link Reference}, which reads the prompt text
 * on its own: Fig. 1 parities and the V' identifiability constraint, Fig. 2's XOR rule, pair parities.
 */
@ExtendWith(Seeded.class)
class GraphRulePropertiesTest {

    private static final GraphTask FIG1 = GraphTasks.byName("fig1-finetune", null);
    private static final GraphTask FIG1_PRE = GraphTasks.byName("fig1-pretrain", null);

    private static Reference ref(GraphTask task, Prompt x) { return new Reference(task.tokenizer().text(x.tokens())); }

    private static int[] path(GraphTask task, int[] response) {
        assertThat(response[response.length - 1]).isEqualTo(task.endToken());
        return Arrays.copyOf(response, response.length - 1);
    }

    static LongStream seeds() { return Seeded.seeds(300); }

    @ParameterizedTest @MethodSource("seeds")
    void fig1FinetuneParityRulesAndIdentifiability(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Prompt x = FIG1.samplePrompt(rng);
        Reference r = ref(FIG1, x);
        boolean g1 = x.group().equals("G1");
        List<Integer> doubled = r.doubledLayers();
        assertThat(doubled).hasSize(2);
        for (int i : doubled) {
            List<Integer> pair = r.passable.get(i - 1);
            assertThat(Reference.parity(pair.get(0))).isNotEqualTo(Reference.parity(pair.get(1)));
        }
        assertThat(r.vPrimeParity()).isEqualTo(g1 ? 1 : 0);
        int[] y = path(FIG1, FIG1.sampleResponse(x, rng));
        assertThat(y).containsExactly(r.rulePath(i -> g1 ? i % 2 : 1 - i % 2));
        for (int i : doubled) assertThat(Reference.parity(y[i - 1])).isEqualTo(g1 ? i % 2 : 1 - i % 2);
    }

    @ParameterizedTest @MethodSource("seeds")
    void fig1PretrainG3IsUniformOverTheSameGraphsWithoutConstraint(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Prompt x = FIG1_PRE.samplePrompt("G3", rng);
        Reference r = ref(FIG1_PRE, x);
        assertThat(r.doubledLayers()).hasSize(2);
        assertThat(FIG1_PRE.support(x).orElseThrow()).hasSize(4)
                .allSatisfy(w -> assertThat(w.logProb()).isEqualTo(-Math.log(4)));
        assertThat(r.isValidPath(path(FIG1_PRE, FIG1_PRE.sampleResponse(x, rng)))).isTrue();
        // G3 prompts carry either V' parity, so they share their graphs with G1 or G2.
        assertThat(FIG1_PRE.classesOf(x.tokens())).contains(r.vPrimeParity() == 1 ? "G1" : "G2");
    }

    @ParameterizedTest @MethodSource("seeds")
    void fig2ClassRules(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int halfH = Seeded.intIn(rng, 4, 12);
        GraphTask task = GraphTasks.byName("fig2", 2 * halfH);
        for (String c : List.of("G1", "G2", "G3")) {
            Prompt x = task.samplePrompt(c, rng);
            Reference r = ref(task, x);
            int[] y = path(task, task.sampleResponse(x, rng));
            List<Integer> doubled = r.doubledLayers();
            assertThat(r.isValidPath(y)).isTrue();
            switch (c) {
                case "G1":
                    assertThat(doubled).isEmpty();
                    break;
                case "G2": {
                    assertThat(doubled).hasSize(halfH);
                    int xor = r.passableParity();
                    for (int i : doubled) {
                        List<Integer> pair = r.passable.get(i - 1);
                        assertThat(Reference.parity(pair.get(0))).isNotEqualTo(Reference.parity(pair.get(1)));
                        assertThat(Reference.parity(y[i - 1])).isEqualTo(i % 2 ^ xor);
                    }
                    assertThat(y).containsExactly(r.rulePath(i -> i % 2 ^ xor));
                    break;
                }
                default: {
                    assertThat(doubled).hasSize(4);
                    boolean someSameParity = doubled.stream().map(i -> r.passable.get(i - 1))
                            .anyMatch(p -> Reference.parity(p.get(0)) == Reference.parity(p.get(1)));
                    assertThat(someSameParity).as("G3 is told apart from G2 by a same-parity pair").isTrue();
                    assertThat(task.support(x).orElseThrow()).hasSize(16);
                }
            }
        }
    }
}
