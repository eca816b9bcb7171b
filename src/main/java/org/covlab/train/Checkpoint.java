package org.covlab.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.covlab.model.Footprint;
import org.covlab.model.Gpt;
import org.covlab.model.GptConfig;
import org.covlab.model.ParameterLayout;
import org.covlab.model.Safetensors;
import org.covlab.report.Json;
import org.covlab.task.Task;
import org.covlab.tensor.Parallel;
import org.covlab.util.Heap;
import org.covlab.util.InputException;
import org.covlab.util.IoErrors;

/**
 * One checkpoint folder, e.g. {@code OUT/checkpoints/step-000500/}:
 * <ul>
 *   <li>{@code config.json}: the model's shape (GptConfig's fields), the task, the training settings;</li>
 *   <li>{@code model.safetensors}: float32 weights named exactly as the PyTorch state_dict of torch_gpt.py's GPT;</li>
 *   <li>{@code optimizer.safetensors}: AdamW's moments as {@code NAME.exp_avg} and {@code NAME.exp_avg_sq} (no
 *       tensors for the stateless rules);</li>
 *   <li>{@code state.json}, written last: the step, the seed, the data position (which with the seed is the state
 *       of every random stream, see {@link TaskData}), the optimizer's step count, and the size and CRC-32C of the
 *       other three files.</li>
 * </ul>
 * A checkpoint is written into a hidden temporary folder ({@code .step-000500.tmp}), each file flushed to disk,
 * then the folder is renamed: a visible {@code step-N} folder is complete. Reading checks every file against
 * state.json, so a truncated or corrupt file is an {@link InputException} naming the file and field, never garbage.
 */
public record Checkpoint(Path dir, Config config, State state) {

    public static final String CONFIG = "config.json";
    public static final String MODEL = "model.safetensors";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String STATE = "state.json";
    /** The version of this layout, in state.json. */
    public static final int FORMAT = 1;
    private static final List<String> CHECKSUMMED = List.of(CONFIG, MODEL, OPTIMIZER);
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

    public int step() { return state.step(); }

    // ---- writing ------------------------------------------------------------------------------------------

    /** Writes the trainer's state as the folder {@code dir}, atomically (temporary folder, fsync, rename). */
    public static Checkpoint write(Path dir, Trainer t, TaskSpec task) {
        WeightChecks.requireFiniteState(t);
        Gpt model = t.model();
        Path parent = dir.toAbsolutePath().getParent();
        Path tmp = parent.resolve("." + dir.getFileName() + ".tmp");
        try {
            Files.createDirectories(parent);
            deleteTree(tmp);
            Files.createDirectory(tmp);
            Config config = new Config(model.config(), task, t.config());
            Json.writeFile(tmp.resolve(CONFIG), config);
            GptConfig g = model.config();         // the shape in the metadata too, for scripts/make_torch_fixture.py --check
            Safetensors.write(tmp.resolve(MODEL), model.layout(), model.parameters(), Map.of("format", "pt",
                    "vocab", "" + g.vocab(), "ctx", "" + g.ctx(), "layers", "" + g.layers(), "heads", "" + g.heads(), "dmodel", "" + g.dModel()));
            writeOptimizer(tmp.resolve(OPTIMIZER), model.layout(), t.optimizer());
            Map<String, FileCheck> files = new LinkedHashMap<>();
            for (String f : CHECKSUMMED) files.put(f, check(tmp.resolve(f)));
            TaskData.Position p = t.data().position();
            State state = new State(FORMAT, t.step(), t.config().seed(), new DataState(p.epoch(), p.index()),
                    new OptimizerState(t.config().optimizer().kind(), t.optimizer().steps()), files);
            Json.writeFile(tmp.resolve(STATE), state);
            fsync(tmp);
            if (Files.exists(dir)) discard(dir);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            fsync(parent);
            return new Checkpoint(dir, config, state);
        } catch (IOException e) {
            throw IoErrors.unchecked("cannot write checkpoint " + dir, e);
        }
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

    /** Reads and checks a checkpoint folder: config.json, state.json, and every file's size and checksum. */
    public static Checkpoint read(Path dir) {
        if (!Files.isDirectory(dir)) throw InputException.at(dir, 0, null, "no such checkpoint folder");
        Path stateFile = require(dir, STATE), configFile = require(dir, CONFIG);
        State state = Json.readFile(stateFile, State.class);
        if (state.format() != FORMAT) throw InputException.at(stateFile, 0, "format", "is " + state.format() + ", this covlab reads " + FORMAT);
        if (state.data() == null) throw InputException.at(stateFile, 0, "data", "missing");
        if (state.optimizer() == null || state.optimizer().kind() == null) throw InputException.at(stateFile, 0, "optimizer", "missing");
        if (state.files() == null) throw InputException.at(stateFile, 0, "files", "missing");
        for (String f : CHECKSUMMED) {
            FileCheck expected = state.files().get(f);
            if (expected == null) throw InputException.at(stateFile, 0, "files." + f, "missing");
            FileCheck actual = check(require(dir, f));
            if (actual.bytes() != expected.bytes()) {
                throw InputException.at(dir.resolve(f), 0, null, actual.bytes() + " bytes, state.json says " + expected.bytes() + " (truncated or replaced)");
            }
            if (!actual.crc32c().equals(expected.crc32c())) {
                throw InputException.at(dir.resolve(f), 0, null, "CRC-32C " + actual.crc32c() + ", state.json says " + expected.crc32c() + " (corrupt)");
            }
        }
        Config config = Json.readFile(configFile, Config.class);
        if (config.model() == null) throw InputException.at(configFile, 0, "model", "missing");
        if (config.task() == null) throw InputException.at(configFile, 0, "task", "missing");
        if (config.training() == null) throw InputException.at(configFile, 0, "training", "missing");
        TrainConfig tc = config.training();
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
        return new Checkpoint(dir, config, state);
    }

    /** The model with this checkpoint's weights. */
    public Gpt loadModel(Parallel pool) {
        GptConfig m = config.model();
        Heap.require(dir.resolve(CONFIG) + ": a model of " + String.format(Locale.ROOT, "%,d", m.parameterCount()) + " parameters ("
                + m.layers() + " layers of width " + m.dModel() + ")", Footprint.model(m), "this checkpoint cannot be loaded here");
        ParameterLayout layout = ParameterLayout.of(m);
        Safetensors.Contents weights = Safetensors.readFor(dir.resolve(MODEL), layout);   // before the model is allocated
        Gpt model = new Gpt(m, pool);
        for (ParameterLayout.Tensor t : layout.tensors())
            System.arraycopy(weights.tensors().get(t.name()).data(), 0, model.parameters(), t.offset(), t.size());
        WeightChecks.requireUsable(dir.resolve(MODEL), model);
        return model;
    }

    /**
     * A trainer that continues this checkpoint's run: its weights, optimizer moments, data position and step.
     * {@code cfg} must be the run's training settings (an {@link InputException} names the first difference).
     */
    public Trainer resume(Task task, TrainConfig cfg, Parallel pool) {
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
        if (!Files.isRegularFile(f)) throw InputException.at(f, 0, null, "missing (incomplete checkpoint)");
        return f;
    }

    static FileCheck check(Path file) {
        CRC32C crc = new CRC32C();
        try {
            byte[] bytes = Files.readAllBytes(file);
            crc.update(bytes);
            return new FileCheck(bytes.length, String.format("%08x", crc.getValue()));
        } catch (NoSuchFileException e) {
            throw InputException.at(file, 0, null, "missing");
        } catch (IOException e) {
            throw IoErrors.unchecked("cannot read " + file, e);
        }
    }

    /** Flushes a folder's entries (new files, a rename) to disk. */
    static void fsync(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!System.getProperty("os.name", "").toLowerCase().contains("win")) throw e;  // Windows cannot open folders
        }
    }

    /** Removes a checkpoint folder so that no half-deleted folder is ever visible: hide it by a rename, then delete. */
    static void discard(Path dir) throws IOException {
        Path hidden = dir.resolveSibling("." + dir.getFileName() + ".deleting");
        deleteTree(hidden);
        Files.move(dir, hidden, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(hidden);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
