package org.covlab.task.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.covlab.task.Prompt;
import org.covlab.util.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The prompts' two edge orders: the same graphs, every edge once, sources' layers in order, uniform within a layer. */
class EdgeOrderTest {

    /** 3 families x 2 horizons x 20 seeds. */
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String family : GraphTasks.NAMES)
            for (int H : List.of(8, 16))
                for (long seed = 0; seed < 20; seed++) out.add(Arguments.of(family, H, seed));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} H={1} seed {2}")
    @MethodSource("cases")
    void layerOrderListsEveryEdgeOnceWithSourceLayersNonDecreasing(String family, int H, long seed) {
        GraphTask layer = GraphTasks.byName(family, H, EdgeOrder.LAYER), shuffled = GraphTasks.byName(family, H, EdgeOrder.SHUFFLED);
        for (String group : layer.groupWeights().keySet()) {
            Prompt x = layer.samplePrompt(group, new SplittableRandom(seed));
            Prompt y = shuffled.samplePrompt(group, new SplittableRandom(seed));
            String why = "seed " + seed + " " + family + " H=" + H + " " + group + ": " + layer.tokenizer().text(x.tokens());
            LayeredDag g = layer.graph(x.tokens());
            assertThat(shuffled.graph(y.tokens())).as("the same graph in both orders, " + why).isEqualTo(g);
            List<int[]> listed = layer.tokenizer().decodePrompt(x.tokens()).edges();
            assertThat(sortedEdges(listed)).as("every edge exactly once, " + why).containsExactlyElementsOf(sortedEdges(g.edges()));
            int previous = 0;
            for (int[] e : listed) {
                int l = layerOf(g, e[0]);
                assertThat(l).as("source layers never decrease, " + why).isGreaterThanOrEqualTo(previous);
                previous = l;
            }
            assertThat(layerOf(g, listed.get(0)[0])).as("s's edges first, " + why).isZero();
            assertThat(listed.get(listed.size() - 1)[1]).as("the edges into t last, " + why).isEqualTo(g.target());
            assertThat(layer.support(x).orElseThrow()).as("the same support, " + why).usingRecursiveFieldByFieldElementComparator()
                    .containsExactlyElementsOf(shuffled.support(y).orElseThrow());
        }
    }

    @Test
    void withinALayerEveryOrderIsEquallyLikely() {
        // s's four edges come first; over 24,000 prompts each of their 4! orders should appear about 1,000 times.
        GraphTask task = GraphTasks.byName(GraphTasks.FIG2, 8, EdgeOrder.LAYER);
        SplittableRandom rng = new SplittableRandom(11);
        Map<String, Long> counts = new HashMap<>();
        int n = 24_000;
        for (int i = 0; i < n; i++) {
            Prompt x = task.samplePrompt("G1", rng);
            LayeredDag g = task.graph(x.tokens());
            int[] next = g.layer(1);
            StringBuilder key = new StringBuilder();
            for (int[] e : task.tokenizer().decodePrompt(x.tokens()).edges().subList(0, 4))
                key.append(java.util.Arrays.binarySearch(next, e[1]));  // rank of the target within its layer
            counts.merge(key.toString(), 1L, Long::sum);
        }
        assertThat(counts).hasSize(24);
        long[] observed = counts.values().stream().mapToLong(Long::longValue).toArray();
        double[] p = new double[24];
        java.util.Arrays.fill(p, 1.0 / 24);
        double x2 = Reference.chiSquare(observed, p), crit = Reference.chiSquareCritical(23);
        System.out.printf("orders of s's 4 edges over %d prompts: chi2 %.2f (critical %.2f)%n", n, x2, crit);
        assertThat(x2).isLessThan(crit);
    }

    @Test
    void shuffledGivesThePromptsCovlabWroteBeforeTheOptionExisted() {
        // Known answer: seed 1's first fig2 H=8 pair from './covlab task sample' at commit 23ada9f (before the option).
        GraphTask task = GraphTasks.byName(GraphTasks.FIG2, 8, EdgeOrder.SHUFFLED);
        Prompt x = task.samplePrompt(new org.covlab.util.Seeds(1).stream("data"));
        assertThat(task.tokenizer().text(x.tokens())).isEqualTo("60 76 | 32 97 | 23 21 | 92 71 | 41 36 | 32 23 | 54 37 | 54 2 | "
                + "37 26 | 73 44 | 23 19 | 23 15 | 73 98 | 98 55 | 41 86 | 37 4 | 92 78 | 32 99 | 37 92 | 60 31 | 54 47 | 41 66 | "
                + "41 73 | 23 54 | 60 96 | 32 3 | 92 60 | 60 41 | 73 57 | 54 12 | 37 28 | 92 24 | 73 9 / 32 55 =");
        GraphTask layer = GraphTasks.byName(GraphTasks.FIG2, 8, EdgeOrder.LAYER);
        Prompt y = layer.samplePrompt(new org.covlab.util.Seeds(1).stream("data"));
        assertThat(layer.tokenizer().text(y.tokens())).startsWith("32 97 | 32 23 | 32 99 | 32 3 | 23 21 | 23 19 | 23 15 | 23 54 |");
    }

    @Test
    void namesParseAndBadOnesAreUserErrors() {
        assertThat(EdgeOrder.parse("layer")).isEqualTo(EdgeOrder.LAYER);
        assertThat(EdgeOrder.parse("shuffled")).isEqualTo(EdgeOrder.SHUFFLED);
        assertThatThrownBy(() -> EdgeOrder.parse("random")).isInstanceOf(InputException.class)
                .hasMessage("--edge-order: unknown order 'random'; choose layer or shuffled");
        assertThat(GraphTasks.byName(GraphTasks.FIG2, 8).edgeOrder()).as("the default").isEqualTo(EdgeOrder.LAYER);
    }

    private static int layerOf(LayeredDag g, int node) {
        for (int i = 0; i < g.layerCount(); i++) if (java.util.Arrays.binarySearch(g.layer(i), node) >= 0) return i;
        throw new AssertionError("node " + node + " is not in the graph");
    }

    private static List<String> sortedEdges(List<int[]> edges) {
        return edges.stream().map(e -> e[0] + ">" + e[1]).sorted(Comparator.naturalOrder()).toList();
    }
}
