package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import java.util.regex.Matcher;
import java.util.stream.LongStream;
import org.covlab.cli.FuzzCase.Expect;
import org.covlab.model.ParameterLayout;
import org.covlab.task.graph.GraphTasks;
import org.covlab.tensor.Parallel;
import org.covlab.train.Checkpoint;
import org.covlab.train.TaskSpec;
import org.covlab.train.Trainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzing the checkpoint readers (config.json, state.json, model.safetensors and optimizer.safetensors), 1,000 seeded
 * inputs each, the probe's cases first. A tiny run's newest checkpoint is changed and its checksums made to match again,
 * then read and resumed as train --resume does ({@link Checkpoint#read}, {@link Checkpoint#resume}): exit 0 with the
 * file's weights, or exit 2 with one line, in bounded time and memory. Each mutation knows whether it must be refused
 * (a value of the wrong type, an impossible offset, a NaN weight), must be accepted (a reformatted file, a changed
 * weight) or may be either (a well-typed but odd value, byte damage).
 */
class CheckpointFuzzTest {
    @TempDir static Path shared;
    static Path pristine;
    static final long MAX_BYTES = 64L << 20;
    static final String CONFIG = "config.json", STATE = "state.json", MODEL = "model.safetensors", OPTIMIZER = "optimizer.safetensors";

    @BeforeAll static void train() {
        CliRun r = CliRun.of("train", "--task", "fig2", "--H", "8", "--layers", "1", "--heads", "2", "--dmodel", "16", "--batch", "4",
                "--lr", "3e-3", "--steps", "4", "--checkpoint-every", "2", "--dataset", "64", "--threads", "1", "--out", shared.resolve("run").toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        pristine = shared.resolve("run/checkpoints/step-000004");
    }

    @AfterAll static void bothOutcomesAreCommon() {
        for (String reader : List.of(CONFIG, STATE, "safetensors")) FuzzCase.requireBothOutcomes(reader, JsonlFuzzTest.CASES);
    }

    static LongStream seeds() {
        return LongStream.range(0, JsonlFuzzTest.CASES);
    }

    /**
     * The case's checkpoint {@code folder/step-000004}: the pristine one with {@code file} replaced by {@code bytes} and
     * state.json's size and CRC-32C of it made to match (or, for state.json itself, those bytes as they are). A folder
     * serves one test method, whose cases change only that file and state.json, so the others stay pristine.
     */
    private static Path write(String folder, String file, byte[] bytes) throws IOException {
        Path dir = shared.resolve(folder).resolve("step-000004");
        if (!Files.isDirectory(dir)) Tampered.copy(pristine, dir);
        Files.write(dir.resolve(file), bytes);
        if (file.equals(STATE)) return dir;
        ObjectNode state = (ObjectNode) read(new String(pristine(STATE), StandardCharsets.UTF_8));
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        ((ObjectNode) state.get("files")).putObject(file).put("bytes", bytes.length).put("crc32c", String.format("%08x", crc.getValue()));
        Files.writeString(dir.resolve(STATE), state.toPrettyString());
        return dir;
    }

    private static final java.util.Map<String, byte[]> PRISTINE = new java.util.concurrent.ConcurrentHashMap<>();

    private static byte[] pristine(String file) {
        return PRISTINE.computeIfAbsent(file, f -> {
            try {
                return Files.readAllBytes(pristine.resolve(f));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).clone();
    }

    /** Reads and resumes the checkpoint as train --resume does. */
    private static Trainer resume(Path dir) {
        Checkpoint ck = Checkpoint.read(dir);
        TaskSpec t = ck.config().task();
        return ck.resume(GraphTasks.byName(t.name(), t.H(), t.edgeOrder()), ck.config().training(), Parallel.SERIAL);
    }

    // ---- JSON files: a leaf replaced, removed, doubled, an unknown field, reformatted, or byte damage ----------------

    /** A leaf of a JSON file (a JSON pointer) and the type its reader reads there. */
    record Leaf(String pointer, String type) {}

    static final List<Leaf> CONFIG_LEAVES = List.of(new Leaf("/model/vocab", "int"), new Leaf("/model/ctx", "int"), new Leaf("/model/layers", "int"),
            new Leaf("/model/heads", "int"), new Leaf("/model/dModel", "int"), new Leaf("/task/name", "string"), new Leaf("/task/H", "int"),
            new Leaf("/training/seed", "long"), new Leaf("/training/steps", "int"), new Leaf("/training/batch", "int"),
            new Leaf("/training/schedule/lr", "double"), new Leaf("/training/schedule/warmup", "int"), new Leaf("/training/schedule/cosine", "boolean"),
            new Leaf("/training/schedule/minLr", "double"), new Leaf("/training/optimizer/kind", "enum"), new Leaf("/training/optimizer/weightDecay", "double"),
            new Leaf("/training/optimizer/lambda", "double"), new Leaf("/training/lossOn", "enum"), new Leaf("/training/dataset", "int"));
    static final List<Leaf> STATE_LEAVES = List.of(new Leaf("/format", "int"), new Leaf("/step", "int"), new Leaf("/seed", "long"),
            new Leaf("/data/epoch", "long"), new Leaf("/data/index", "long"), new Leaf("/optimizer/kind", "enum"), new Leaf("/optimizer/steps", "int"),
            new Leaf("/files/config.json/bytes", "long"), new Leaf("/files/model.safetensors/crc32c", "string"), new Leaf("/files/optimizer.safetensors/bytes", "long"));

    /** Whether covlab's strict JSON reading refuses {@code token} for a leaf of this type, whatever the value means. */
    static boolean illTyped(String type, String token, JsonNode value) {
        if (value.isNull()) return false;
        return switch (type) {
            case "int" -> !value.isIntegralNumber() || !value.canConvertToInt();
            case "long" -> !value.isIntegralNumber() || !value.canConvertToLong();
            case "double" -> !value.isNumber() || token.matches("-?(NaN|Infinity)");   // NaN tokens are not JSON
            case "boolean" -> !value.isBoolean();
            case "enum" -> !value.isTextual();
            default -> value.isContainerNode();
        };
    }

    /** The file's JSON with a raw token at a leaf (or the leaf removed when the token is null). */
    private static String withLeaf(JsonNode root, String pointer, String rawToken) {
        ObjectNode copy = root.deepCopy();
        int cut = pointer.lastIndexOf('/');
        ObjectNode parent = cut == 0 ? copy : (ObjectNode) copy.at(pointer.substring(0, cut));
        String key = pointer.substring(cut + 1);
        if (rawToken == null) parent.remove(key); else parent.putRawValue(key, new RawValue(rawToken));
        return copy.toPrettyString();
    }

    /** A mutated JSON file and what its reader must do with it. */
    record JsonCase(String text, Expect expect, String what) {}

    /**
     * One mutation of a JSON file. {@code strict}: every leaf must keep its value (state.json: each is checked
     * against the folder, config.json and the files), so any change is refused; else well-typed changes may go either way.
     */
    static JsonCase mutateJson(String original, List<Leaf> leaves, boolean strict, SplittableRandom rng) {
        JsonNode root = read(original);
        Leaf leaf = leaves.get(rng.nextInt(leaves.size()));
        JsonNode old = root.at(leaf.pointer());
        String token = FuzzLines.HOSTILE[rng.nextInt(FuzzLines.HOSTILE.length)];
        JsonNode value = read(token);
        return switch (rng.nextInt(7)) {
            case 0, 1, 2 -> {
                boolean same = value.equals(old) || value.isIntegralNumber() && old.isIntegralNumber() && value.bigIntegerValue().equals(old.bigIntegerValue());
                Expect e = same ? Expect.ACCEPT       // a null is missing (RequiredFields), never a 0
                        : illTyped(leaf.type(), token, value) || strict ? Expect.REFUSE : Expect.EITHER;
                yield new JsonCase(withLeaf(root, leaf.pointer(), token), e, leaf.pointer() + " = " + token);
            }
            case 3 -> new JsonCase(withLeaf(root, leaf.pointer(), null), strict ? Expect.REFUSE : Expect.EITHER, "no " + leaf.pointer());
            case 4 -> {
                String key = leaf.pointer().substring(leaf.pointer().lastIndexOf('/') + 1);
                String text = original.replaceFirst("\"" + key + "\" : ", "\"" + key + "\" : " + Matcher.quoteReplacement(token) + ", \"" + key + "\" : ");
                yield new JsonCase(text, Expect.REFUSE, key + " twice");
            }
            case 5 -> new JsonCase(original.replaceFirst("\\{", "{ \"extra\" : " + Matcher.quoteReplacement(token) + ","), Expect.REFUSE, "an unknown field");
            default -> rng.nextBoolean() ? new JsonCase(root.toString(), Expect.ACCEPT, "reformatted") : damaged(original, rng);
        };
    }

    private static JsonCase damaged(String original, SplittableRandom rng) {
        byte[] b = original.getBytes(StandardCharsets.ISO_8859_1);
        int at = rng.nextInt(b.length);
        boolean truncate = rng.nextBoolean();
        if (truncate) b = java.util.Arrays.copyOf(b, at); else b[at] ^= (byte) (1 << rng.nextInt(8));
        return new JsonCase(new String(b, StandardCharsets.ISO_8859_1), Expect.EITHER, (truncate ? "truncated at " : "a bit flipped at ") + at);
    }

    static JsonNode read(String json) {
        try {
            return FuzzLines.PLAIN.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(json, e);
        }
    }

    /** The probe's config.json cases: each must be refused, quickly and without allocating the model. */
    static final String[][] CONFIG_PROBE = {{"\"layers\" : 1", "\"layers\" : 2.5"}, {"\"layers\" : 1", "\"layers\" : \"2\""},
            {"\"layers\" : 1", "\"layers\" : 1000000"}, {"\"layers\" : 1", "\"layers\" : 1000000000"},
            {"\"layers\" : 1,", "\"layers\" : 50,"}, {"\"layers\" : 1,", "\"layers\" : 100,"}};

    @ParameterizedTest(name = "seed {0}") @MethodSource("seeds") void configJson(long seed) throws IOException {
        String original = new String(pristine(CONFIG), StandardCharsets.UTF_8);
        JsonCase c;
        if (seed < CONFIG_PROBE.length) {
            String text = original.replace(CONFIG_PROBE[(int) seed][0], CONFIG_PROBE[(int) seed][1]);
            if (seed >= 4) text = text.replace("\"dModel\" : 16", seed == 4 ? "\"dModel\" : 8192" : "\"dModel\" : 20000");
            c = new JsonCase(text, Expect.REFUSE, "the probe's " + CONFIG_PROBE[(int) seed][1]);
        } else {
            c = mutateJson(original, CONFIG_LEAVES, false, new SplittableRandom(seed));
        }
        Path dir = write("config", CONFIG, c.text().getBytes(StandardCharsets.ISO_8859_1));
        FuzzCase.run(seed, CONFIG + ": " + c.what(), () -> resume(dir)).check(c.expect(), MAX_BYTES).count(CONFIG);
    }

    @ParameterizedTest(name = "seed {0}") @MethodSource("seeds") void stateJson(long seed) throws IOException {
        String original = new String(pristine(STATE), StandardCharsets.UTF_8);
        JsonCase c = switch ((int) Math.min(seed, 2)) {
            case 0 -> new JsonCase(original.replace("\"step\" : 4", "\"step\" : 1000").replace("\"steps\" : 4", "\"steps\" : 1000"),
                    Expect.REFUSE, "the probe's step 1000 (and optimizer steps 1000)");
            case 1 -> new JsonCase(original.replace("\"epoch\" : 0", "\"epoch\" : 1000000000000000"), Expect.REFUSE, "the probe's epoch 10^15");
            default -> mutateJson(original, STATE_LEAVES, true, new SplittableRandom(seed));
        };
        Path dir = write("state", STATE, c.text().getBytes(StandardCharsets.ISO_8859_1));
        FuzzCase r = FuzzCase.run(seed, STATE + ": " + c.what(), () -> resume(dir)).check(c.expect(), MAX_BYTES).count(STATE);
        if (r.accepted()) assertThat(((Trainer) r.result()).step()).as("seed %d", seed).isEqualTo(4);
    }

    // ---- safetensors ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "seed {0}") @MethodSource("seeds") void safetensors(long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        String file = seed == 6 || seed > 6 && rng.nextInt(3) == 0 ? OPTIMIZER : MODEL;
        SafetensorsFuzz.Case c = SafetensorsFuzz.mutate(pristine(file), file.equals(OPTIMIZER), seed, rng);
        Path dir = write(file, file, c.bytes());
        FuzzCase r = FuzzCase.run(seed, file + ": " + c.what(), () -> resume(dir)).check(c.expect(), MAX_BYTES).count("safetensors");
        if (!r.accepted() || c.changed() == null || !file.equals(MODEL)) return;
        Trainer t = (Trainer) r.result();
        ParameterLayout.Tensor x = t.model().layout().get(c.changed());
        assertThat(t.model().parameters()[x.offset() + c.index()]).as("seed %d: the changed weight is loaded", seed).isEqualTo(c.value());
    }
}
