package org.covlab.task.graph;

import static org.covlab.task.graph.LayeredDag.parity;

import java.util.List;
import org.covlab.task.graph.GraphClass.Pairs;
import org.covlab.util.InputException;

/**
 * The paper's graph families by name (App. C.2, C.3; notes sections 4.2-4.3). H always counts the
 * intermediate layers (the paper's L for Fig. 1, its H for Fig. 2): a path has H+2 nodes. docs/tasks.md gives
 * every choice made where the paper is silent (its Q3-Q6).
 */
public final class GraphTasks {
    private GraphTasks() {}

    public static final String FIG1_FINETUNE = "fig1-finetune";
    public static final String FIG1_PRETRAIN = "fig1-pretrain";
    public static final String FIG2 = "fig2";
    public static final List<String> NAMES = List.of(FIG1_FINETUNE, FIG1_PRETRAIN, FIG2);

    /** Fig. 1 uses L = 8 intermediate layers; Fig. 2's smallest horizon is H = 8. */
    public static final int DEFAULT_H = 8;
    /** Node ids come from [100] (the notes' guess): H = 24 needs 98 of them, and the vocabulary is then 104. */
    public static final int DEFAULT_M = 100;

    /** The edge order of every command that is not told otherwise (docs/tasks.md, Q5). */
    public static final EdgeOrder DEFAULT_EDGE_ORDER = EdgeOrder.LAYER;

    /** A family by name in the default edge order ({@link #byName(String, Integer, EdgeOrder)}). */
    public static GraphTask byName(String name, Integer H) {
        return byName(name, H, DEFAULT_EDGE_ORDER);
    }

    /**
     * A family by name, with H (null: the paper's value, {@value #DEFAULT_H}), m = max(100, 4H+2) and the prompts'
     * edge order.
     *
     * @throws InputException for an unknown name or an H the family does not allow (user input)
     */
    public static GraphTask byName(String name, Integer H, EdgeOrder order) {
        int h = H == null ? DEFAULT_H : H;
        int m = defaultM(h);
        switch (name) {
            case FIG1_FINETUNE:
                checkH(name, h, h >= 2, ">= 2");
                return fig1(FIG1_FINETUNE, h, m, false, order);
            case FIG1_PRETRAIN:
                checkH(name, h, h >= 2, ">= 2");
                return fig1(FIG1_PRETRAIN, h, m, true, order);
            case FIG2:
                checkH(name, h, h >= 8 && h % 2 == 0, "even and >= 8");
                return fig2(h, m, order);
            default:
                throw new InputException("--task: unknown task '" + name + "'; choose one of " + String.join(", ", NAMES));
        }
    }

    /** The smallest m >= {@value #DEFAULT_M} that has room for the 4H+2 nodes of a graph. */
    public static int defaultM(int H) { return Math.max(DEFAULT_M, GraphClass.LAYER_WIDTH * H + 2); }

    /**
     * The largest H: a prompt of 12 H tokens (1.2 million here; the paper's largest H is 24), drawn in about 2 s. Far
     * below where the prompt's length would overflow an int (H near 1.8e8).
     */
    public static final int MAX_H = 100_000;

    private static void checkH(String name, int h, boolean ok, String rule) {
        if (!ok) throw new InputException("--H: " + name + " needs H " + rule + ", got " + h);
        if (h > MAX_H) throw new InputException("--H: at most " + MAX_H + ", got " + h);
    }

    /**
     * Fig. 1 (App. C.2): two uniformly chosen layers I2 have two passable nodes, one even and one odd; G1 takes
     * parity(v) = parity(i) there, G2 the opposite parity. G1 graphs have odd V'-parity, G2 graphs even
     * ({@link #vPrimeParity}). Fine-tuning mixes G1 0.9 and G2 0.1; pre-training mixes G1, G2 and G3 (uniform
     * over the 4 paths, no V' constraint) at 1/3 each, so its classes are not identifiable from tokens.
     */
    static GraphTask fig1(String name, int H, int m, boolean pretrain, EdgeOrder order) {
        double w1 = pretrain ? 1.0 / 3 : 0.9, w2 = pretrain ? 1.0 / 3 : 0.1;
        GraphClass g1 = new GraphClass("G1", w1, 2, Pairs.OPPOSITE_PARITY, g -> vPrimeParity(g) == 1,
                PathRule.parity((g, layer) -> parity(layer)));
        GraphClass g2 = new GraphClass("G2", w2, 2, Pairs.OPPOSITE_PARITY, g -> vPrimeParity(g) == 0,
                PathRule.parity((g, layer) -> 1 ^ parity(layer)));
        if (!pretrain) return new GraphTask(name, H, m, List.of(g1, g2), true, order);
        GraphClass g3 = new GraphClass("G3", 1 - w1 - w2, 2, Pairs.OPPOSITE_PARITY, g -> true, PathRule.UNIFORM);
        return new GraphTask(name, H, m, List.of(g1, g2, g3), false, order);
    }

    /**
     * Fig. 2 (App. C.3): G_{H,1} (0.94) one path; G_{H,2} (0.05) H/2 layers with an even-odd passable pair,
     * where pi_D takes parity(v) = parity(i) XOR (XOR of the parities of all intermediate passable nodes);
     * G_{H,3} (0.01) four layers with two passable nodes, uniform over the 16 paths. G_{H,3} graphs have at
     * least one same-parity pair, so at H = 8 (where both have four doubled layers) they differ from G_{H,2}.
     */
    static GraphTask fig2(int H, int m, EdgeOrder order) {
        GraphClass g1 = new GraphClass("G1", 0.94, 0, Pairs.ANY_PARITY, g -> true, PathRule.UNIFORM);
        GraphClass g2 = new GraphClass("G2", 0.05, H / 2, Pairs.OPPOSITE_PARITY, g -> true,
                PathRule.parity((g, layer) -> parity(layer) ^ passableParity(g)));
        GraphClass g3 = new GraphClass("G3", 0.01, 4, Pairs.ANY_PARITY, g -> !pairsAllOpposite(g), PathRule.UNIFORM);
        return new GraphTask(FIG2, H, m, List.of(g1, g2, g3), true, order);
    }

    /**
     * XOR of parity(u) over V' = {s} and the two smallest node ids of every intermediate layer: a fixed half
     * (2L+1 of the 4L+2 nodes) of the graph, defined by rank within a layer since ids are random (Q4).
     */
    public static int vPrimeParity(LayeredDag g) {
        int x = parity(g.source());
        for (int i = 1; i <= g.intermediateCount(); i++) {
            int[] layer = g.layer(i);  // sorted
            x ^= parity(layer[0]) ^ parity(layer[1]);
        }
        return x;
    }

    /** XOR of parity(u) over V_*, the passable nodes of all intermediate layers (Fig. 2's G_{H,2} rule). */
    public static int passableParity(LayeredDag g) {
        int x = 0;
        for (int i = 1; i <= g.intermediateCount(); i++) for (int v : g.passable(i)) x ^= parity(v);
        return x;
    }

    /** Whether every layer with two passable nodes has one even and one odd. */
    public static boolean pairsAllOpposite(LayeredDag g) {
        for (int i = 1; i <= g.intermediateCount(); i++) {
            int[] p = g.passable(i);
            if (p.length == 2 && parity(p[0]) == parity(p[1])) return false;
        }
        return true;
    }
}
