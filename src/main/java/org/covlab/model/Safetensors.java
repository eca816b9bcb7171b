package org.covlab.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covlab.io.JsonErrors;
import org.covlab.util.AtomicFiles;
import org.covlab.util.InputException;
import org.covlab.util.IoErrors;

/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of JSON mapping each name to
 * {dtype, shape, data_offsets} (plus an optional string map "__metadata__"), then the raw little-endian data.
 * Names are PyTorch's state_dict keys, so {@code safetensors.torch.load_file} reads our files and we read theirs.
 * covlab writes F32; it reads F32, F16, BF16 and F64, converting to float32 ({@link Contents#dtypes} says which
 * were converted). Reading is strict: a truncated, corrupt or inconsistent file is an {@link InputException}
 * naming the file and the field, never garbage.
 */
public final class Safetensors {
    private Safetensors() {}

    /** Headers above this size are not safetensors files written by anyone sane (the reference reader uses 100 MB). */
    static final long MAX_HEADER = 100L << 20;
    private static final String METADATA = "__metadata__";
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** A float32 tensor: its shape and row-major data. */
    public record Tensor(List<Integer> shape, float[] data) {
        public Tensor {
            shape = List.copyOf(shape);
            long n = 1;
            for (int d : shape) n *= d;
            if (n != data.length) throw new IllegalArgumentException("shape " + shape + " needs " + n + " values, got " + data.length);
        }
    }

    /** A whole file: tensors in file order (as float32), the metadata strings, and each tensor's dtype in the file. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata, Map<String, String> dtypes) {

        /** The dtypes other than F32 in the file, in file order: the tensors that were converted on reading. */
        public java.util.Set<String> converted() {
            java.util.Set<String> out = new java.util.LinkedHashSet<>(dtypes.values());
            out.remove("F32");
            return out;
        }
    }

    /** Bytes per element of each dtype covlab reads. */
    private static final Map<String, Integer> DTYPE_BYTES = Map.of("F32", 4, "F16", 2, "BF16", 2, "F64", 8);

    /**
     * Whether {@code name} is a non-parameter buffer that PyTorch modules of well-known layouts keep in their
     * state_dict: nanoGPT's causal mask {@code attn.bias} (and GPT-2's {@code attn.masked_bias}). Readers ignore them.
     */
    public static boolean isKnownBuffer(String name) {
        return name.equals("attn.bias") || name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias");
    }

    /** Writes a flat array's tensors in layout order, atomically. */
    public static void write(Path file, ParameterLayout layout, float[] flat, Map<String, String> metadata) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (ParameterLayout.Tensor t : layout.tensors()) {
            float[] data = new float[t.size()];
            System.arraycopy(flat, t.offset(), data, 0, t.size());
            tensors.put(t.name(), new Tensor(t.shape(), data));
        }
        write(file, tensors, metadata);
    }

    /**
     * Writes named tensors in map order, atomically (temporary file, then rename). The metadata goes in key
     * order, so that equal checkpoints are equal files ({@code Map.of} iterates in a different order in every JVM).
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA);
            new java.util.TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals(METADATA)) throw new IllegalArgumentException("'" + METADATA + "' is reserved");
            ObjectNode node = header.putObject(e.getKey());
            node.put("dtype", "F32");
            e.getValue().shape().forEach(node.putArray("shape")::add);
            long end = offset + 4L * e.getValue().data().length;
            node.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;        // the data section starts 8-byte aligned; pad with spaces
        long total = 8L + padded + offset;
        if (total > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("file over 2 GB: " + total + " bytes");
        ByteBuffer buf = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) buf.put((byte) ' ');
        int pos = 8 + padded;
        for (Tensor t : tensors.values()) {
            buf.position(pos);
            buf.asFloatBuffer().put(t.data());
            pos += 4 * t.data().length;
        }
        AtomicFiles.writeBytes(file, buf.array());
    }

    /**
     * Reads a file into a flat array laid out by {@code layout}: every tensor of the layout must be present
     * with its exact shape, and nothing else may be but {@link #isKnownBuffer known buffers}.
     */
    public static Map<String, String> read(Path file, ParameterLayout layout, float[] flat) {
        Contents c = readFor(file, layout);
        for (ParameterLayout.Tensor t : layout.tensors()) System.arraycopy(c.tensors().get(t.name()).data(), 0, flat, t.offset(), t.size());
        return c.metadata();
    }

    /**
     * Reads a file and checks it holds exactly the layout's tensors with their shapes, before the caller allocates
     * anything for them (a config.json that claims a larger model than its weights is refused at this point).
     * Known buffers ({@link #isKnownBuffer}) may be there too; the caller ignores them.
     */
    public static Contents readFor(Path file, ParameterLayout layout) {
        Contents c = read(file);
        for (ParameterLayout.Tensor t : layout.tensors()) {
            Tensor x = c.tensors().get(t.name());
            if (x == null) throw InputException.at(file, 0, t.name(), "missing tensor");
            if (!x.shape().equals(t.shape())) {
                throw InputException.at(file, 0, t.name(), "shape " + x.shape() + ", the model needs " + t.shape());
            }
        }
        for (String name : c.tensors().keySet()) {
            if (!layout.contains(name) && !isKnownBuffer(name)) throw InputException.at(file, 0, name, "tensor not in the model");
        }
        return c;
    }

    /** An integer that a long holds exactly (2^70 does not: asLong() would wrap it). */
    private static boolean exactLong(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong();
    }

    /**
     * Passes when every value is finite; otherwise an {@link InputException} naming the tensor, the first bad element
     * and its value. Checkpoints hold finite numbers only: a NaN or infinity would poison every use of the model.
     */
    public static void requireFinite(Path file, String name, List<Integer> shape, float[] data, int from, int length) {
        for (int i = 0; i < length; i++) {
            float v = data[from + i];
            if (!Float.isFinite(v)) {
                throw InputException.at(file, 0, name, "element " + i + " (of shape " + shape + ") is " + v
                        + "; a checkpoint holds finite numbers only");
            }
        }
    }

    /** Reads every tensor and the metadata, validating the header strictly. */
    public static Contents read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw IoErrors.unchecked("cannot read " + file, e);
        }
        if (bytes.length < 8) throw InputException.at(file, 0, null, "not a safetensors file: " + bytes.length + " bytes, shorter than the 8-byte header length");
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong();
        if (n < 2 || n > MAX_HEADER || n > bytes.length - 8L) {
            throw InputException.at(file, 0, null, "header length " + Long.toUnsignedString(n) + " does not fit a file of " + bytes.length + " bytes (truncated or not safetensors)");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw InputException.at(file, 0, null, "header is not valid JSON: " + JsonErrors.describe(e));
        }
        if (header == null || !header.isObject()) throw InputException.at(file, 0, null, "header is not a JSON object");
        long dataStart = 8 + n, dataLength = bytes.length - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<long[]> ranges = new ArrayList<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> dtypes = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode node = e.getValue();
            if (name.equals(METADATA)) {
                if (!node.isObject()) throw InputException.at(file, 0, METADATA, "must be an object of strings");
                node.fields().forEachRemaining(m -> {
                    if (!m.getValue().isTextual()) throw InputException.at(file, 0, METADATA + "." + m.getKey(), "must be a string");
                    metadata.put(m.getKey(), m.getValue().asText());
                });
                continue;
            }
            if (!node.isObject()) throw InputException.at(file, 0, name, "must be an object with dtype, shape, data_offsets");
            String dtype = node.path("dtype").asText(null);
            Integer width = dtype == null ? null : DTYPE_BYTES.get(dtype);
            if (width == null) throw InputException.at(file, 0, name, "dtype " + node.path("dtype") + " is not supported (F32, F16, BF16 or F64)");
            List<Integer> shape = new ArrayList<>();
            long count = 1;
            JsonNode sh = node.path("shape");
            if (!sh.isArray()) throw InputException.at(file, 0, name, "shape must be an array");
            for (JsonNode d : sh) {
                if (!d.canConvertToInt() || !d.isIntegralNumber() || d.intValue() < 0) throw InputException.at(file, 0, name, "bad shape " + sh);
                shape.add(d.intValue());
                count *= d.intValue();
                if (count > Integer.MAX_VALUE) throw InputException.at(file, 0, name, "shape " + sh + " too large");
            }
            JsonNode off = node.path("data_offsets");
            if (!off.isArray() || off.size() != 2 || !exactLong(off.get(0)) || !exactLong(off.get(1))) {
                throw InputException.at(file, 0, name, "data_offsets must be [begin, end], two integers that fit the file, got " + off);
            }
            long begin = off.get(0).asLong(), end = off.get(1).asLong();
            if (begin < 0 || end < begin || end > dataLength) {
                throw InputException.at(file, 0, name, "data_offsets [" + begin + ", " + end + "] outside the " + dataLength + " data bytes (truncated file?)");
            }
            if (end - begin != width * count) {
                throw InputException.at(file, 0, name, "data_offsets span " + (end - begin) + " bytes, shape " + shape + " of " + dtype + " needs " + width * count);
            }
            ByteBuffer raw = ByteBuffer.wrap(bytes, (int) (dataStart + begin), (int) (end - begin)).slice().order(ByteOrder.LITTLE_ENDIAN);
            tensors.put(name, new Tensor(shape, toFloats(dtype, raw, (int) count)));
            dtypes.put(name, dtype);
            ranges.add(new long[] {begin, end});
        }
        // The data section must be covered exactly: no overlaps, no holes, nothing after the last tensor.
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        long covered = 0;
        for (long[] r : ranges) {
            if (r[0] != covered) throw InputException.at(file, 0, null, "tensor data overlaps or leaves a hole at byte " + covered);
            covered = r[1];
        }
        if (covered != dataLength) throw InputException.at(file, 0, null, (dataLength - covered) + " bytes after the last tensor (corrupt file)");
        return new Contents(tensors, metadata, dtypes);
    }

    /** {@code count} little-endian values of {@code dtype} as float32 (F64 rounds to nearest; beyond float's range is infinite). */
    static float[] toFloats(String dtype, ByteBuffer raw, int count) {
        float[] out = new float[count];
        switch (dtype) {
            case "F32" -> raw.asFloatBuffer().get(out);
            case "F64" -> { for (int i = 0; i < count; i++) out[i] = (float) raw.getDouble(8 * i); }
            case "BF16" -> { for (int i = 0; i < count; i++) out[i] = Float.intBitsToFloat((raw.getShort(2 * i) & 0xffff) << 16); }
            case "F16" -> { for (int i = 0; i < count; i++) out[i] = halfToFloat(raw.getShort(2 * i)); }
            default -> throw new IllegalArgumentException("dtype " + dtype);
        }
        return out;
    }

    /** IEEE 754 binary16 to float32, exactly (every half is a float): sign, 5-bit exponent (bias 15), 10-bit fraction. */
    static float halfToFloat(short h) {
        int sign = (h & 0x8000) << 16, exp = (h >>> 10) & 0x1f, frac = h & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | frac << 13);      // infinity, NaN
        if (exp == 0) return sign != 0 ? -(frac * 0x1p-24f) : frac * 0x1p-24f;            // zero, subnormal: frac 2^-24
        return Float.intBitsToFloat(sign | (exp + 112) << 23 | frac << 13);                // rebias 15 -> 127
    }
}
