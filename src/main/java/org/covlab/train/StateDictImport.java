package org.covlab.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.covlab.model.Gpt;
import org.covlab.model.GptConfig;
import org.covlab.model.ParameterLayout;
import org.covlab.model.Safetensors;
import org.covlab.task.graph.GraphTask;
import org.covlab.tensor.Parallel;
import org.covlab.util.InputException;

/**
 * {@code ./covlab import}: a PyTorch state_dict saved as safetensors, in nanoGPT's names or covlab's own, made into
 * a checkpoint folder that eval, sample, bon and select read (docs/interop.md). The model's shape is read off the
 * tensors (vocab and width from the token embedding, ctx from the position embedding, the layers from the block
 * indices); the heads cannot be, so they come from {@code --heads} or the file's metadata. Every tensor must have
 * the shape covlab's architecture (docs/architecture.md) gives it; the first that does not is named.
 *
 * <p>nanoGPT's modules are covlab's, with other names and both store {@code nn.Linear} weights as (out, in), so
 * no tensor is transposed. nanoGPT ties {@code lm_head.weight} to {@code transformer.wte.weight}: when a file holds
 * only one of them (safetensors' {@code save_model} drops the shared copy), both of covlab's untied tensors get it.
 */
public final class StateDictImport {
    private StateDictImport() {}

    /** The names a state_dict uses. */
    public enum Layout {
        NANOGPT, COVLAB;

        public String cliName() { return name().toLowerCase(Locale.ROOT); }
    }

    /** nanoGPT's names and covlab's, outside the blocks and inside ({@code transformer.h.N.} / {@code blocks.N.}). */
    private static final String[][] TOP = {{"transformer.wte.weight", "tok.weight"}, {"transformer.wpe.weight", "pos.weight"},
            {"transformer.ln_f.weight", "ln.weight"}, {"transformer.ln_f.bias", "ln.bias"}, {"lm_head.weight", "head.weight"}};
    private static final String[][] BLOCK = {{"ln_1", "ln1"}, {"ln_2", "ln2"}, {"attn.c_attn", "qkv"}, {"attn.c_proj", "proj"},
            {"mlp.c_fc", "fc"}, {"mlp.c_proj", "out"}};
    private static final String[] BLOCK_PREFIX = {"transformer.h.", "blocks."};
    /** torch.compile's wrapper prefix, which nanoGPT's own loader strips too. */
    private static final String COMPILED = "_orig_mod.";

    /**
     * {@code name} in the other naming ({@code from} 0: nanoGPT to covlab; 1: covlab to nanoGPT), or null when it
     * is not a parameter name of that layout.
     */
    static String rename(String name, int from) {
        int to = 1 - from;
        for (String[] p : TOP) if (name.equals(p[from])) return p[to];
        if (!name.startsWith(BLOCK_PREFIX[from])) return null;
        String rest = name.substring(BLOCK_PREFIX[from].length());
        int dot = rest.indexOf('.');
        if (dot < 1 || !rest.substring(0, dot).matches("\\d{1,6}")) return null;
        for (String[] p : BLOCK)
            for (String kind : new String[] {".weight", ".bias"})
                if (rest.substring(dot + 1).equals(p[from] + kind)) return BLOCK_PREFIX[to] + rest.substring(0, dot + 1) + p[to] + kind;
        return null;
    }

    /**
     * Reads {@code file}, checks it against covlab's architecture and the task, and writes the checkpoint folder
     * {@code out} (which must not exist). Notes (tying, buffers, dtypes, the GELU form) go to {@code note}.
     *
     * @param heads attention heads, or null to take them from the file's metadata ("heads")
     */
    public static Checkpoint run(Path file, Layout layout, Integer heads, GraphTask task, Path out, Consumer<String> note) {
        Safetensors.Contents c = Safetensors.read(file);
        int from = layout == Layout.NANOGPT ? 0 : 1;
        Map<String, Safetensors.Tensor> named = new LinkedHashMap<>();      // covlab's names
        Map<String, String> original = new LinkedHashMap<>();               // covlab's name -> the file's
        List<String> buffers = new ArrayList<>();
        for (Map.Entry<String, Safetensors.Tensor> e : c.tensors().entrySet()) {
            String name = e.getKey().startsWith(COMPILED) ? e.getKey().substring(COMPILED.length()) : e.getKey();
            if (Safetensors.isKnownBuffer(name)) { buffers.add(e.getKey()); continue; }
            String ours = layout == Layout.NANOGPT ? rename(name, 0) : rename(name, 1) == null ? null : name;
            if (ours == null) throw InputException.at(file, 0, e.getKey(), "not a parameter of covlab's architecture in " + layout.cliName()
                    + "'s names (expected " + TOP[0][from] + ", " + BLOCK_PREFIX[from] + "N." + BLOCK[2][from] + ".weight, ...; docs/architecture.md)");
            named.put(ours, e.getValue());
            original.put(ours, e.getKey());
        }
        List<String> notes = new ArrayList<>();
        tie(file, named, original, "head.weight", "tok.weight", from, notes);
        tie(file, named, original, "tok.weight", "head.weight", from, notes);
        GptConfig shape = shape(file, named, from, heads == null ? metadataHeads(file, c) : heads);
        float[] params = new float[ParameterLayout.of(shape).size()];
        for (ParameterLayout.Tensor t : ParameterLayout.of(shape).tensors()) {
            Safetensors.Tensor x = named.get(t.name());
            String theirs = original.getOrDefault(t.name(), from == 0 ? rename(t.name(), 1) : t.name());
            if (x == null) throw InputException.at(file, 0, theirs, "missing tensor; covlab's architecture needs it, shape " + t.shape()
                    + (t.name().endsWith(".bias") ? " (every layer has biases: nanoGPT's bias=False does not map)" : ""));
            if (!x.shape().equals(t.shape())) throw InputException.at(file, 0, theirs, "shape " + x.shape() + ", covlab's architecture needs "
                    + t.shape() + (x.shape().size() == 2 && x.shape().get(0).equals(t.shape().get(1)) ? " (stored as (in, out)? covlab's Linear weights are (out, in))" : ""));
            System.arraycopy(x.data(), 0, params, t.offset(), t.size());
        }
        requireFits(file, named, original, shape, task);
        Gpt model = new Gpt(shape, Parallel.SERIAL);
        System.arraycopy(params, 0, model.parameters(), 0, params.length);
        WeightChecks.requireUsable(file, model);
        Checkpoint written = Checkpoint.writeWeights(out, shape, TaskSpec.of(task), params);
        if (!buffers.isEmpty()) notes.add(file + ": ignored " + buffers.size() + " non-parameter buffer(s) (" + buffers.get(0) + (buffers.size() > 1 ? ", ..." : "") + ")");
        if (!c.converted().isEmpty()) notes.add(file + ": " + String.join(", ", c.converted()) + " tensors converted to F32");
        if (layout == Layout.NANOGPT) notes.add("nanoGPT's MLP uses the exact (erf) GELU, covlab the tanh form of GPT-2: log-probs differ slightly (docs/interop.md)");
        notes.forEach(note);
        return written;
    }

    /** nanoGPT ties the head to the token embedding: where a file holds one of the two, the other is a copy. */
    private static void tie(Path file, Map<String, Safetensors.Tensor> named, Map<String, String> original, String missing, String present,
                            int from, List<String> notes) {
        if (named.containsKey(missing) || !named.containsKey(present)) return;
        named.put(missing, named.get(present));
        original.put(missing, original.get(present));
        notes.add(file + " has no " + (from == 0 ? rename(missing, 1) : missing) + ": " + original.get(present) + " serves as both (nanoGPT ties them)");
    }

    private static int metadataHeads(Path file, Safetensors.Contents c) {
        String h = c.metadata().get("heads");
        if (h == null || !h.matches("\\d{1,6}")) throw new InputException("--heads: required (" + file + " has no integer 'heads' in its metadata, and the shapes do not say)");
        return Integer.parseInt(h);
    }

    /** The shape read off the tensors: vocab and width from the token embedding, ctx from the positions, layers from the indices. */
    private static GptConfig shape(Path file, Map<String, Safetensors.Tensor> named, int from, int heads) {
        Safetensors.Tensor tok = named.get("tok.weight"), pos = named.get("pos.weight");
        if (tok == null) throw InputException.at(file, 0, TOP[0][from], "missing tensor (the token embedding, (vocab, dModel))");
        if (pos == null) throw InputException.at(file, 0, TOP[1][from], "missing tensor (the position embedding, (ctx, dModel))");
        for (Safetensors.Tensor t : List.of(tok, pos))
            if (t.shape().size() != 2) throw InputException.at(file, 0, TOP[t == tok ? 0 : 1][from], "shape " + t.shape() + ", an embedding is 2-dimensional");
        TreeSet<Integer> layers = new TreeSet<>();
        for (String n : named.keySet()) if (n.startsWith("blocks.")) layers.add(Integer.parseInt(n.substring(7, n.indexOf('.', 7))));
        if (layers.isEmpty()) throw InputException.at(file, 0, BLOCK_PREFIX[from] + "0." + BLOCK[0][from] + ".weight", "missing tensor (no transformer blocks)");
        try {
            return new GptConfig(tok.shape().get(0), pos.shape().get(0), layers.last() + 1, heads, tok.shape().get(1));
        } catch (IllegalArgumentException e) {
            throw new InputException("--heads: " + e.getMessage());
        }
    }

    /** The model must have the task's tokens and room for its longest prompt + response - 1 ({@link EvalRun#requireFits}). */
    private static void requireFits(Path file, Map<String, Safetensors.Tensor> named, Map<String, String> original, GptConfig m, GraphTask task) {
        int need = task.maxPromptLength() + task.maxResponseLength() - 1;
        if (m.vocab() < task.vocabSize()) throw InputException.at(file, 0, original.get("tok.weight"), "vocab " + m.vocab() + " cannot hold "
                + task + "'s " + task.vocabSize() + " tokens (docs/tasks.md)");
        if (m.ctx() < need) throw InputException.at(file, 0, original.get("pos.weight"), "ctx " + m.ctx() + " is shorter than " + task
                + "'s longest prompt and response (" + need + " positions)");
    }
}
