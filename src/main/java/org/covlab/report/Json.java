package org.covlab.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.covlab.io.JsonErrors;
import org.covlab.util.AtomicFiles;
import org.covlab.util.InputException;

/**
 * The one configured Jackson mapper of covlab, and atomic file helpers around it.
 *
 * <p>Choices, made once here:
 * <ul>
 *   <li>Records serialise with their component names, in declaration order; maps keep insertion order.</li>
 *   <li>Output is pretty-printed (files are read by people too); {@link #toJsonLine} gives one-line JSONL.</li>
 *   <li>Doubles are written in their shortest round-trip form (Schubfach, {@code USE_FAST_DOUBLE_WRITER}).</li>
 *   <li><b>NaN and +-Infinity are written as {@code null}</b>, so every file is strict JSON that jq, Python and
 *       browsers read. Reading {@code null} back into a primitive {@code double} (also inside {@code double[]})
 *       gives NaN, not Jackson's 0.0, so a record holding NaN round-trips; an infinity comes back as NaN.</li>
 *   <li>{@link Instant} is written and read as its ISO-8601 string.</li>
 *   <li>Reading is strict: a duplicate key, 2.5 or "2" for an integer, "0.5" for a number, 1 or "true" for a boolean
 *       and 0 for an enum are errors, not coerced.</li>
 * </ul>
 */
public final class Json {
    private Json() {}

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(nonFiniteAsNull())
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // input NaN tokens are an error, not a value
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION) // {"layers": 2, "layers": 6} is ambiguous
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)  // "layers": 2.5 is not 2
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .withCoercionConfig(LogicalType.Integer, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Float, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
            .build();

    /** The shared mapper. Do not reconfigure it; copy it ({@code mapper().copy()}) if you need other settings. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Pretty-printed JSON of {@code value}. */
    public static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + value.getClass().getName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** One-line JSON of {@code value}, for JSONL files (no trailing newline). */
    public static String toJsonLine(Object value) {
        try {
            return MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + value.getClass().getName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** {@code value} as the tree a reader of its JSON text gets (numbers typed as parsed, NaN as null). */
    public static JsonNode toTree(Object value) {
        try {
            return MAPPER.readTree(toJson(value));
        } catch (JsonProcessingException e) {
            throw new AssertionError("covlab's own JSON does not parse", e);
        }
    }

    /** A field where two JSON trees differ: its dotted path and both values (a missing node where one has none). */
    public record Difference(String path, JsonNode before, JsonNode now) {}

    /** Every field where {@code now} differs from {@code before}: before's fields in order, then the fields only now has. */
    public static List<Difference> differences(JsonNode before, JsonNode now) {
        List<Difference> out = new ArrayList<>();
        differences("", before, now, out);
        return out;
    }

    private static void differences(String path, JsonNode a, JsonNode b, List<Difference> out) {
        if (!a.isObject() || !b.isObject()) {
            if (!a.equals(b)) out.add(new Difference(path, a, b));
            return;
        }
        String prefix = path.isEmpty() ? "" : path + ".";
        a.fieldNames().forEachRemaining(k -> differences(prefix + k, a.get(k), b.path(k), out));
        b.fieldNames().forEachRemaining(k -> {
            if (!a.has(k)) out.add(new Difference(prefix + k, a.path(k), b.get(k)));
        });
    }

    /** Writes {@code value} as pretty JSON (with a final newline) to {@code file}, atomically. */
    public static void writeFile(Path file, Object value) {
        AtomicFiles.writeString(file, toJson(value) + "\n");
    }

    /** Reads {@code file} as {@code type}; bad input is an {@link InputException} naming file, line and field. */
    public static <T> T readFile(Path file, Class<T> type) {
        try {
            return MAPPER.readValue(readBytes(file), type);
        } catch (IOException e) {
            throw inputError(file, 0, e);
        }
    }

    /** Reads {@code file} as a tree; bad input is an {@link InputException} naming file and line. */
    public static JsonNode readTree(Path file) {
        try {
            return MAPPER.readTree(readBytes(file));
        } catch (IOException e) {
            throw inputError(file, 0, e);
        }
    }

    /** Parses one JSON text (a JSONL line) as {@code type}; errors name {@code file}, {@code line} and the field. */
    public static <T> T parseLine(String text, Class<T> type, Path file, long line) {
        try {
            return MAPPER.readValue(text, type);
        } catch (IOException e) {
            throw inputError(file, line, e);
        }
    }

    private static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw InputException.at(file, 0, null, "no such file");
        } catch (IOException e) {
            throw InputException.at(file, 0, null, "cannot read: " + e.getMessage());
        }
    }

    /** "FILE:LINE: field 'a.b[2]': what", from Jackson's location (or {@code line} when > 0) and reference path. */
    private static InputException inputError(Path file, long line, IOException e) {
        if (!(e instanceof JsonProcessingException jpe)) return InputException.at(file, line, null, "cannot read: " + e.getMessage());
        String field = null;
        if (jpe instanceof JsonMappingException jme && !jme.getPath().isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (JsonMappingException.Reference r : jme.getPath()) {
                if (r.getFieldName() != null) sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
                else if (r.getIndex() >= 0) sb.append('[').append(r.getIndex()).append(']');
            }
            field = sb.toString();
        }
        String what = JsonErrors.describe(jpe);
        JsonLocation loc = jpe.getLocation();
        long at = line > 0 ? line : loc == null ? 0 : Math.max(0, loc.getLineNr());
        return InputException.at(file, at, field, what);
    }

    /** NaN and infinities become null on output; null becomes NaN for primitive doubles on input. */
    private static SimpleModule nonFiniteAsNull() {
        SimpleModule m = new SimpleModule("covlab-non-finite");
        StdSerializer<Number> number = new StdSerializer<>(Number.class) {
            @Override public void serialize(Number v, JsonGenerator g, SerializerProvider p) throws IOException {
                if (v instanceof Float f) {
                    if (Float.isFinite(f)) g.writeNumber(f); else g.writeNull();
                } else {
                    double d = v.doubleValue();
                    if (Double.isFinite(d)) g.writeNumber(d); else g.writeNull();
                }
            }
        };
        m.addSerializer(Double.class, number);
        m.addSerializer(double.class, number);
        m.addSerializer(Float.class, number);
        m.addSerializer(float.class, number);
        m.addSerializer(double[].class, new StdSerializer<>(double[].class) {
            @Override public void serialize(double[] a, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeStartArray(a, a.length);
                for (double d : a) if (Double.isFinite(d)) g.writeNumber(d); else g.writeNull();
                g.writeEndArray();
            }
        });
        m.addSerializer(float[].class, new StdSerializer<>(float[].class) {
            @Override public void serialize(float[] a, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeStartArray(a, a.length);
                for (float f : a) if (Float.isFinite(f)) g.writeNumber(f); else g.writeNull();
                g.writeEndArray();
            }
        });
        m.addSerializer(Instant.class, ToStringSerializer.instance);
        m.addDeserializer(Instant.class, new StdDeserializer<>(Instant.class) {
            @Override public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                String text = p.getValueAsString();
                try {
                    return Instant.parse(text);
                } catch (DateTimeParseException | NullPointerException e) {
                    return (Instant) ctxt.handleWeirdStringValue(Instant.class, text, "expected an ISO-8601 instant like 2026-01-02T03:04:05Z");
                }
            }
        });
        m.addDeserializer(double.class, new NumberDeserializers.DoubleDeserializer(double.class, Double.NaN)); // null value NaN
        m.addDeserializer(double[].class, new StdDeserializer<>(double[].class) {
            @Override public double[] deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                if (!p.isExpectedStartArrayToken()) return (double[]) ctxt.handleUnexpectedToken(double[].class, p);
                double[] a = new double[8];
                int n = 0;
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    if (!t.isNumeric() && t != JsonToken.VALUE_NULL) ctxt.reportInputMismatch(double[].class, "expected a number at index %d, got %s", n, t);
                    if (n == a.length) a = Arrays.copyOf(a, 2 * n);
                    a[n++] = t == JsonToken.VALUE_NULL ? Double.NaN : p.getDoubleValue();
                }
                return Arrays.copyOf(a, n);
            }
        });
        return m;
    }
}
