package org.covlab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.covlab.cli.FuzzCase.Expect;

/**
 * Mutations of a safetensors file for {@link CheckpointFuzzTest}: its header (offsets past 2^63 or outside the file,
 * shapes, dtypes, tensors missing or extra, metadata, the header length itself), its data (a NaN, an infinity, a
 * negative second moment, an ordinary change) or its bytes (truncation, bit flips).
 */
final class SafetensorsFuzz {
    private SafetensorsFuzz() {}

    /**
     * A mutated file and what must happen; {@code changed}, {@code index} and {@code value} name a weight that was
     * changed to an ordinary value (null otherwise), so an accepted load can be checked.
     */
    record Case(byte[] bytes, Expect expect, String what, String changed, int index, float value) {
        static Case of(byte[] bytes, Expect expect, String what) {
            return new Case(bytes, expect, what, null, 0, 0);
        }
    }

    private static final String[] BAD_OFFSETS = {"[-4,0]", "[0,18446744073709551616]",
            "[0.0,4]", "[\"0\",4]", "[0,4,8]", "[0]", "null", "[9223372036854775807,9223372036854775807]", "[4,0]", "[0,100000000000]"};
    private static final String[] BAD_SHAPES = {"[-1]", "[2147483648]", "[65536,65536]", "[1.5]", "[\"16\"]", "[]", "null", "[0]", "[4294967296,0]"};
    private static final String[] BAD_DTYPES = {"\"F16\"", "\"BF16\"", "\"F64\"", "\"I32\"", "\"f32\"", "5", "null", "[\"F32\"]"};
    private static final long[] BAD_LENGTHS = {0, 1, 2, -1, Long.MAX_VALUE, 1L << 32, 100L << 20};

    static Case mutate(byte[] file, boolean optimizer, long seed, SplittableRandom rng) {
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) in.getLong();
        ObjectNode header = (ObjectNode) CheckpointFuzzTest.read(new String(file, 8, n, StandardCharsets.UTF_8));
        byte[] data = Arrays.copyOfRange(file, 8 + n, file.length);
        List<String> names = new ArrayList<>();
        header.fieldNames().forEachRemaining(k -> { if (!k.equals("__metadata__")) names.add(k); });
        String name = names.get(rng.nextInt(names.size()));
        ObjectNode entry = (ObjectNode) header.get(name);
        int begin = entry.get("data_offsets").get(0).intValue(), count = (entry.get("data_offsets").get(1).intValue() - begin) / 4;
        switch (seed < 7 ? -1 - (int) seed : rng.nextInt(10)) {
            case -1 -> { return wrapped(header, data, "tok.weight", 70); }
            case -2, -7 -> {
                for (int i = 0; i < data.length / 4; i++) setFloat(data, i * 4, Float.NaN);
                return Case.of(file(header, data), Expect.REFUSE, "the probe's all-NaN file");
            }
            case -3 -> { return set(header, data, "head.weight", 0, Float.NaN, Expect.REFUSE); }
            case -4 -> { return set(header, data, "tok.weight", 5, Float.POSITIVE_INFINITY, Expect.REFUSE); }
            case -5 -> {
                ObjectNode ln = (ObjectNode) header.get("blocks.0.ln1.weight");
                for (int i = 0; i < 16; i++) setFloat(data, ln.get("data_offsets").get(0).intValue() + 4 * i, 3e38f);
                return Case.of(file(header, data), Expect.REFUSE, "the probe's blocks.0.ln1.weight = 3e38");
            }
            case -6 -> { return Case.of(withLength(file, Long.MAX_VALUE), Expect.REFUSE, "header length 2^63 - 1"); }
            case 0 -> {
                if (rng.nextInt(4) == 0) return wrapped(header, data, name, 64 + rng.nextInt(10));
                String bad = BAD_OFFSETS[rng.nextInt(BAD_OFFSETS.length)];
                entry.putRawValue("data_offsets", new RawValue(bad));
                return Case.of(file(header, data), Expect.REFUSE, name + " data_offsets " + bad);
            }
            case 1 -> {
                JsonNode shape = entry.get("shape");
                String bad = shape.size() == 2 && rng.nextBoolean() ? "[" + shape.get(1) + "," + shape.get(0) + "]" : BAD_SHAPES[rng.nextInt(BAD_SHAPES.length)];
                entry.putRawValue("shape", new RawValue(bad));
                return Case.of(file(header, data), CheckpointFuzzTest.read(bad).equals(shape) ? Expect.ACCEPT : Expect.REFUSE, name + " shape " + bad);
            }
            case 2 -> {
                String bad = BAD_DTYPES[rng.nextInt(BAD_DTYPES.length)];
                entry.putRawValue("dtype", new RawValue(bad));
                return Case.of(file(header, data), Expect.REFUSE, name + " dtype " + bad);
            }
            case 3 -> {
                header.remove(name);
                return Case.of(file(header, data), Expect.REFUSE, "no " + name);
            }
            case 4 -> {
                header.putObject("extra.weight").put("dtype", "F32").putRawValue("shape", new RawValue("[1]"))
                        .putRawValue("data_offsets", new RawValue("[" + data.length + "," + (data.length + 4) + "]"));
                return Case.of(file(header, rng.nextBoolean() ? Arrays.copyOf(data, data.length + 4) : data), Expect.REFUSE, "an extra tensor");
            }
            case 5 -> {
                ObjectNode meta = (ObjectNode) header.get("__metadata__");
                String key = meta.fieldNames().next();
                boolean text = rng.nextBoolean();
                if (text) meta.put(key, "changed"); else meta.putRawValue(key, new RawValue("7"));
                return Case.of(file(header, data), text ? Expect.ACCEPT : Expect.REFUSE, "__metadata__." + key + (text ? " changed" : " a number"));
            }
            case 6 -> {
                long length = rng.nextBoolean() ? BAD_LENGTHS[rng.nextInt(BAD_LENGTHS.length)] : n + 8L * (rng.nextBoolean() ? 1 : -1);
                return Case.of(withLength(file, length), Expect.REFUSE, "header length " + length);
            }
            case 7 -> {
                boolean second = optimizer && name.endsWith(".exp_avg_sq") && rng.nextBoolean();
                float bad = second ? -1f : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}[rng.nextInt(3)];
                return set(header, data, name, rng.nextInt(count), bad, Expect.REFUSE);
            }
            case 8 -> {
                int i = rng.nextInt(count);
                float v = getFloat(data, begin + 4 * i) + 0.25f;
                return set(header, data, name, i, v, Expect.ACCEPT);
            }
            default -> {
                byte[] b = file.clone();
                int at = rng.nextInt(b.length);
                boolean truncate = rng.nextBoolean();
                if (truncate) b = Arrays.copyOf(b, at); else b[at] ^= (byte) (1 << rng.nextInt(8));
                return Case.of(b, Expect.EITHER, (truncate ? "truncated at " : "a bit flipped at ") + at);
            }
        }
    }

    /** A tensor's offsets moved by 2^k (k >= 64): a reader that wraps them to 64 bits would find the right bytes. */
    private static Case wrapped(ObjectNode header, byte[] data, String name, int k) {
        ObjectNode entry = (ObjectNode) header.get(name);
        java.math.BigInteger shift = java.math.BigInteger.ONE.shiftLeft(k);
        String offsets = "[" + shift.add(entry.get("data_offsets").get(0).bigIntegerValue()) + "," + shift.add(entry.get("data_offsets").get(1).bigIntegerValue()) + "]";
        entry.putRawValue("data_offsets", new RawValue(offsets));
        return Case.of(file(header, data), Expect.REFUSE, name + " data_offsets moved by 2^" + k + ": " + offsets);
    }

    private static Case set(ObjectNode header, byte[] data, String name, int index, float value, Expect expect) {
        int begin = header.get(name).get("data_offsets").get(0).intValue();
        setFloat(data, begin + 4 * index, value);
        return new Case(file(header, data), expect, name + "[" + index + "] = " + value, name, index, value);
    }

    private static float getFloat(byte[] data, int at) {
        return ByteBuffer.wrap(data, at, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
    }

    private static void setFloat(byte[] data, int at, float v) {
        ByteBuffer.wrap(data, at, 4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v);
    }

    /** Header (compact JSON, padded to 8 bytes) and data, as safetensors lays them out. */
    private static byte[] file(ObjectNode header, byte[] data) {
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) out.put((byte) ' ');
        return out.put(data).array();
    }

    private static byte[] withLength(byte[] file, long length) {
        byte[] b = file.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        return b;
    }

}
