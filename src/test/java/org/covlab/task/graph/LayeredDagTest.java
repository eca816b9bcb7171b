package org.covlab.task.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LayeredDagTest {

    // s=1; layer 2 = {2,3,4,5} with 2 and 3 passable; layer 3 = {6,7,8,9} with 9 passable; t=10.
    private final LayeredDag g = LayeredDag.of(
            new int[][] {{1}, {5, 4, 3, 2}, {6, 7, 8, 9}, {10}},
            new int[][] {{1}, {3, 2}, {9}, {}});

    @Test
    void knownAnswerPathsAndEdges() {
        assertThat(g.pathCount()).isEqualTo(2);
        assertThat(g.allPaths()).containsExactly(new int[] {1, 2, 9, 10}, new int[] {1, 3, 9, 10});
        assertThat(g.edges()).hasSize(4 + 2 * 4 + 1);
        assertThat(g.layer(1)).containsExactly(2, 3, 4, 5);
        assertThat(g.isPath(new int[] {1, 3, 9, 10})).isTrue();
        assertThat(g.isPath(new int[] {1, 4, 9, 10})).as("4 is a dead end").isFalse();
        assertThat(g.isPath(new int[] {1, 3, 8, 10})).isFalse();
        assertThat(g.isPath(new int[] {1, 3, 9})).isFalse();
        assertThat(g.isPath(new int[] {2, 3, 9, 10})).isFalse();
    }

    @Test
    void edgeListRoundTripsInAnyOrder() {
        List<int[]> edges = new ArrayList<>(g.edges());
        Collections.shuffle(edges, new Random(3));
        assertThat(LayeredDag.fromEdges(edges, 1, 10)).isEqualTo(g);
    }

    @Test
    void rejectsEdgeListsThatAreNotLayeredDags() {
        List<int[]> partial = new ArrayList<>(g.edges());
        partial.remove(5);  // a passable node of layer 2 loses one out-edge
        assertThatThrownBy(() -> LayeredDag.fromEdges(partial, 1, 10)).isInstanceOf(IllegalArgumentException.class);
        List<int[]> extra = new ArrayList<>(g.edges());
        extra.add(new int[] {50, 51});  // an edge off the s-t layers
        assertThatThrownBy(() -> LayeredDag.fromEdges(extra, 1, 10)).hasMessageContaining("off the s-t layers");
        List<int[]> cycle = List.of(new int[] {1, 2}, new int[] {2, 1});
        assertThatThrownBy(() -> LayeredDag.fromEdges(cycle, 1, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LayeredDag.fromEdges(g.edges(), 1, 9)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LayeredDag.of(new int[][] {{1}, {2}, {1}}, new int[][] {{1}, {2}, {}}))
                .hasMessageContaining("twice");
    }
}
