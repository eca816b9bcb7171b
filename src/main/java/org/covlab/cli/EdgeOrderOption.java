package org.covlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.covlab.task.graph.EdgeOrder;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;
import org.covlab.train.Checkpoint;
import org.covlab.train.TaskSpec;
import picocli.CommandLine.Option;

/**
 * {@code --edge-order}, shared by every command that takes a graph task (docs/tasks.md, Q5). Without it a command
 * uses the order a checkpoint was trained on, or {@link GraphTasks#DEFAULT_EDGE_ORDER} where it reads none.
 */
public final class EdgeOrderOption {

    @Option(names = "--edge-order", paramLabel = "O",
            description = "How prompts list the edges: layer (grouped by the layer of their source, s first) or shuffled "
                    + "(default: a checkpoint's own order, else layer).")
    String value;

    /** The order given, or {@code dflt}. */
    EdgeOrder orElse(EdgeOrder dflt) {
        return value == null ? dflt : EdgeOrder.parse(value);
    }

    /** The order given, or the default (for commands that read no checkpoint). */
    EdgeOrder order() {
        return orElse(GraphTasks.DEFAULT_EDGE_ORDER);
    }

    /**
     * The task of a command that reads checkpoints: --task, --H and --edge-order where given, else the checkpoint's
     * own. Prompts in another order than the checkpoint's are allowed, with a one-line note on {@code err}.
     */
    GraphTask resolve(String task, Integer H, Path checkpointDir, PrintWriter err) {
        TaskSpec own = Checkpoint.read(checkpointDir).config().task();
        EdgeOrder order = orElse(own.edgeOrder());
        if (order != own.edgeOrder()) {
            err.println("covlab: note: " + checkpointDir + " was trained on prompts with " + own.edgeOrder()
                    + " edges; these prompts list them in " + order + " order");
            err.flush();
        }
        return task != null ? GraphTasks.byName(task, H, order) : GraphTasks.byName(own.name(), H == null ? own.H() : H, order);
    }
}
