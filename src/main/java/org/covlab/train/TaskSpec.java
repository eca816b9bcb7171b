package org.covlab.train;

import org.covlab.task.graph.EdgeOrder;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;

/**
 * The task a checkpoint was trained on, as {@code --task NAME --H N --edge-order O}: enough to rebuild it with
 * {@link GraphTasks#byName} for eval, sample, bon and select.
 *
 * @param edgeOrder how the prompts listed the edges; absent (null) in checkpoints written before the option
 *                  existed, which all used {@link EdgeOrder#LEGACY}
 */
public record TaskSpec(String name, int H, EdgeOrder edgeOrder) {
    public TaskSpec {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("task name is required");
        if (edgeOrder == null) edgeOrder = EdgeOrder.LEGACY;
    }

    public static TaskSpec of(GraphTask task) {
        return new TaskSpec(task.name(), task.H(), task.edgeOrder());
    }

    @Override public String toString() { return name + " H=" + H + " edges " + edgeOrder; }
}
