package org.covlab.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.covlab.io.RequiredFields;
import org.covlab.model.Footprint;
import org.covlab.model.Gpt;
import org.covlab.model.GptConfig;
import org.covlab.model.ParameterLayout;
import org.covlab.model.Safetensors;
import org.covlab.report.Json;
import org.covlab.task.Task;
import org.covlab.task.graph.GraphTasks;
import org.covlab.tensor.Parallel;
import org.covlab.util.Heap;
import org.covlab.util.InputException;

/**
 * One checkpoint folder, e.g. {@code OUT/checkpoints/step-000500/}:
 * <ul>
 *   <li>{@code config.json}: the model's shape (GptConfig's fields), the task, the training settings;</li>
 *   <li>{@code model.safetensors}: float32 weights named exactly as the PyTorch state_dict of the GPT in
 *       {@code scripts/covlab_gpt.py} (docs/architecture.md);</li>
 *   <li>{@code optimizer.safetensors}: AdamW's moments as {@code NAME.exp_avg} and {@code NAME.exp_avg_sq} (no
 *       tensors for the stateless rules);</li>
 *   <li>{@code state.json}, written last: the step, the seed, the data position (which with the seed is the state
 *       of every random stream, see {@link TaskData}), the optimizer's step count, and the size and CRC-32C of the
 *       other three files.</li>
 * </ul>
 * A checkpoint is written into a hidden temporary folder ({@code .step-000500.tmp}), each file flushed to disk,
 * then the folder is renamed: a visible {@code step-N} folder is complete. Reading checks every file against
 * state.json, so a truncated or corrupt file is an {@link InputException} naming the file and field, never garbage.
 * A folder made elsewhere may hold just config.json (model and task) and model.safetensors ({@link #read}).
 */
public record Checkpoint(Path dir, Config config, State state) {

    public static final String CONFIG = "config.json";
    public static final String MODEL = "model.safetensors";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String STATE = "state.json";
    /** The version of this layout, in state.json. */
    public static final int FORMAT = 1;
    private static final List<String> CHECKSUMMED = List.of(CONFIG, MODEL, OPTIMIZER);
    /** config.json's fields that may be absent: older checkpoints lack the edge order, beta2 and clip. */
    private static final Set<String> OPTIONAL_CONFIG = Set.of("task.edgeOrder", "training.optimizer.beta2", "training.optimizer.clip");
    private static final String EXP_AVG = ".exp_avg", EXP_AVG_SQ = ".exp_avg_sq";

    /** config.json. */
    public record Config(GptConfig model, TaskSpec task, TrainConfig training) {}

    /** The data position (see {@link TaskData.Position}). */
    public record DataState(long epoch, long index) {}

    /** The optimizer's kind and updates taken (AdamW's bias corrections use the count). */
    public record OptimizerState(Optimizer.Kind kind, int steps) {}

    /** Size and CRC-32C (hex) of a file of the checkpoint. */
    public record FileCheck(long bytes, String crc32c) {}

    /** state.json. */
    public record State(int format, int step, long seed, DataState data, OptimizerState optimizer, Map<String, FileCheck> files) {}

    /** The folder name of a step: {@code step-000500}. */
    public static String folderName(int step) {
        return String.format("step-%06d", step);
    }

    /** The step of covlab's own checkpoints; 0 for a folder without state.json (made elsewhere). */
    public int step() { return state == null ? 0 : state.step(); }

    // ---- writing ------------------------------------------------------------------------------------------

    /** Writes the trainer's state as the folder {@code dir}, atomically (temporary folder, fsync, rename). */
    public static Checkpoint write(Path dir, Trainer t, TaskSpec task) {
        WeightChecks.requireFiniteState(t);
        Gpt model = t.model();
        Config config = new Config(model.config(), task, t.config());
        TaskData.Position p = t.data().position();
        Map<String, FileCheck> files = new LinkedHashMap<>();
        State state = new State(FORMAT, t.step(), t.config().seed(), new DataState(p.epoch(), p.index()),
                new OptimizerState(t.config().optimizer().kind(), t.optimizer().steps()), files);
        CheckpointFiles.writeFolder(dir, true, tmp -> {
            Json.writeFile(tmp.resolve(CONFIG), config);
            CheckpointFiles.writeModel(tmp.resolve(MODEL), model.config(), model.parameters());
            writeOptimizer(tmp.resolve(OPTIMIZER), model.layout(), t.optimizer());
            for (String f : CHECKSUMMED) files.put(f, CheckpointFiles.check(tmp.resolve(f)));
            Json.writeFile(tmp.resolve(STATE), state);              // last
        });
        return new Checkpoint(dir, config, state);
    }

    /**
     * Writes a checkpoint of weights made elsewhere (see {@code ./covlab import}): config.json with the model and the
     * task, and model.safetensors; the folder {@code dir} must not exist. Returns it as read back, so that it is
     * checked as eval will check it.
     */
    public static Checkpoint writeWeights(Path dir, GptConfig model, TaskSpec task, float[] params) {
        CheckpointFiles.writeFolder(dir, false, tmp -> {
            Json.writeFile(tmp.resolve(CONFIG), Map.of("model", model, "task", task));
            CheckpointFiles.writeModel(tmp.resolve(MODEL), model, params);
        });
        return read(dir);
    }

    private static void writeOptimizer(Path file, ParameterLayout layout, Optimizer opt) {
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
        if (opt.firstMoment() != null) {
            for (ParameterLayout.Tensor t : layout.tensors()) tensors.put(t.name() + EXP_AVG, slice(t, opt.firstMoment()));
            for (ParameterLayout.Tensor t : layout.tensors()) tensors.put(t.name() + EXP_AVG_SQ, slice(t, opt.secondMoment()));
        }
        Safetensors.write(file, tensors, Map.of("optimizer", opt.settings().kind().cliName(), "steps", Integer.toString(opt.steps())));
    }

    private static Safetensors.Tensor slice(ParameterLayout.Tensor t, float[] flat) {
        float[] data = new float[t.size()];
        System.arraycopy(flat, t.offset(), data, 0, t.size());
        return new Safetensors.Tensor(t.shape(), data);
    }

    // ---- reading ------------------------------------------------------------------------------------------

    /**
     * Reads and checks a checkpoint folder. config.json (the model's shape and the task) and model.safetensors are
     * required; a folder made elsewhere may hold only these. state.json, when present, is checked with the size and
     * checksum of every file it lists and against config.json's training block, which it then needs; only
     * {@link #resume} needs state.json, the training block and optimizer.safetensors.
     */
    public static Checkpoint read(Path dir) {
        if (!Files.isDirectory(dir)) throw InputException.at(dir, 0, null, "no such checkpoint folder");
        Path configFile = require(dir, CONFIG), stateFile = dir.resolve(STATE);
        require(dir, MODEL);
        State state = Files.isRegularFile(stateFile) ? readState(dir, stateFile) : null;
        JsonNode tree = Json.readTree(configFile);
        Set<String> optional = new HashSet<>(OPTIONAL_CONFIG);
        if (state == null) optional.add("training");
        if (state != null && !tree.path("training").isObject())
            throw InputException.at(configFile, 0, "training", "missing (state.json's step, seed and data position are checked against it)");
        RequiredFields.require(configFile, tree, Config.class, optional);
        Config config = Json.readFile(configFile, Config.class);
        if (state == null && !tree.path("task").has("edgeOrder"))       // absent means legacy only in covlab's own old checkpoints
            config = new Config(config.model(), new TaskSpec(config.task().name(), config.task().H(), GraphTasks.DEFAULT_EDGE_ORDER), config.training());
        if (state != null) requireConsistent(dir, stateFile, state, config.training());
        return new Checkpoint(dir, config, state);
    }

    private static State readState(Path dir, Path stateFile) {
        RequiredFields.require(stateFile, Json.readTree(stateFile), State.class, Set.of());
        State state = Json.readFile(stateFile, State.class);
        if (state.format() != FORMAT) throw InputException.at(stateFile, 0, "format", "is " + state.format() + ", this covlab reads " + FORMAT);
        for (String f : CHECKSUMMED) {
            FileCheck expected = state.files().get(f);
            if (expected == null) throw InputException.at(stateFile, 0, "files." + f, "missing");
            FileCheck actual = CheckpointFiles.check(require(dir, f));
            if (actual.bytes() != expected.bytes()) {
                throw InputException.at(dir.resolve(f), 0, null, actual.bytes() + " bytes, state.json says " + expected.bytes() + " (truncated or replaced)");
            }
            if (!actual.crc32c().equals(expected.crc32c())) {
                throw InputException.at(dir.resolve(f), 0, null, "CRC-32C " + actual.crc32c() + ", state.json says " + expected.crc32c() + " (corrupt)");
            }
        }
        return state;
    }

    /** state.json against the folder's name and the run's training settings. */
    private static void requireConsistent(Path dir, Path stateFile, State state, TrainConfig tc) {
        if (state.step() < 0) throw InputException.at(stateFile, 0, "step", "must be >= 0, got " + state.step());
        String folder = dir.toAbsolutePath().normalize().getFileName().toString();
        if (folder.matches("step-\\d{1,9}") && Integer.parseInt(folder.substring(5)) != state.step())
            throw InputException.at(stateFile, 0, "step", state.step() + ", but the folder is " + folder);
        if (state.step() > tc.steps()) throw InputException.at(stateFile, 0, "step", state.step() + ", past the run's " + tc.steps() + " steps");
        if (state.seed() != tc.seed()) throw InputException.at(stateFile, 0, "seed", state.seed() + ", config.json says " + tc.seed());
        if (state.optimizer().kind() != tc.optimizer().kind()) {
            throw InputException.at(stateFile, 0, "optimizer.kind", state.optimizer().kind() + ", config.json says " + tc.optimizer().kind());
        }
        if (state.optimizer().steps() != state.step()) {
            throw InputException.at(stateFile, 0, "optimizer.steps", state.optimizer().steps() + ", but step is " + state.step());
        }
        // Every step draws one batch, so the data position is where step x batch samples end, epoch by epoch.
        DataState d = state.data();
        long drawn = (long) state.step() * tc.batch();
        boolean online = tc.dataset() == TaskData.ONLINE;
        long epoch = online ? 0 : drawn / tc.dataset(), index = online ? drawn : drawn % tc.dataset();
        if (d.epoch() != epoch || d.index() != index) {
            throw InputException.at(stateFile, 0, "data", "position (" + d.epoch() + ", " + d.index() + ") is not where " + state.step()
                    + " steps of " + tc.batch() + " samples end (" + epoch + ", " + index + ")" + (online ? " with online data" : " in a dataset of " + tc.dataset()));
        }
    }

    /** The model with this checkpoint's weights; F16/BF16/F64 tensors and known buffers are noted once on stderr. */
    public Gpt loadModel(Parallel pool) {
        GptConfig m = config.model();
        Heap.require(dir.resolve(CONFIG) + ": a model of " + String.format(Locale.ROOT, "%,d", m.parameterCount()) + " parameters ("
                + m.layers() + " layers of width " + m.dModel() + ")", Footprint.model(m), "this checkpoint cannot be loaded here");
        ParameterLayout layout = ParameterLayout.of(m);
        Path file = dir.resolve(MODEL);
        Safetensors.Contents weights = Safetensors.readFor(file, layout);   // before the model is allocated
        Gpt model = new Gpt(m, pool);
        for (ParameterLayout.Tensor t : layout.tensors())
            System.arraycopy(weights.tensors().get(t.name()).data(), 0, model.parameters(), t.offset(), t.size());
        WeightChecks.requireUsable(file, model);
        if (!weights.converted().isEmpty()) noteOnce(file + ": " + String.join(", ", weights.converted()) + " tensors converted to F32");
        List<String> buffers = weights.tensors().keySet().stream().filter(n -> !layout.contains(n)).toList();
        if (!buffers.isEmpty()) noteOnce(file + ": ignored " + buffers.size() + " non-parameter buffer(s) (" + buffers.get(0)
                + (buffers.size() > 1 ? ", ..." : "") + "): the causal mask of nanoGPT-style modules, which covlab applies itself");
        return model;
    }

    private static final Set<String> NOTED = ConcurrentHashMap.newKeySet();

    /** One line on stderr, the first time this process says it (select loads each checkpoint twice). */
    private static void noteOnce(String note) {
        if (NOTED.add(note)) System.err.println("covlab: note: " + note);
    }

    /** What {@link #resume} needs beyond what eval reads: an InputException naming the first that is missing. */
    private void requireTrainingState() {
        if (state == null) throw InputException.at(dir.resolve(STATE), 0, null, "missing (train --resume needs covlab's own checkpoint)");
        require(dir, OPTIMIZER);
    }

    /**
     * A trainer that continues this checkpoint's run: its weights, optimizer moments, data position and step.
     * {@code cfg} must be the run's training settings (an {@link InputException} names the first difference).
     */
    public Trainer resume(Task task, TrainConfig cfg, Parallel pool) {
        requireTrainingState();
        requireSame(Json.toTree(Map.of("training", config.training())), Json.toTree(Map.of("training", cfg)));
        Trainer t = new Trainer(loadModel(pool), task, cfg);
        readOptimizer(dir.resolve(OPTIMIZER), t.model().layout(), t.optimizer());
        t.optimizer().restoreSteps(state.optimizer().steps());
        t.data().seek(new TaskData.Position(state.data().epoch(), state.data().index()));
        t.restoreStep(state.step());
        return t;
    }

    private static void readOptimizer(Path file, ParameterLayout layout, Optimizer opt) {
        Safetensors.Contents c = Safetensors.read(file);
        int expected = opt.firstMoment() == null ? 0 : 2 * layout.tensors().size();
        if (c.tensors().size() != expected) {
            throw InputException.at(file, 0, null, c.tensors().size() + " tensors, " + opt.settings().kind().cliName() + " needs " + expected);
        }
        if (expected == 0) return;
        for (ParameterLayout.Tensor t : layout.tensors()) {
            copy(file, c, t, t.name() + EXP_AVG, opt.firstMoment());
            copy(file, c, t, t.name() + EXP_AVG_SQ, opt.secondMoment());
        }
    }

    private static void copy(Path file, Safetensors.Contents c, ParameterLayout.Tensor t, String name, float[] flat) {
        Safetensors.Tensor x = c.tensors().get(name);
        if (x == null) throw InputException.at(file, 0, name, "missing tensor");
        if (!x.shape().equals(t.shape())) throw InputException.at(file, 0, name, "shape " + x.shape() + ", the model needs " + t.shape());
        WeightChecks.requireMoments(file, name, x, name.endsWith(EXP_AVG_SQ));
        System.arraycopy(x.data(), 0, flat, t.offset(), t.size());
    }

    /**
     * Passes when this checkpoint belongs to a run with these settings (model, task and training); otherwise one
     * {@link InputException} that lists every difference, so that --resume never continues another run's training.
     */
    public void requireSameRun(Config run) {
        requireTrainingState();
        requireSame(Json.toTree(config), Json.toTree(run));
    }

    private void requireSame(JsonNode checkpoint, JsonNode run) {
        List<String> diffs = new ArrayList<>();
        for (Json.Difference d : Json.differences(checkpoint, run))
            diffs.add("field '" + d.path() + "': the checkpoint has " + d.before() + ", this run " + (d.now().isMissingNode() ? "nothing" : d.now()));
        if (!diffs.isEmpty()) throw InputException.at(dir.resolve(CONFIG), 0, null, String.join("; ", diffs));
    }

    // ---- files --------------------------------------------------------------------------------------------

    private static Path require(Path dir, String name) {
        Path f = dir.resolve(name);
        if (!Files.isRegularFile(f)) throw InputException.at(f, 0, null, "missing (a checkpoint folder holds at least " + CONFIG + " and " + MODEL + ")");
        return f;
    }
}
