package org.covlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.covlab.model.GptConfig;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.GraphTasks;
import org.covlab.train.Checkpoint;
import org.covlab.train.StateDictImport;
import org.covlab.util.InputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code covlab import}: a PyTorch state_dict (safetensors) in nanoGPT's or covlab's names, as a checkpoint folder. */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Make a checkpoint folder (config.json + model.safetensors) from a PyTorch state_dict saved as "
                + "safetensors (F32, F16, BF16 or F64), in nanoGPT's names (transformer.wte.weight, transformer.h.N.attn.c_attn.weight, "
                + "..., lm_head.weight) or covlab's (tok.weight, blocks.N.qkv.weight, ...; scripts/covlab_gpt.py). The shape is read "
                + "off the tensors; every tensor must have the shape of covlab's architecture (docs/architecture.md), and the first that "
                + "does not is named. nanoGPT's attention-mask buffers are ignored. eval, sample, bon and select then read --out "
                + "(docs/interop.md)."},
        footer = {"", "Examples:",
                "  ./covlab import --layout nanogpt model.safetensors --heads 2 --task fig2 --H 8 --out runs/mine",
                "  ./covlab eval --checkpoints runs/mine --prompts 64 --out runs/mine-eval"})
public final class ImportCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--layout", required = true, paramLabel = "L", description = "The tensors' names: nanogpt or covlab.")
    String layout;

    @Parameters(index = "0", paramLabel = "FILE", description = "The state_dict, as safetensors.")
    Path file;

    @Option(names = "--heads", paramLabel = "NH", description = "Attention heads (default: the file's metadata 'heads'; nanoGPT's files need it).")
    Integer heads;

    @Option(names = "--task", required = true, paramLabel = "T", description = "The graph task the model was trained on (fig2, fig1).")
    String task;

    @Option(names = "--H", required = true, paramLabel = "N", description = "Its H.")
    int H;

    @Mixin EdgeOrderOption edgeOrder;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The checkpoint folder to write (must not exist).")
    Path out;

    @Override public Integer call() {
        StateDictImport.Layout l = Arrays.stream(StateDictImport.Layout.values()).filter(x -> x.cliName().equals(layout)).findFirst()
                .orElseThrow(() -> new InputException("--layout: unknown layout '" + layout + "'; choose nanogpt or covlab"));
        if (heads != null) Checks.atLeast("--heads", 1, heads);
        GraphTask t = GraphTasks.byName(task, H, edgeOrder.order());
        PrintWriter err = spec.commandLine().getErr(), stdout = spec.commandLine().getOut();
        Checkpoint ck = StateDictImport.run(file, l, heads, t, out, note -> err.println("covlab: note: " + note));
        err.flush();
        GptConfig m = ck.config().model();
        stdout.printf("%s -> %s: %d layers, %d heads, width %d, vocab %d, ctx %d; task %s%n", file, out, m.layers(), m.heads(), m.dModel(),
                m.vocab(), m.ctx(), ck.config().task());
        stdout.flush();
        return 0;
    }
}
