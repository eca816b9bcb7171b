package org.covlab.task.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.covlab.model.AutoregressiveModel;
import org.covlab.task.Prompt;
import org.covlab.task.Verifier;
import org.covlab.task.WeightedResponse;
import org.covlab.util.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Exact pi_D of every family: normalisation, verifiers, -infinity off the support, the data model, structure. */
class GraphTaskTest {

    static final int PROMPTS_PER_CLASS = 150;

    static Stream<GraphTask> families() {
        return Stream.of(GraphTasks.byName("fig1-finetune", null), GraphTasks.byName("fig1-pretrain", null),
                GraphTasks.byName("fig1-finetune", 3), GraphTasks.byName("fig2", 8), GraphTasks.byName("fig2", 10),
                GraphTasks.byName("fig2", 16), GraphTasks.byName("fig2", 24));
    }

    /** Prompts of every class, in a fixed order. */
    static List<Prompt> prompts(GraphTask task, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Prompt> out = new ArrayList<>();
        for (String c : task.groupWeights().keySet()) for (int i = 0; i < PROMPTS_PER_CLASS; i++) out.add(task.samplePrompt(c, rng));
        return out;
    }

    static int expectedSupportSize(GraphTask task, String group) {
        if (task.name().equals("fig2")) return group.equals("G3") ? 16 : 1;
        return group.equals("G3") ? 4 : 1;
    }

    @ParameterizedTest @MethodSource("families")
    void supportSumsToOneAndEveryElementIsCorrectAndValid(GraphTask task) {
        Verifier correct = task.verifier(GraphTask.CORRECT_PATH), valid = task.verifier(GraphTask.VALID_PATH);
        double maxDiff = 0;
        for (Prompt x : prompts(task, 1)) {
            List<WeightedResponse> support = task.support(x).orElseThrow();
            assertThat(support).hasSize(expectedSupportSize(task, x.group()));
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (WeightedResponse w : support) max = Math.max(max, w.logProb());
            for (WeightedResponse w : support) sum += Math.exp(w.logProb() - max);
            maxDiff = Math.max(maxDiff, Math.abs(max + Math.log(sum)));
            Reference ref = new Reference(task.tokenizer().text(x.tokens()));
            for (WeightedResponse w : support) {
                assertThat(task.logProbData(x, w.tokens())).isEqualTo(w.logProb());
                assertThat(correct.accepts(x, w.tokens())).isTrue();
                assertThat(valid.accepts(x, w.tokens())).isTrue();
                assertThat(w.tokens()).hasSize(task.maxResponseLength()).endsWith(task.endToken());
                assertThat(ref.isValidPath(Arrays.copyOf(w.tokens(), task.H() + 2))).isTrue();
            }
            assertThat(task.verifier()).isNotNull();
            assertThat(task.verifier().accepts(x, support.get(0).tokens())).isTrue();
        }
        System.out.printf("%s: max |logsumexp(support)| = %.3g%n", task, maxDiff);
        assertThat(maxDiff).isLessThan(1e-12);
    }

    @ParameterizedTest @MethodSource("families")
    void everyValidPathIsEnumeratedAndInvalidOnesGetMinusInfinity(GraphTask task) {
        Verifier correct = task.verifier(GraphTask.CORRECT_PATH), valid = task.verifier(GraphTask.VALID_PATH);
        for (Prompt x : prompts(task, 2)) {
            LayeredDag g = task.graph(x.tokens());
            List<int[]> support = task.supportResponses(x.tokens(), x.group());
            List<int[]> paths = g.allPaths();  // up to 2^12 for fig2 H=24 G2: check every 64th there
            for (int p = 0; p < paths.size(); p += Math.max(1, paths.size() / 64)) {
                int[] y = task.tokenizer().encodeResponse(paths.get(p));
                boolean inSupport = support.stream().anyMatch(s -> Arrays.equals(s, y));
                assertThat(valid.accepts(x, y)).isTrue();
                assertThat(correct.accepts(x, y)).isEqualTo(inSupport);
                assertThat(task.logProbData(x, y) > Double.NEGATIVE_INFINITY).isEqualTo(inSupport);
            }
            int[] y = support.get(0);
            for (int[] bad : mutations(g, y)) {
                assertThat(task.logProbData(x, bad)).as(Arrays.toString(bad)).isEqualTo(Double.NEGATIVE_INFINITY);
                assertThat(correct.accepts(x, bad)).isFalse();
                assertThat(valid.accepts(x, bad)).isFalse();
            }
        }
    }

    /** Responses that are not valid paths: a dead end, no EOS, an extra token, a short one, a separator, empty. */
    static List<int[]> mutations(LayeredDag g, int[] y) {
        List<int[]> out = new ArrayList<>();
        int[] layer = g.layer(1), passable = g.passable(1);
        int dead = Arrays.stream(layer).filter(v -> Arrays.binarySearch(passable, v) < 0).findFirst().orElseThrow();
        int[] deadEnd = y.clone();
        deadEnd[1] = dead;
        out.add(deadEnd);
        out.add(Arrays.copyOf(y, y.length - 1));
        int[] longer = Arrays.copyOf(y, y.length + 1);
        longer[y.length] = NumeralTokenizer.EOS;
        out.add(longer);
        int[] skip = new int[y.length - 1];
        skip[0] = y[0];
        System.arraycopy(y, 2, skip, 1, y.length - 2);
        out.add(skip);
        int[] sep = y.clone();
        sep[2] = 101;
        out.add(sep);
        out.add(new int[0]);
        int[] reversed = y.clone();
        reversed[0] = y[y.length - 2];
        reversed[y.length - 2] = y[0];
        out.add(reversed);
        return out;
    }

    @ParameterizedTest @MethodSource("families")
    void dataModelReproducesLogProbData(GraphTask task) {
        double maxDiff = 0;
        for (Prompt x : prompts(task, 3).subList(0, 3 * 40)) {
            AutoregressiveModel pi = task.dataModel().orElseGet(() -> task.dataModel(x.group()));
            if (task.identifiable()) assertThat(task.dataModel()).isPresent();
            LayeredDag g = task.graph(x.tokens());
            List<int[]> ys = new ArrayList<>(task.supportResponses(x.tokens(), x.group()));
            ys.addAll(mutations(g, ys.get(0)));
            List<int[]> paths = g.allPaths();
            for (int p = 0; p < paths.size(); p += Math.max(1, paths.size() / 64)) ys.add(task.tokenizer().encodeResponse(paths.get(p)));
            for (int[] y : ys) {
                // Teacher forcing scores a prefix; only a response that ends in EOS is a complete response.
                if (y.length == 0 || y[y.length - 1] != task.endToken()) continue;
                double exact = task.logProbData(x, y), model = pi.sequenceLogProb(x.tokens(), y);
                if (exact == Double.NEGATIVE_INFINITY) assertThat(model).isEqualTo(Double.NEGATIVE_INFINITY);
                else maxDiff = Math.max(maxDiff, Math.abs(exact - model));
            }
            double[] first = pi.nextTokenLogProbs(x.tokens(), new int[0]);
            assertThat(first).hasSize(task.vocabSize());
            assertThat(first[g.source()]).isEqualTo(0.0);
        }
        System.out.printf("%s: max |dataModel - logProbData| = %.3g%n", task, maxDiff);
        assertThat(maxDiff).isLessThan(1e-12);
    }

    @ParameterizedTest @MethodSource("families")
    void classesAreIdentifiableFromTokensExceptInPretraining(GraphTask task) {
        for (Prompt x : prompts(task, 4)) {
            List<String> fits = task.classesOf(x.tokens());
            assertThat(fits).contains(x.group());
            if (task.identifiable()) {
                assertThat(fits).containsExactly(x.group());
                assertThat(task.classify(x.tokens())).isEqualTo(x.group());
            } else {
                // fig1-pretrain: G3 graphs look like G1 or G2 graphs (by their V' parity), and vice versa.
                assertThat(fits).hasSize(2).contains("G3");
                assertThatThrownBy(() -> task.classify(x.tokens())).isInstanceOf(IllegalArgumentException.class);
            }
        }
        assertThat(task.dataModel().isPresent()).isEqualTo(task.identifiable());
        assertThat(task.identifiable()).isEqualTo(!task.name().equals("fig1-pretrain"));
    }

    @ParameterizedTest @MethodSource("families")
    void graphsHaveThePaperStructure(GraphTask task) {
        int longest = 0;
        for (Prompt x : prompts(task, 5)) {
            int[] tokens = x.tokens();
            Reference ref = new Reference(task.tokenizer().text(tokens));
            GraphClass c = task.graphClass(x.group());
            assertThat(ref.intermediate()).isEqualTo(task.H());
            assertThat(ref.layers.subList(1, task.H() + 1)).allSatisfy(l -> assertThat(l).hasSize(4));
            List<Integer> doubled = ref.doubledLayers();
            assertThat(doubled).hasSize(c.doubledLayers());
            for (int i = 2; i <= task.H() + 1; i++) assertThat(ref.passable.get(i - 1)).hasSizeBetween(1, 2);
            long distinct = ref.layers.stream().flatMap(List::stream).distinct().count();
            assertThat(distinct).isEqualTo(4L * task.H() + 2);
            assertThat(ref.layers.stream().flatMap(List::stream)).allSatisfy(v -> assertThat(v).isBetween(1, task.m()));
            int edges = 4 * task.H() + 1;
            for (int i : doubled) edges += i == task.H() + 1 ? 1 : 4;
            assertThat(ref.edges).hasSize(edges);
            assertThat(tokens).hasSize(3 * edges + 3);
            longest = Math.max(longest, tokens.length);
        }
        System.out.printf("%s: longest sampled prompt %d, maxPromptLength %d%n", task, longest, task.maxPromptLength());
        assertThat(longest).isLessThanOrEqualTo(task.maxPromptLength());
    }

    @Test
    void maxLengthsKnownAnswers() {
        assertThat(GraphTasks.byName("fig1-finetune", null).maxPromptLength()).isEqualTo(126);
        assertThat(GraphTasks.byName("fig2", 8).maxPromptLength()).isEqualTo(150);
        assertThat(GraphTasks.byName("fig2", 16).maxPromptLength()).isEqualTo(294);
        assertThat(GraphTasks.byName("fig2", 24).maxPromptLength()).isEqualTo(438);
        assertThat(GraphTasks.byName("fig2", 24).maxResponseLength()).isEqualTo(27);
        assertThat(GraphTasks.byName("fig2", 32).m()).isEqualTo(130);
        assertThat(GraphTasks.byName("fig2", 24).vocabSize()).isEqualTo(104);
    }

    @Test
    void sameSeedSamePromptsAndResponses() {
        for (String name : GraphTasks.NAMES) {
            GraphTask a = GraphTasks.byName(name, null), b = GraphTasks.byName(name, null);
            SplittableRandom ra = new SplittableRandom(42), rb = new SplittableRandom(42), rc = new SplittableRandom(43);
            boolean differs = false;
            for (int i = 0; i < 100; i++) {
                Prompt x = a.samplePrompt(ra), z = a.samplePrompt(rc);
                assertThat(b.samplePrompt(rb)).isEqualTo(x);
                assertThat(b.sampleResponse(x, rb)).containsExactly(a.sampleResponse(x, ra));
                differs |= !z.equals(x);
                a.sampleResponse(z, rc);
            }
            assertThat(differs).as("another seed gives other prompts").isTrue();
        }
    }

    @Test
    void promptOfAnotherClassIsRejected() {
        GraphTask fig2 = GraphTasks.byName("fig2", 16);
        Prompt g1 = fig2.samplePrompt("G1", new SplittableRandom(1));
        Prompt mislabelled = new Prompt(g1.tokens(), "G2");
        assertThatThrownBy(() -> fig2.logProbData(mislabelled, new int[] {1})).hasMessageContaining("not a fig2 H=16 G2 graph");
        assertThatThrownBy(() -> fig2.support(new Prompt(g1.tokens(), "G9"))).hasMessageContaining("no class 'G9'");
        assertThatThrownBy(() -> fig2.verifier("nope")).hasMessageContaining("valid-path");
    }

    @Test
    void byNameChecksUserInput() {
        assertThat(GraphTasks.byName("fig2", null).H()).isEqualTo(8);
        assertThat(GraphTasks.byName("fig1-pretrain", null).groupWeights()).containsOnlyKeys("G1", "G2", "G3");
        assertThatThrownBy(() -> GraphTasks.byName("fig3", 8)).isInstanceOf(InputException.class).hasMessageContaining("--task");
        assertThatThrownBy(() -> GraphTasks.byName("fig2", 9)).isInstanceOf(InputException.class).hasMessageContaining("--H");
        assertThatThrownBy(() -> GraphTasks.byName("fig2", 6)).isInstanceOf(InputException.class);
        assertThatThrownBy(() -> GraphTasks.byName("fig1-finetune", 1)).isInstanceOf(InputException.class);
        Map<String, Double> w = GraphTasks.byName("fig2", 8).groupWeights();
        assertThat(w).containsExactly(Map.entry("G1", 0.94), Map.entry("G2", 0.05), Map.entry("G3", 0.01));
    }
}
