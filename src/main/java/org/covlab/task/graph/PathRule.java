package org.covlab.task.graph;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * How pi_D picks among the valid paths of a graph (paper App. C.2-C.3): either uniformly over all of them
 * (the classes G3 and G_{H,3}, and the single-path class G_{H,1}), or deterministically by a parity rule
 * (G1, G2 and G_{H,2}). Either way pi_D(.|x) is uniform over {@link #support}.
 */
public interface PathRule {

    /** The support of pi_D(.|G): every path it gives positive mass, each with mass 1/size. */
    List<int[]> support(LayeredDag g);

    /** y ~ pi_D(.|G), drawn without enumerating the support. */
    int[] sample(LayeredDag g, RandomGenerator rng);

    /** Uniform over the valid paths: an independent uniform passable node per layer. */
    PathRule UNIFORM = new PathRule() {
        @Override public List<int[]> support(LayeredDag g) { return g.allPaths(); }

        @Override public int[] sample(LayeredDag g, RandomGenerator rng) {
            int[] path = new int[g.layerCount()];
            for (int i = 0; i + 1 < path.length; i++) {
                int[] p = g.passable(i);
                path[i] = p[rng.nextInt(p.length)];
            }
            path[path.length - 1] = g.target();
            return path;
        }
    };

    /** The parity a rule wants in a layer with two passable nodes; {@code layer} is the paper's 1-based index. */
    @FunctionalInterface
    interface WantedParity {
        int of(LayeredDag g, int layer);
    }

    /**
     * Deterministic: in each layer with two passable nodes take the one whose parity is {@code wanted};
     * a layer with one passable node takes it. The two nodes must have opposite parities.
     */
    static PathRule parity(WantedParity wanted) {
        return new PathRule() {
            @Override public List<int[]> support(LayeredDag g) { return List.of(path(g)); }

            @Override public int[] sample(LayeredDag g, RandomGenerator rng) { return path(g); }

            private int[] path(LayeredDag g) {
                int[] path = new int[g.layerCount()];
                for (int i = 0; i + 1 < path.length; i++) {
                    int[] p = g.passable(i);
                    if (p.length == 1) {
                        path[i] = p[0];
                    } else if (p.length == 2 && LayeredDag.parity(p[0]) != LayeredDag.parity(p[1])) {
                        int want = wanted.of(g, i + 1);
                        path[i] = LayeredDag.parity(p[0]) == want ? p[0] : p[1];
                    } else {
                        throw new IllegalArgumentException("a parity rule needs one passable node, or two of opposite"
                                + " parity, in layer " + (i + 1) + "; got " + p.length);
                    }
                }
                path[path.length - 1] = g.target();
                return path;
            }
        };
    }
}
