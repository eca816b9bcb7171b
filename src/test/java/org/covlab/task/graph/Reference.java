package org.covlab.task.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Test-side reference: reads a graph prompt from its text with nothing but string splitting and a BFS, and
 * computes the paper's rules on it, independently of LayeredDag, GraphClass and PathRule.
 */
final class Reference {

    final List<int[]> edges = new ArrayList<>();
    final int s, t;
    final List<List<Integer>> layers = new ArrayList<>();    // paper layer i is index i-1; sorted
    final List<List<Integer>> passable = new ArrayList<>();  // nodes with out-edges, per layer, sorted

    Reference(String promptText) {
        String[] halves = promptText.split(" / ");
        String[] st = halves[1].split(" ");
        if (halves.length != 2 || st.length != 3 || !st[2].equals("=")) throw new AssertionError("bad prompt " + promptText);
        s = Integer.parseInt(st[0]);
        t = Integer.parseInt(st[1]);
        Map<Integer, TreeSet<Integer>> out = new TreeMap<>();
        for (String e : halves[0].split(" \\| ")) {
            String[] uv = e.split(" ");
            int u = Integer.parseInt(uv[0]), v = Integer.parseInt(uv[1]);
            edges.add(new int[] {u, v});
            out.computeIfAbsent(u, k -> new TreeSet<>()).add(v);
        }
        List<Integer> layer = List.of(s);
        while (true) {
            layers.add(layer);
            TreeSet<Integer> next = new TreeSet<>();
            List<Integer> live = new ArrayList<>();
            for (int u : layer) if (out.containsKey(u)) { live.add(u); next.addAll(out.get(u)); }
            passable.add(live);
            if (next.isEmpty()) break;
            layer = new ArrayList<>(next);
        }
    }

    static int parity(int v) { return v % 2; }

    int intermediate() { return layers.size() - 2; }

    /** Paper layer numbers (2..L+1) with two passable nodes. */
    List<Integer> doubledLayers() {
        List<Integer> out = new ArrayList<>();
        for (int i = 2; i <= layers.size() - 1; i++) if (passable.get(i - 1).size() == 2) out.add(i);
        return out;
    }

    /** The path that takes, in each doubled layer i, the node of parity wanted(i); single layers take theirs. */
    int[] rulePath(java.util.function.IntUnaryOperator wanted) {
        int[] path = new int[layers.size()];
        path[0] = s;
        for (int i = 2; i <= layers.size() - 1; i++) {
            List<Integer> p = passable.get(i - 1);
            if (p.size() == 1) path[i - 1] = p.get(0);
            else path[i - 1] = parity(p.get(0)) == wanted.applyAsInt(i) ? p.get(0) : p.get(1);
        }
        path[layers.size() - 1] = t;
        return path;
    }

    /** XOR of parities over s and the two smallest ids of each intermediate layer (Fig. 1's V'). */
    int vPrimeParity() {
        int x = parity(s);
        for (int i = 1; i <= intermediate(); i++) x ^= parity(layers.get(i).get(0)) ^ parity(layers.get(i).get(1));
        return x;
    }

    /** XOR of parities of every passable node of every intermediate layer (Fig. 2's V_*). */
    int passableParity() {
        int x = 0;
        for (int i = 1; i <= intermediate(); i++) for (int v : passable.get(i)) x ^= parity(v);
        return x;
    }

    boolean isValidPath(int[] path) {
        if (path.length != layers.size() || path[0] != s || path[path.length - 1] != t) return false;
        for (int i = 0; i + 1 < path.length; i++) {
            int u = path[i], v = path[i + 1];
            if (edges.stream().noneMatch(e -> e[0] == u && e[1] == v)) return false;
        }
        return true;
    }

    /** Chi-square critical value at p = 1e-4 (Wilson-Hilferty; slightly conservative against scipy). */
    static double chiSquareCritical(int df) {
        double z = 3.719, a = 2.0 / (9 * df);
        return df * Math.pow(1 - a + z * Math.sqrt(a), 3);
    }

    /** Pearson's statistic of observed counts against expected probabilities. */
    static double chiSquare(long[] observed, double[] probs) {
        long n = 0;
        for (long o : observed) n += o;
        double x2 = 0;
        for (int i = 0; i < observed.length; i++) {
            double e = n * probs[i];
            x2 += (observed[i] - e) * (observed[i] - e) / e;
        }
        return x2;
    }
}
