package org.covlab.task.graph;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * One class (mixture component) of a graph family, such as G1 of Fig. 1 or G_{H,2} of Fig. 2 (paper App. C.2,
 * C.3): which graphs it draws and how pi_D picks a path in them.
 *
 * <p>A graph of the class has L intermediate layers of {@value #LAYER_WIDTH} nodes. Exactly
 * {@code doubledLayers} of them, chosen uniformly, have two passable nodes; the others have one. Node ids
 * are distinct draws from [m]. The class's graphs are drawn uniformly among those that satisfy
 * {@code pairs} and {@code constraint} (see {@link #sampleGraph}).
 *
 * @param name          the class name, e.g. "G2"
 * @param weight        its mixture weight mu~
 * @param doubledLayers how many intermediate layers have two passable nodes
 * @param pairs         whether the two passable nodes of a layer must have opposite parities
 * @param constraint    a further condition on the whole graph (e.g. the V' parity of G1), or always-true
 * @param rule          how pi_D picks among the valid paths
 */
public record GraphClass(String name, double weight, int doubledLayers, Pairs pairs,
                         Predicate<LayeredDag> constraint, PathRule rule) {

    /** Nodes per intermediate layer (paper App. C.1). */
    public static final int LAYER_WIDTH = 4;
    /** Rejection sampling gives up after this many graphs; every class here accepts at least 1 in 2. */
    static final int MAX_ATTEMPTS = 10_000;

    /** The parities of the two passable nodes of a doubled layer. */
    public enum Pairs { OPPOSITE_PARITY, ANY_PARITY }

    public GraphClass {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pairs, "pairs");
        Objects.requireNonNull(constraint, "constraint");
        Objects.requireNonNull(rule, "rule");
        if (!(weight > 0 && weight <= 1)) throw new IllegalArgumentException("weight must be in (0, 1], got " + weight);
        if (doubledLayers < 0) throw new IllegalArgumentException("doubledLayers must be >= 0, got " + doubledLayers);
    }

    /** Whether g is a graph this class can draw with L intermediate layers. */
    public boolean admits(LayeredDag g, int L) {
        if (g.intermediateCount() != L) return false;
        int doubled = 0;
        for (int i = 1; i <= L; i++) {
            if (g.layer(i).length != LAYER_WIDTH) return false;
            int[] p = g.passable(i);
            if (p.length == 2) {
                doubled++;
                if (pairs == Pairs.OPPOSITE_PARITY && LayeredDag.parity(p[0]) == LayeredDag.parity(p[1])) return false;
            } else if (p.length != 1) {
                return false;
            }
        }
        return doubled == doubledLayers && constraint.test(g);
    }

    /**
     * A graph drawn uniformly from those the class admits, by rejection: draw the doubled layers uniformly,
     * then the node ids uniformly without replacement from [m] (with {@code OPPOSITE_PARITY}, each doubled
     * layer's passable pair takes one uniform even and one uniform odd id, which is exact: the count of
     * admissible id assignments factorizes), and redraw the whole graph until {@code constraint} holds.
     */
    public LayeredDag sampleGraph(int L, int m, RandomGenerator rng) {
        if (doubledLayers > L) throw new IllegalArgumentException(name + " needs " + doubledLayers + " layers, L = " + L);
        if (LAYER_WIDTH * L + 2 > m) throw new IllegalArgumentException("m = " + m + " < " + (LAYER_WIDTH * L + 2) + " nodes");
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            LayeredDag g = drawOnce(L, m, rng);
            if (constraint.test(g)) return g;
        }
        throw new IllegalStateException(name + ": no graph met the constraint in " + MAX_ATTEMPTS + " draws");
    }

    private LayeredDag drawOnce(int L, int m, RandomGenerator rng) {
        boolean[] doubled = new boolean[L + 2];
        int[] order = range(1, L);
        shufflePrefix(order, doubledLayers, rng);
        for (int j = 0; j < doubledLayers; j++) doubled[order[j]] = true;

        int d = pairs == Pairs.OPPOSITE_PARITY ? doubledLayers : 0;
        int[] evens = range(1, m / 2), odds = range(1, (m + 1) / 2);
        for (int j = 0; j < evens.length; j++) evens[j] = 2 * evens[j];
        for (int j = 0; j < odds.length; j++) odds[j] = 2 * odds[j] - 1;
        shufflePrefix(evens, d, rng);
        shufflePrefix(odds, d, rng);
        int[] rest = new int[m - 2 * d];  // every id not yet used by a parity-constrained pair
        System.arraycopy(evens, d, rest, 0, evens.length - d);
        System.arraycopy(odds, d, rest, evens.length - d, odds.length - d);
        shufflePrefix(rest, LAYER_WIDTH * L + 2 - 2 * d, rng);

        int[][] layers = new int[L + 2][], passable = new int[L + 2][];
        int r = 0, pair = 0;
        layers[0] = new int[] {rest[r++]};
        passable[0] = layers[0].clone();
        for (int i = 1; i <= L; i++) {
            int[] layer = new int[LAYER_WIDTH];
            int filled = 0;
            if (doubled[i] && d > 0) {
                layer[filled++] = evens[pair];
                layer[filled++] = odds[pair++];
            }
            while (filled < LAYER_WIDTH) layer[filled++] = rest[r++];
            layers[i] = layer;
            passable[i] = Arrays.copyOf(layer, doubled[i] ? 2 : 1);
        }
        layers[L + 1] = new int[] {rest[r]};
        passable[L + 1] = new int[0];
        return LayeredDag.of(layers, passable);
    }

    /** {from, ..., to}. */
    private static int[] range(int from, int to) {
        int[] a = new int[Math.max(0, to - from + 1)];
        for (int j = 0; j < a.length; j++) a[j] = from + j;
        return a;
    }

    /** Partial Fisher-Yates: a[0..k) becomes a uniform draw without replacement from a, in random order. */
    private static void shufflePrefix(int[] a, int k, RandomGenerator rng) {
        for (int j = 0; j < k; j++) {
            int o = j + rng.nextInt(a.length - j);
            int tmp = a[j];
            a[j] = a[o];
            a[o] = tmp;
        }
    }
}
