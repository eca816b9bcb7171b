package org.covlab.task.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.covlab.decode.Sampler;
import org.covlab.model.AutoregressiveModel;
import org.covlab.task.Prompt;
import org.covlab.task.WeightedResponse;
import org.covlab.task.graph.GraphClass.Pairs;
import org.junit.jupiter.api.Test;

/** Monte Carlo against exact: response frequencies vs pi_D, class frequencies vs weights, graphs vs uniform. */
class GraphSamplingTest {

    /** Draws n responses (by {@code draw}) and tests their frequencies against the exact support by chi-square. */
    private static void assertMatchesSupport(GraphTask task, Prompt x, int n, java.util.function.Supplier<int[]> draw, String what) {
        List<WeightedResponse> support = task.support(x).orElseThrow();
        long[] counts = new long[support.size()];
        double[] probs = new double[support.size()];
        for (int j = 0; j < probs.length; j++) probs[j] = Math.exp(support.get(j).logProb());
        for (int i = 0; i < n; i++) {
            int[] y = draw.get();
            int j = 0;
            while (j < support.size() && !Arrays.equals(support.get(j).tokens(), y)) j++;
            assertThat(j).as("sample %s is in the support", Arrays.toString(y)).isLessThan(support.size());
            counts[j]++;
        }
        double x2 = Reference.chiSquare(counts, probs), crit = Reference.chiSquareCritical(Math.max(1, counts.length - 1));
        double maxDev = 0;
        for (int j = 0; j < counts.length; j++) maxDev = Math.max(maxDev, Math.abs(counts[j] / (double) n - probs[j]));
        System.out.printf("%s %s %s: %d draws over %d paths, chi2 %.2f (critical %.2f), max |freq - p| %.4f%n",
                task, x.group(), what, n, counts.length, x2, crit, maxDev);
        if (counts.length > 1) assertThat(x2).isLessThan(crit);
    }

    @Test
    void sampleResponseMatchesPiD() {
        for (GraphTask task : List.of(GraphTasks.byName("fig1-pretrain", null), GraphTasks.byName("fig2", 8),
                GraphTasks.byName("fig2", 16))) {
            SplittableRandom rng = new SplittableRandom(7);
            for (String c : task.groupWeights().keySet()) {
                Prompt x = task.samplePrompt(c, rng);
                int n = task.support(x).orElseThrow().size() == 1 ? 200 : 16_000;
                assertMatchesSupport(task, x, n, () -> task.sampleResponse(x, rng), "sampleResponse");
            }
        }
    }

    @Test
    void dataModelSamplesMatchPiD() {
        GraphTask task = GraphTasks.byName("fig2", 8);
        SplittableRandom rng = new SplittableRandom(8);
        Prompt x = task.samplePrompt("G3", rng);
        AutoregressiveModel pi = task.dataModel().orElseThrow();
        assertMatchesSupport(task, x, 8_000,
                () -> pi.sample(x.tokens(), task.maxResponseLength(), task.endToken(), Sampler.ANCESTRAL, rng), "dataModel");
    }

    @Test
    void classFrequenciesMatchTheMixtureWeights() {
        for (String name : GraphTasks.NAMES) {
            GraphTask task = GraphTasks.byName(name, null);
            List<String> classes = new ArrayList<>(task.groupWeights().keySet());
            double[] probs = task.groupWeights().values().stream().mapToDouble(Double::doubleValue).toArray();
            long[] counts = new long[classes.size()];
            SplittableRandom rng = new SplittableRandom(9);
            int n = 20_000;
            for (int i = 0; i < n; i++) counts[classes.indexOf(task.samplePrompt(rng).group())]++;
            double x2 = Reference.chiSquare(counts, probs), crit = Reference.chiSquareCritical(classes.size() - 1);
            System.out.printf("%s classes %s: counts %s of %d, chi2 %.2f (critical %.2f)%n",
                    task, classes, Arrays.toString(counts), n, x2, crit);
            assertThat(x2).isLessThan(crit);
        }
    }

    @Test
    void doubledLayersAreAUniformSubset() {
        check(GraphTasks.byName("fig1-finetune", null), "G1", 28);   // C(8,2)
        check(GraphTasks.byName("fig2", 8), "G3", 70);              // C(8,4)
    }

    private static void check(GraphTask task, String group, int subsets) {
        Map<String, Long> counts = new HashMap<>();
        SplittableRandom rng = new SplittableRandom(10);
        int n = 200 * subsets;
        for (int i = 0; i < n; i++) {
            LayeredDag g = task.graph(task.samplePrompt(group, rng).tokens());
            StringBuilder key = new StringBuilder();
            for (int l = 1; l <= g.intermediateCount(); l++) key.append(g.passableCount(l));
            counts.merge(key.toString(), 1L, Long::sum);
        }
        assertThat(counts).hasSize(subsets);
        double[] probs = new double[subsets];
        Arrays.fill(probs, 1.0 / subsets);
        double x2 = Reference.chiSquare(counts.values().stream().mapToLong(Long::longValue).toArray(), probs);
        System.out.printf("%s %s doubled layers: %d subsets, chi2 %.2f (critical %.2f)%n",
                task, group, subsets, x2, Reference.chiSquareCritical(subsets - 1));
        assertThat(x2).isLessThan(Reference.chiSquareCritical(subsets - 1));
    }

    /**
     * The sampler is uniform over the graphs a class admits, checked against brute-force enumeration of every
     * graph with one intermediate layer and m = 6 (so all ids are used and parities are tightly coupled).
     */
    @Test
    void graphsAreUniformOverEverythingTheClassAdmits() {
        List<GraphClass> classes = List.of(
                new GraphClass("pair-opposite", 1, 1, Pairs.OPPOSITE_PARITY, g -> true, PathRule.UNIFORM),
                new GraphClass("pair-any", 1, 1, Pairs.ANY_PARITY, g -> true, PathRule.UNIFORM),
                new GraphClass("single", 1, 0, Pairs.ANY_PARITY, g -> true, PathRule.UNIFORM),
                new GraphClass("pair-opposite-s-even", 1, 1, Pairs.OPPOSITE_PARITY, g -> g.source() % 2 == 0, PathRule.UNIFORM));
        int[] expectedSizes = {108, 180, 120, 54};
        for (int k = 0; k < classes.size(); k++) {
            GraphClass c = classes.get(k);
            List<LayeredDag> all = enumerate(c);
            assertThat(all).hasSize(expectedSizes[k]);
            Map<LayeredDag, Integer> index = new HashMap<>();
            for (LayeredDag g : all) index.put(g, index.size());
            long[] counts = new long[all.size()];
            SplittableRandom rng = new SplittableRandom(12);
            int n = 150 * all.size();
            for (int i = 0; i < n; i++) counts[index.get(c.sampleGraph(1, 6, rng))]++;
            double[] probs = new double[all.size()];
            Arrays.fill(probs, 1.0 / all.size());
            double x2 = Reference.chiSquare(counts, probs), crit = Reference.chiSquareCritical(all.size() - 1);
            System.out.printf("class %s: %d graphs, chi2 %.2f (critical %.2f)%n", c.name(), all.size(), x2, crit);
            assertThat(x2).isLessThan(crit);
        }
    }

    /** Every graph s -> {4 nodes} -> t over [6] with 1 or 2 passable nodes that the class admits. */
    private static List<LayeredDag> enumerate(GraphClass c) {
        List<LayeredDag> out = new ArrayList<>();
        for (int s = 1; s <= 6; s++) {
            for (int t = 1; t <= 6; t++) {
                if (t == s) continue;
                int fs = s, ft = t;
                int[] layer = java.util.stream.IntStream.rangeClosed(1, 6).filter(v -> v != fs && v != ft).toArray();
                for (int mask = 1; mask < 16; mask++) {
                    if (Integer.bitCount(mask) > 2) continue;
                    int[] passable = new int[Integer.bitCount(mask)];
                    for (int b = 0, j = 0; b < 4; b++) if ((mask >> b & 1) == 1) passable[j++] = layer[b];
                    LayeredDag g = LayeredDag.of(new int[][] {{s}, layer, {t}}, new int[][] {{s}, passable, {}});
                    if (c.admits(g, 1)) out.add(g);
                }
            }
        }
        return out;
    }
}
