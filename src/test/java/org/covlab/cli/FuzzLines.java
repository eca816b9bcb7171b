package org.covlab.cli;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A JSONL input under construction for the fuzzers: lines of (key, value as JSON text) fields, the structured
 * mutations a hostile user makes (a value of the wrong type, huge, non-finite or past 64 bits; a field missing, doubled
 * or unknown) and byte-level damage (truncation, bit flips, stray bytes). Structured inputs keep their meaning, so an
 * oracle can say what the reader must do; damaged ones ({@link #damaged}) can only be held to "exit 0 or 2".
 */
final class FuzzLines {

    /** Values of every JSON type, and numbers at the edges of double, int and long, and past them. */
    static final String[] HOSTILE = {"\"x\"", "\"5\"", "\"\"", "true", "false", "null", "[]", "[1]", "{}", "{\"a\":1}",
            "NaN", "Infinity", "-Infinity", "0", "-0", "-0.0", "1", "-1", "2.5", "-2.5", "1e3", "-1E-3", "4.9e-324", "-4.9e-324",
            "1e308", "-1e308", "1.7976931348623157e308", "-1.7976931348623157e308", "1e400", "-1e400", "2147483647", "2147483648",
            "-2147483648", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
            "18446744073709551616", "1180591620717411303424", "1000000", "1000001", "-99999999999999999999999"};

    /** Reads values as Jackson does for the readers under test (NaN and Infinity tokens included). */
    static final ObjectMapper PLAIN = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    final List<List<String[]>> lines = new ArrayList<>();
    final List<String> mutations = new ArrayList<>();
    boolean damaged;
    private byte[] damage;

    /** Adds a line of key, json, key, json, ... */
    FuzzLines line(String... keyJson) {
        List<String[]> fields = new ArrayList<>();
        for (int i = 0; i < keyJson.length; i += 2) fields.add(new String[] {keyJson[i], keyJson[i + 1]});
        lines.add(fields);
        return this;
    }

    /** One random structured mutation: a hostile value, a missing, doubled or unknown field, a lost or repeated line. */
    void mutate(SplittableRandom rng) {
        if (lines.isEmpty()) return;
        int l = rng.nextInt(lines.size());
        List<String[]> fields = lines.get(l);
        switch (rng.nextInt(6)) {
            case 0, 1 -> {
                if (fields.isEmpty()) return;
                String[] f = fields.get(rng.nextInt(fields.size()));
                f[1] = HOSTILE[rng.nextInt(HOSTILE.length)];
                mutations.add("line " + (l + 1) + ": " + f[0] + " = " + f[1]);
            }
            case 2 -> {
                if (fields.isEmpty()) return;
                String[] f = fields.remove(rng.nextInt(fields.size()));
                mutations.add("line " + (l + 1) + ": no " + f[0]);
            }
            case 3 -> {
                if (fields.isEmpty()) return;
                String[] f = fields.get(rng.nextInt(fields.size()));
                fields.add(rng.nextInt(fields.size() + 1), new String[] {f[0], HOSTILE[rng.nextInt(HOSTILE.length)]});
                mutations.add("line " + (l + 1) + ": " + f[0] + " twice");
            }
            case 4 -> {
                fields.add(new String[] {"extra", HOSTILE[rng.nextInt(HOSTILE.length)]});
                mutations.add("line " + (l + 1) + ": an unknown field");
            }
            default -> {
                boolean lose = rng.nextBoolean();
                if (lose) lines.remove(l); else lines.add(rng.nextInt(lines.size() + 1), copy(fields));
                mutations.add("line " + (l + 1) + (lose ? " lost" : " repeated"));
            }
        }
    }

    /** Byte-level damage to the file: truncated, a bit flipped, a stray byte in or out. */
    void damage(SplittableRandom rng) {
        byte[] b = text();
        if (b.length == 0) return;
        int at = rng.nextInt(b.length);
        damage = switch (rng.nextInt(4)) {
            case 0 -> Arrays.copyOf(b, at);
            case 1 -> { b[at] ^= (byte) (1 << rng.nextInt(8)); yield b; }
            case 2 -> {
                byte[] stray = {0, (byte) 0xFF, (byte) 0xC0, '\n', '"', '{', '}', ',', '\\', (byte) 0xE2};
                byte[] out = new byte[b.length + 1];
                System.arraycopy(b, 0, out, 0, at);
                out[at] = stray[rng.nextInt(stray.length)];
                System.arraycopy(b, at, out, at + 1, b.length - at);
                yield out;
            }
            default -> { byte[] out = new byte[b.length - 1]; System.arraycopy(b, 0, out, 0, at); System.arraycopy(b, at + 1, out, at, b.length - at - 1); yield out; }
        };
        damaged = true;
        mutations.add("byte damage at " + at);
    }

    byte[] bytes() {
        return damage != null ? damage : text();
    }

    private byte[] text() {
        StringBuilder sb = new StringBuilder();
        for (List<String[]> fields : lines) {
            sb.append('{');
            for (int i = 0; i < fields.size(); i++) sb.append(i == 0 ? "" : ", ").append('"').append(fields.get(i)[0]).append("\": ").append(fields.get(i)[1]);
            sb.append("}\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a line names a key twice (the readers refuse it). */
    static boolean hasDuplicateKey(List<String[]> fields) {
        HashSet<String> seen = new HashSet<>();
        for (String[] f : fields) if (!seen.add(f[0])) return true;
        return false;
    }

    /** The value of a field as Jackson reads it, or null when absent; JSON null is a NullNode. */
    static JsonNode value(List<String[]> fields, String key) {
        for (String[] f : fields) {
            if (!f[0].equals(key)) continue;
            try {
                return PLAIN.readTree(f[1]);
            } catch (Exception e) {
                throw new IllegalStateException("not JSON: " + f[1], e);
            }
        }
        return null;
    }

    /** A field the readers count as present: there and not null. */
    static boolean has(List<String[]> fields, String key) {
        JsonNode v = value(fields, key);
        return v != null && !v.isNull();
    }

    private static List<String[]> copy(List<String[]> fields) {
        List<String[]> out = new ArrayList<>();
        for (String[] f : fields) out.add(f.clone());
        return out;
    }

    @Override public String toString() {
        String text = new String(bytes(), StandardCharsets.UTF_8);
        return (mutations.isEmpty() ? "unchanged" : String.join("; ", mutations)) + " in " + (text.length() > 600 ? text.substring(0, 600) + "..." : text);
    }
}
