package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.covlab.model.Safetensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints made outside covlab (docs/interop.md): a folder with only config.json (model and task) and
 * model.safetensors, in F32, BF16 or F64, with nanoGPT's mask buffers; and {@code ./covlab import} of a state_dict in
 * nanoGPT's names. Each must give eval exactly the records of the covlab checkpoint its weights came from.
 */
class ExternalCheckpointTest {

    @TempDir static Path shared;
    @TempDir Path dir;
    static Path original;                   // a covlab checkpoint: config.json, model.safetensors, optimizer, state.json
    static Map<String, Safetensors.Tensor> weights;
    static String records;                  // eval's records.jsonl of the original

    /** nanoGPT's name of each covlab name, written out here (not taken from StateDictImport) so that the test checks it. */
    static String nanoName(String covlab) {
        return covlab.replace("tok.weight", "transformer.wte.weight").replace("pos.weight", "transformer.wpe.weight")
                .replaceFirst("^ln\\.", "transformer.ln_f.").replace("head.weight", "lm_head.weight").replace("blocks.", "transformer.h.")
                .replace(".ln1.", ".ln_1.").replace(".ln2.", ".ln_2.").replace(".qkv.", ".attn.c_attn.").replace(".proj.", ".attn.c_proj.")
                .replace(".fc.", ".mlp.c_fc.").replace(".out.", ".mlp.c_proj.");
    }

    @BeforeAll static void train() throws IOException {
        CliRun r = CliRun.of("train", "--task", "fig2", "--H", "8", "--layers", "2", "--heads", "2", "--dmodel", "16", "--batch", "4",
                "--lr", "3e-3", "--steps", "3", "--checkpoint-every", "3", "--threads", "1", "--out", shared.resolve("run").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        original = shared.resolve("run/checkpoints/step-000003");
        weights = Safetensors.read(original.resolve("model.safetensors")).tensors();
        records = evalRecords(original, shared.resolve("eval-original"), "step-000003");
    }

    /** eval of one checkpoint folder: its records.jsonl (after checking the command's exit code). */
    static String evalRecords(Path checkpoint, Path out, String step) throws IOException {
        CliRun r = CliRun.of("eval", "--checkpoints", checkpoint.toString(), "--prompts", "2", "--threads", "1", "--out", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        return Files.readString(out.resolve(step + "/records.jsonl"));
    }

    /** A folder with config.json holding only the model and the task, and {@code model}'s bytes as model.safetensors. */
    Path minimalFolder(String name, byte[] model) throws IOException {
        Path f = Files.createDirectories(dir.resolve(name));
        Files.writeString(f.resolve("config.json"), "{\"model\": {\"vocab\": 104, \"ctx\": 160, \"layers\": 2, \"heads\": 2, \"dModel\": 16},"
                + " \"task\": {\"name\": \"fig2\", \"H\": 8, \"edgeOrder\": \"LAYER\"}}");
        Files.write(f.resolve("model.safetensors"), model);
        return f;
    }

    /** A safetensors file of the original's weights: names through {@code rename}, values as {@code dtype}, extra tensors after. */
    static byte[] safetensors(UnaryOperator<String> rename, String dtype, Map<String, float[]> extra) {
        int width = dtype.equals("F64") ? 8 : dtype.equals("BF16") ? 2 : 4;
        StringBuilder header = new StringBuilder("{");
        Map<String, float[]> all = new LinkedHashMap<>();
        Map<String, String> shapes = new LinkedHashMap<>();
        weights.forEach((n, t) -> { all.put(rename.apply(n), t.data()); shapes.put(rename.apply(n), t.shape().toString()); });
        extra.forEach((n, v) -> { all.put(n, v); shapes.put(n, "[" + v.length + "]"); });
        long offset = 0;
        for (Map.Entry<String, float[]> e : all.entrySet()) {
            long end = offset + (long) width * e.getValue().length;
            header.append(header.length() > 1 ? "," : "").append('"').append(e.getKey()).append("\":{\"dtype\":\"").append(dtype)
                    .append("\",\"shape\":").append(shapes.get(e.getKey()).replace(" ", "")).append(",\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        byte[] json = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate((int) (8 + json.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        for (float[] v : all.values()) {
            for (float x : v) {
                if (width == 8) b.putDouble(x); else if (width == 2) b.putShort((short) (Float.floatToRawIntBits(x) >>> 16)); else b.putFloat(x);
            }
        }
        return b.array();
    }

    /** The original's weights with their low 16 bits cleared: what a BF16 file of them holds. */
    static Map<String, float[]> bf16Rounded() {
        Map<String, float[]> out = new LinkedHashMap<>();
        weights.forEach((n, t) -> {
            float[] v = t.data().clone();
            for (int i = 0; i < v.length; i++) v[i] = Float.intBitsToFloat(Float.floatToRawIntBits(v[i]) & 0xffff0000);
            out.put(n, v);
        });
        return out;
    }

    @Test void aMinimalFolderEvaluatesAsTheCheckpointItCameFrom() throws IOException {
        Path f = minimalFolder("mine", Files.readAllBytes(original.resolve("model.safetensors")));
        assertThat(evalRecords(f, dir.resolve("eval"), "step-000000")).isEqualTo(records);
        CliRun s = CliRun.of("sample", "--checkpoint", f.toString(), "--count", "2", "--threads", "1");
        assertThat(s.exit()).as(s.err()).isZero();
        assertThat(s.out()).contains("on fig2 H=8");
        CliRun b = CliRun.of("bon", "--checkpoint", f.toString(), "--prompts", "2", "--N", "1,2", "--threads", "1");
        assertThat(b.exit()).as(b.err()).isZero();
        CliRun sel = CliRun.of("select", "--method", "min-ce", "--checkpoints", f.toString(), "--samples", "4", "--threads", "1");
        assertThat(sel.exit()).as(sel.err()).isZero();
        assertThat(sel.out()).contains("mine");
    }

    @Test void f64AndMaskBuffersLoadWithOneNoteEach() throws IOException {
        float[] mask = new float[160 * 160];
        Map<String, float[]> buffers = new LinkedHashMap<>();        // in this order in the file
        buffers.put("blocks.0.attn.bias", mask);
        buffers.put("blocks.1.attn.bias", mask);
        Path f = minimalFolder("f64", safetensors(n -> n, "F64", buffers));
        CliRun r = CliRun.of("eval", "--checkpoints", f.toString(), "--prompts", "2", "--threads", "1", "--out", dir.resolve("e").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readString(dir.resolve("e/step-000000/records.jsonl"))).isEqualTo(records);   // floats survive F64 exactly
        assertThat(r.err().lines().filter(l -> l.startsWith("covlab: note: "))).containsExactly(
                "covlab: note: " + f.resolve("model.safetensors") + ": F64 tensors converted to F32",
                "covlab: note: " + f.resolve("model.safetensors") + ": ignored 2 non-parameter buffer(s) (blocks.0.attn.bias, ...): "
                        + "the causal mask of nanoGPT-style modules, which covlab applies itself");
    }

    @Test void bf16WeightsEvaluateAsTheirFloat32Values() throws IOException {
        Path bf16 = minimalFolder("bf16", safetensors(n -> n, "BF16", Map.of()));
        Map<String, float[]> rounded = bf16Rounded();
        Map<String, Safetensors.Tensor> exact = new LinkedHashMap<>();
        weights.forEach((n, t) -> exact.put(n, new Safetensors.Tensor(t.shape(), rounded.get(n))));
        Path f32 = minimalFolder("f32", new byte[0]);
        Safetensors.write(f32.resolve("model.safetensors"), exact, Map.of());
        String fromBf16 = evalRecords(bf16, dir.resolve("e1"), "step-000000");
        assertThat(fromBf16).isEqualTo(evalRecords(f32, dir.resolve("e2"), "step-000000")).isNotEqualTo(records);
    }

    @Test void missingConfigFieldsAreNamedAsMissing() throws IOException {
        Path f = minimalFolder("nofield", Files.readAllBytes(original.resolve("model.safetensors")));
        Files.writeString(f.resolve("config.json"), "{\"model\": {\"vocab\": 104, \"ctx\": 160, \"layers\": 2, \"dModel\": 16}, \"task\": {\"name\": \"fig2\", \"H\": 8}}");
        assertThat(CliRun.of("sample", "--checkpoint", f.toString()).errLines())
                .containsExactly("covlab: " + f.resolve("config.json") + ": field 'model.heads': missing");
        Files.writeString(f.resolve("config.json"), "{\"model\": {\"vocab\": 104, \"ctx\": 160, \"layers\": 2, \"heads\": 2, \"dModel\": 16}}");
        CliRun r = CliRun.of("eval", "--checkpoints", f.toString(), "--out", dir.resolve("x").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("covlab: " + f.resolve("config.json") + ": field 'task': missing");
        Files.delete(f.resolve("model.safetensors"));
        assertThat(CliRun.of("sample", "--checkpoint", f.toString()).errLines()).containsExactly("covlab: " + f.resolve("model.safetensors")
                + ": missing (a checkpoint folder holds at least config.json and model.safetensors)");
    }

    @Test void aNanoGptStateDictImportsToTheSameLogProbs() throws IOException {
        Path file = dir.resolve("nano.safetensors");
        Files.write(file, safetensors(ExternalCheckpointTest::nanoName, "F32", Map.of("transformer.h.0.attn.bias", new float[4])));
        Path out = dir.resolve("imported");
        CliRun r = CliRun.of("import", "--layout", "nanogpt", file.toString(), "--heads", "2", "--task", "fig2", "--H", "8", "--out", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("2 layers, 2 heads, width 16, vocab 104, ctx 160");
        assertThat(r.err()).contains("ignored 1 non-parameter buffer(s) (transformer.h.0.attn.bias)").contains("erf");
        assertThat(Files.list(out).map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("config.json", "model.safetensors");
        assertThat(evalRecords(out, dir.resolve("e"), "step-000000")).isEqualTo(records);

        Path covlabNamed = dir.resolve("again");       // covlab's names: the heads come from the file's metadata
        CliRun c = CliRun.of("import", "--layout", "covlab", original.resolve("model.safetensors").toString(), "--task", "fig2", "--H", "8",
                "--out", covlabNamed.toString());
        assertThat(c.exit()).as(c.err()).isZero();
        assertThat(Files.readAllBytes(covlabNamed.resolve("model.safetensors"))).isEqualTo(Files.readAllBytes(original.resolve("model.safetensors")));
    }

    @Test void aTiedHeadServesAsBoth() throws IOException {
        Path file = dir.resolve("tied.safetensors");
        Files.write(file, safetensors(n -> n.equals("head.weight") ? "lm.attn.bias" : nanoName(n), "F32", Map.of()));   // no head
        CliRun r = CliRun.of("import", "--layout", "nanogpt", file.toString(), "--heads", "2", "--task", "fig2", "--H", "8", "--out", dir.resolve("t").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("has no lm_head.weight: transformer.wte.weight serves as both");
        Map<String, Safetensors.Tensor> got = Safetensors.read(dir.resolve("t/model.safetensors")).tensors();
        assertThat(got.get("head.weight").data()).containsExactly(weights.get("tok.weight").data());
    }

    @Test void importRefusalsNameTheFileTheTensorAndWhatWasExpected() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        String f = file.toString();
        String[] args = {"import", "--layout", "nanogpt", f, "--heads", "2", "--task", "fig2", "--H", "8", "--out", dir.resolve("o").toString()};
        Files.write(file, safetensors(n -> n.equals("blocks.0.qkv.weight") ? "transformer.h.0.attn.c_attn.weightT" : nanoName(n), "F32", Map.of()));
        assertThat(refusal(args)).isEqualTo("covlab: " + f + ": field 'transformer.h.0.attn.c_attn.weightT': not a parameter of covlab's "
                + "architecture in nanogpt's names (expected transformer.wte.weight, transformer.h.N.attn.c_attn.weight, ...; docs/architecture.md)");
        Files.write(file, safetensors(n -> n.equals("blocks.1.ln1.bias") ? "x.attn.bias" : nanoName(n), "F32", Map.of()));
        assertThat(refusal(args)).isEqualTo("covlab: " + f + ": field 'transformer.h.1.ln_1.bias': missing tensor; covlab's architecture "
                + "needs it, shape [16] (every layer has biases: nanoGPT's bias=False does not map)");
        Files.write(file, safetensors(ExternalCheckpointTest::nanoName, "F32", Map.of()));
        String transposed = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)
                .replace("\"transformer.h.0.attn.c_attn.weight\":{\"dtype\":\"F32\",\"shape\":[48,16]", "\"transformer.h.0.attn.c_attn.weight\":{\"dtype\":\"F32\",\"shape\":[16,48]");
        Files.write(file, transposed.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(refusal(args)).isEqualTo("covlab: " + f + ": field 'transformer.h.0.attn.c_attn.weight': shape [16, 48], covlab's architecture "
                + "needs [48, 16] (stored as (in, out)? covlab's Linear weights are (out, in))");
        Files.write(file, safetensors(ExternalCheckpointTest::nanoName, "F32", Map.of()));
        assertThat(refusal("import", "--layout", "nanogpt", f, "--task", "fig2", "--H", "8", "--out", dir.resolve("o").toString()))
                .isEqualTo("covlab: --heads: required (" + f + " has no integer 'heads' in its metadata, and the shapes do not say)");
        assertThat(refusal("import", "--layout", "nanogpt", f, "--heads", "3", "--task", "fig2", "--H", "8", "--out", dir.resolve("o").toString()))
                .isEqualTo("covlab: --heads: dModel must be a positive multiple of heads (3), got 16");
        assertThat(refusal("import", "--layout", "nanogpt", f, "--heads", "2", "--task", "fig2", "--H", "16", "--out", dir.resolve("o").toString()))
                .startsWith("covlab: " + f + ": field 'transformer.wpe.weight': ctx 160 is shorter than fig2 H=16");
        assertThat(refusal("import", "--layout", "hf", f, "--heads", "2", "--task", "fig2", "--H", "8", "--out", dir.resolve("o").toString()))
                .isEqualTo("covlab: --layout: unknown layout 'hf'; choose nanogpt or covlab");
        Files.createDirectories(dir.resolve("o"));
        assertThat(refusal(args)).isEqualTo("covlab: " + dir.resolve("o") + ": exists; covlab does not overwrite it (choose a new --out)");
    }

    private static String refusal(String... args) {
        CliRun r = CliRun.of(args);
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.errLines()).as(r.err()).hasSize(1);
        return r.err().strip();
    }
}
