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
 * The safetensors format, float32 only: an 8-byte little-endian header length N, N bytes of JSON mapping
 * each name to {dtype, shape, data_offsets} (plus an optional string map "__metadata__"), then the raw
 * little-endian data. Names are PyTorch's state_dict keys, so {@code safetensors.torch.load_file} reads our
 * files and we read theirs. Reading is strict: a truncated, corrupt or inconsistent file is an
 * {@link InputException} naming the file and the field, never garbage.
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

    /** A whole file: tensors in file order, and the metadata strings. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

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
     * with its exact shape, and nothing else may be.
     */
    public static Map<String, String> read(Path file, ParameterLayout layout, float[] flat) {
        Contents c = readFor(file, layout);
        for (ParameterLayout.Tensor t : layout.tensors()) System.arraycopy(c.tensors().get(t.name()).data(), 0, flat, t.offset(), t.size());
        return c.metadata();
    }

    /**
     * Reads a file and checks it holds exactly the layout's tensors with their shapes, before the caller allocates
     * anything for them (a config.json that claims a larger model than its weights is refused at this point).
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
            if (!layout.contains(name)) throw InputException.at(file, 0, name, "tensor not in the model");
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
            if (!"F32".equals(node.path("dtype").asText(null))) {
                throw InputException.at(file, 0, name, "dtype " + node.path("dtype") + " is not supported (only F32)");
            }
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
            if (end - begin != 4 * count) {
                throw InputException.at(file, 0, name, "data_offsets span " + (end - begin) + " bytes, shape " + shape + " of F32 needs " + 4 * count);
            }
            float[] data = new float[(int) count];
            ByteBuffer.wrap(bytes, (int) (dataStart + begin), (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
            tensors.put(name, new Tensor(shape, data));
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
        return new Contents(tensors, metadata);
    }
}
