package org.covlab.task.graph;

import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import org.covlab.util.InputException;

/**
 * The order in which a prompt lists its graph's edges (the paper leaves it open: notes section 5.2, Q5).
 * docs/tasks.md gives the evidence behind the default.
 * <ul>
 *   <li>{@link #LAYER} (default): edges grouped by the layer of their source, s's edges first, the edges into t
 *       last; within a layer, a uniform random order. A transformer learns to follow the path in a few hundred
 *       updates.</li>
 *   <li>{@link #SHUFFLED}: a uniform random order of all edges (covlab's order before issue 10, and Bachmann and
 *       Nagarajan's). Neither the paper's model nor a small one learns to follow the path (docs/results.md).</li>
 * </ul>
 * Both orders draw the same random numbers (one uniform shuffle), so a seed gives the same graphs in both, and
 * the layer order is that shuffle sorted stably by source layer.
 */
public enum EdgeOrder {
    LAYER, SHUFFLED;

    /** The order of prompts written before the option existed (checkpoints without the field). */
    public static final EdgeOrder LEGACY = SHUFFLED;

    /** The name on the command line and in config.json. */
    public String cliName() { return name().toLowerCase(Locale.ROOT); }

    /** The order for a command-line name; an {@link InputException} naming {@code --edge-order} otherwise. */
    public static EdgeOrder parse(String s) {
        for (EdgeOrder o : values()) if (o.cliName().equals(s)) return o;
        throw new InputException("--edge-order: unknown order '" + s + "'; choose " + String.join(" or ",
                Arrays.stream(values()).map(EdgeOrder::cliName).toList()));
    }

    /** The edges of {@code g} in this order, drawing one uniform shuffle from {@code rng}. */
    public List<int[]> arrange(LayeredDag g, RandomGenerator rng) {
        List<int[]> edges = g.edges();
        for (int i = edges.size() - 1; i > 0; i--) Collections.swap(edges, i, rng.nextInt(i + 1));
        if (this == LAYER) {
            int[] layerOf = new int[maxNode(g) + 1];
            for (int i = 0; i < g.layerCount(); i++) for (int v : g.layer(i)) layerOf[v] = i;
            edges.sort(Comparator.comparingInt(e -> layerOf[e[0]]));  // List.sort is stable
        }
        return edges;
    }

    private static int maxNode(LayeredDag g) {
        int max = 0;
        for (int i = 0; i < g.layerCount(); i++) for (int v : g.layer(i)) max = Math.max(max, v);
        return max;
    }

    @Override public String toString() { return cliName(); }
}
