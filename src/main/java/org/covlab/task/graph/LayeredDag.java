package org.covlab.task.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A layered DAG instance (G, s, t) of the graph-search task (paper App. C.1, notes section 4.1): layers
 * 1..L+2 with layer 1 = {s} and layer L+2 = {t}. The passable nodes of a layer have an edge to every node of
 * the next layer; the others are dead ends with no out-edge. A valid path is (s, v_2, ..., v_{L+1}, t) with
 * every v_i passable, so there are prod_i |V^i_*| of them.
 *
 * <p>Layers are stored 0-based ({@code layer(0) = {s}}); the paper's layer number is index + 1, which is
 * what the parity rules use. Node ids within a layer are kept sorted, so two equal graphs compare equal
 * whatever order their edges came in.
 */
public final class LayeredDag {

    private final int[][] layers;    // (L+2, nodes of the layer), sorted
    private final int[][] passable;  // (L+2, passable nodes of the layer), sorted; empty for t's layer

    private LayeredDag(int[][] layers, int[][] passable) {
        this.layers = layers;
        this.passable = passable;
    }

    /** Validates and canonicalizes (sorts) the layers and their passable subsets. */
    public static LayeredDag of(int[][] layers, int[][] passable) {
        int n = layers.length;
        if (n < 3 || passable.length != n)
            throw new IllegalArgumentException("need at least 3 layers and one passable set per layer");
        if (layers[0].length != 1 || layers[n - 1].length != 1)
            throw new IllegalArgumentException("the first layer must be {s} and the last {t}");
        int[][] ls = new int[n][], ps = new int[n][];
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            ls[i] = layers[i].clone();
            ps[i] = passable[i].clone();
            Arrays.sort(ls[i]);
            Arrays.sort(ps[i]);
            for (int v : ls[i]) {
                if (v < 1) throw new IllegalArgumentException("node ids are >= 1, got " + v);
                if (!seen.add(v)) throw new IllegalArgumentException("node " + v + " appears twice");
            }
            for (int v : ps[i]) {
                if (Arrays.binarySearch(ls[i], v) < 0)
                    throw new IllegalArgumentException("passable node " + v + " is not in layer " + (i + 1));
            }
            if (i < n - 1 && ps[i].length == 0)
                throw new IllegalArgumentException("layer " + (i + 1) + " has no passable node: no path reaches t");
        }
        if (ps[n - 1].length != 0) throw new IllegalArgumentException("t has no out-edges");
        return new LayeredDag(ls, ps);
    }

    /**
     * Recovers the layered DAG from an edge list: layer 1 = {s}, and layer i+1 is the set of out-neighbours of
     * layer i, which every passable node of layer i must reach in full. Anything else is rejected.
     */
    public static LayeredDag fromEdges(List<int[]> edges, int source, int target) {
        Map<Integer, Set<Integer>> out = new HashMap<>();
        for (int[] e : edges) {
            if (!out.computeIfAbsent(e[0], k -> new TreeSet<>()).add(e[1]))
                throw new IllegalArgumentException("edge " + e[0] + " " + e[1] + " is listed twice");
        }
        List<int[]> layers = new ArrayList<>(), passable = new ArrayList<>();
        int[] current = {source};
        int used = 0;
        while (!(current.length == 1 && current[0] == target)) {
            if (layers.size() > edges.size()) throw new IllegalArgumentException("the edges do not reach t");
            Set<Integer> next = null;
            List<Integer> live = new ArrayList<>();
            for (int u : current) {
                Set<Integer> nb = out.get(u);
                if (nb == null) continue;
                if (next != null && !next.equals(nb))
                    throw new IllegalArgumentException("passable nodes of one layer must share their out-neighbours");
                next = nb;
                live.add(u);
                used += nb.size();
            }
            if (next == null) throw new IllegalArgumentException("a layer has no passable node: t is unreachable");
            layers.add(current);
            passable.add(live.stream().mapToInt(Integer::intValue).toArray());
            current = next.stream().mapToInt(Integer::intValue).toArray();
        }
        if (out.containsKey(target)) throw new IllegalArgumentException("t has out-edges");
        if (used != edges.size()) throw new IllegalArgumentException("some edges leave nodes off the s-t layers");
        layers.add(current);
        passable.add(new int[0]);
        return of(layers.toArray(int[][]::new), passable.toArray(int[][]::new));
    }

    public static int parity(int v) { return v & 1; }

    public int source() { return layers[0][0]; }

    public int target() { return layers[layers.length - 1][0]; }

    /** L + 2: the number of layers, which is also the number of nodes on every valid path. */
    public int layerCount() { return layers.length; }

    /** L: the layers strictly between s and t. */
    public int intermediateCount() { return layers.length - 2; }

    /** The nodes of layer {@code index} (0-based; the paper's layer index + 1), sorted. */
    public int[] layer(int index) { return layers[index].clone(); }

    /** The passable nodes of layer {@code index} (0-based), sorted. */
    public int[] passable(int index) { return passable[index].clone(); }

    public int passableCount(int index) { return passable[index].length; }

    /** Every edge, layer by layer, sources and targets ascending. */
    public List<int[]> edges() {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i + 1 < layers.length; i++)
            for (int u : passable[i])
                for (int v : layers[i + 1]) out.add(new int[] {u, v});
        return out;
    }

    /** prod_i |V^i_*|, the number of valid s-t paths. */
    public long pathCount() {
        long c = 1;
        for (int i = 0; i + 1 < layers.length; i++) c *= passable[i].length;
        return c;
    }

    /** All valid paths, in lexicographic order (an odometer over the layers: no recursion, so any H works). // (pathCount, L+2) */
    public List<int[]> allPaths() {
        List<int[]> out = new ArrayList<>();
        int last = layers.length - 1;
        int[] digit = new int[last], path = new int[layers.length];   // digit[i]: which passable node of layer i
        path[last] = target();
        while (true) {
            for (int i = 0; i < last; i++) path[i] = passable[i][digit[i]];
            out.add(path.clone());
            int i = last - 1;
            while (i >= 0 && ++digit[i] == passable[i].length) digit[i--] = 0;
            if (i < 0) return out;
        }
    }

    /** Whether {@code nodes} is a valid path: s, one passable node per intermediate layer, t. */
    public boolean isPath(int[] nodes) {
        if (nodes.length != layers.length) return false;
        for (int i = 0; i < layers.length; i++) if (!onPath(i, nodes[i])) return false;
        return true;
    }

    /** Whether some valid path has {@code node} at index i (0 is s, layerCount() - 1 is t). */
    public boolean onPath(int i, int node) {
        return i + 1 == layers.length ? node == target() : Arrays.binarySearch(passable[i], node) >= 0;
    }

    @Override public boolean equals(Object o) {
        return o instanceof LayeredDag g && Arrays.deepEquals(layers, g.layers) && Arrays.deepEquals(passable, g.passable);
    }

    @Override public int hashCode() { return 31 * Arrays.deepHashCode(layers) + Arrays.deepHashCode(passable); }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder("LayeredDag[");
        for (int i = 0; i < layers.length; i++)
            sb.append(i == 0 ? "" : " ").append(Arrays.toString(layers[i])).append('*').append(Arrays.toString(passable[i]));
        return sb.append(']').toString();
    }
}
