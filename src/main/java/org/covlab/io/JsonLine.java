package org.covlab.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Locale;
import org.covlab.util.InputException;

/**
 * One parsed line of a JSONL file, with typed accessors that fail with an {@link InputException} naming the
 * file, the line and the field. A field that is absent or JSON null counts as missing: required accessors
 * throw, the ones with a default return it.
 *
 * @param file   the file the line came from
 * @param number the 1-based line number
 * @param node   the line's JSON object
 */
public record JsonLine(Path file, long number, ObjectNode node) {

    /** An error about {@code field} of this line (null field: about the whole line). */
    public InputException error(String field, String what) {
        return InputException.at(file, number, field, what);
    }

    /** True when the field is present and not null. */
    public boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    /** A required string field. */
    public String string(String field) {
        JsonNode v = require(field);
        if (!v.isTextual()) throw error(field, "must be a string, got " + describe(v));
        return v.textValue();
    }

    /** An optional string field. */
    public String string(String field, String defaultValue) {
        return has(field) ? string(field) : defaultValue;
    }

    /** A required finite number (NaN and infinities are errors). */
    public double number(String field) {
        JsonNode v = require(field);
        if (!v.isNumber()) throw error(field, "must be a number, got " + describe(v));
        double d = v.doubleValue();
        if (!Double.isFinite(d)) throw error(field, "must be a finite number, got " + v.asText());
        return d;
    }

    /** An optional finite number. */
    public double number(String field, double defaultValue) {
        return has(field) ? number(field) : defaultValue;
    }

    /** A required integer (20, not 20.0 or "20"). */
    public long integer(String field) {
        JsonNode v = require(field);
        if (!v.isIntegralNumber()) throw error(field, "must be an integer, got " + describe(v));
        if (!v.canConvertToLong()) throw error(field, "is out of range: " + v.asText());
        return v.longValue();
    }

    /** A required boolean (true or false, not 1 or "true"). */
    public boolean bool(String field) {
        JsonNode v = require(field);
        if (!v.isBoolean()) throw error(field, "must be true or false, got " + describe(v));
        return v.booleanValue();
    }

    /** A required log-probability: a finite number <= 0. */
    public double logProb(String field) {
        double d = number(field);
        if (d > 0) throw error(field, "a log-probability must be <= 0, got " + d);
        return d;
    }

    /** A required log-probability that may also be -Infinity (probability zero, as Python's json writes it). */
    public double logProbOrZeroMass(String field) {
        return require(field).doubleValue() == Double.NEGATIVE_INFINITY ? Double.NEGATIVE_INFINITY : logProb(field);
    }

    /** A required name: a string, or an integer taken as its decimal text ({@code "id": 17} is "17"). */
    public String name(String field) {
        JsonNode v = require(field);
        if (!v.isTextual() && !v.isIntegralNumber()) throw error(field, "must be a string (or an integer), got " + describe(v));
        return v.asText();
    }

    /** An optional log-probability. */
    public double logProb(String field, double defaultValue) {
        return has(field) ? logProb(field) : defaultValue;
    }

    private JsonNode require(String field) {
        if (!has(field)) throw error(field, "is missing");
        return node.get(field);
    }

    /** "string \"abc\"", "number 3.5", "array", ... for error messages. */
    static String describe(JsonNode v) {
        String type = v.getNodeType().toString().toLowerCase(Locale.ROOT);
        if (v.isValueNode()) {
            String text = v.isTextual() ? '"' + v.textValue() + '"' : v.asText();
            if (text.length() > 40) text = text.substring(0, 37) + "...";
            return type + " " + text;
        }
        return type;
    }
}
