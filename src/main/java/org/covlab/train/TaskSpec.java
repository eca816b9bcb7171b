package org.covlab.train;

import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;

/**
 * The task a checkpoint was trained on, as {@code --task NAME --H N}: enough to rebuild it with
 * {@link GraphTasks#byName} for eval, sample, bon and select.
 */
public record TaskSpec(String name, int H) {
    public TaskSpec {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("task name is required");
    }

    public static TaskSpec of(GraphTask task) {
        return new TaskSpec(task.name(), task.H());
    }

    /** The graph task (an {@link org.covlab.util.InputException} for a name or H that is not one). */
    public GraphTask graphTask() {
        return GraphTasks.byName(name, H);
    }

    @Override public String toString() { return name + " H=" + H; }
}
