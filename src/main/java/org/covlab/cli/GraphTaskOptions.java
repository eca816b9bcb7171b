package org.covlab.cli;

import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code --task NAME --H N --edge-order O} of the {@code task} subcommands, which read no checkpoint. */
public final class GraphTaskOptions {

    @Option(names = "--task", required = true, paramLabel = "NAME", description = "fig1-finetune, fig1-pretrain or fig2")
    String name;

    @Option(names = "--H", paramLabel = "N", description = "intermediate layers (default: the paper's, 8)")
    Integer H;

    @Mixin EdgeOrderOption edgeOrder;

    /** The task named, at H (default 8) with the edge order given (default layer). */
    GraphTask task() {
        return GraphTasks.byName(name, H, edgeOrder.order());
    }
}
