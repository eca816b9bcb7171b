package org.covlab.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jackson's error messages in a user's words: "must be an integer, got number 2.5" instead of "Cannot coerce
 * Floating-point value (2.5) to `int` value (but could if coercion was enabled using `CoercionConfig`)", and never
 * a Java class name. Used for covlab's own files ({@code report.Json}) and for JSONL lines ({@link JsonLines}).
 */
public final class JsonErrors {
    private JsonErrors() {}

    private static final Pattern COERCE = Pattern.compile("Cannot coerce ([\\w-]+) value \\((.*)\\) to");
    private static final Pattern FROM_STRING = Pattern.compile("from String (\".*?\")");
    private static final Pattern FROM_NUMBER = Pattern.compile("from number (\\S+?):");
    private static final Pattern FROM_VALUE = Pattern.compile("from (Array|Object|Boolean|Null) value");
    private static final Pattern OUT_OF_RANGE = Pattern.compile("Numeric value \\((.*?)\\) out of range of (\\w+)");
    private static final Pattern SOURCE = Pattern.compile("\\s*\\(start marker at \\[Source: .*$");
    private static final Pattern CLASS_NAME = Pattern.compile("`?(?:[a-z]\\w*\\.)+([A-Z]\\w*)(?:\\$(\\w+))?`?");

    /** What is wrong, in one line (the caller adds file, line and field). */
    public static String describe(JsonProcessingException e) {
        String what;
        Matcher m;
        if (e instanceof ValueInstantiationException && e.getCause() != null) {
            Throwable root = e.getCause();
            while (root.getCause() != null) root = root.getCause();
            what = String.valueOf(root.getMessage());
        } else if (e instanceof UnrecognizedPropertyException u) {
            what = "unknown field '" + u.getPropertyName() + "' (known: " + u.getKnownPropertyIds() + ")";
        } else if ((m = OUT_OF_RANGE.matcher(e.getOriginalMessage())).lookingAt()) {   // also when wrapped in a mapping error
            what = "is out of range: " + m.group(1) + " does not fit " + (m.group(2).equals("long") ? "64" : "32") + " bits";
        } else if (e instanceof MismatchedInputException mi && mi.getTargetType() != null) {
            what = "must be " + expected(mi.getTargetType()) + got(e.getOriginalMessage());
        } else {
            what = e.getOriginalMessage();
        }
        int cut = what.indexOf('\n');
        if (cut >= 0) what = what.substring(0, cut);
        what = SOURCE.matcher(what).replaceAll("");   // "(start marker at [Source: REDACTED ...; line: 1, column: 1])"
        if (what.startsWith("Trailing token")) what = "more than one JSON value";
        return simpleNames(what);
    }

    private static String expected(Class<?> t) {
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class || t == short.class) return "an integer";
        if (t == double.class || t == Double.class || t == float.class || t == Float.class) return "a number";
        if (t == boolean.class || t == Boolean.class) return "true or false";
        if (t == String.class) return "a string";
        if (t.isEnum()) return "one of " + Arrays.toString(t.getEnumConstants());
        if (t.isArray() || Collection.class.isAssignableFrom(t)) return "an array";
        if (Map.class.isAssignableFrom(t) || t.isRecord()) return "an object";
        return "a " + t.getSimpleName();
    }

    /** ", got number 2.5" from the value Jackson quotes in its message, or nothing. */
    private static String got(String message) {
        Matcher m = COERCE.matcher(message);
        if (m.find()) return ", got " + (m.group(1).equals("String") ? "string " : "number ") + m.group(2);
        if ((m = FROM_STRING.matcher(message)).find()) return ", got string " + m.group(1);
        if ((m = FROM_NUMBER.matcher(message)).find()) return ", got number " + m.group(1);
        if ((m = FROM_VALUE.matcher(message)).find()) return ", got " + m.group(1).toLowerCase(java.util.Locale.ROOT);
        return "";
    }

    /** org.covlab.train.Checkpoint$State -> State: the last resort, for messages the cases above do not know. */
    private static String simpleNames(String what) {
        Matcher m = CLASS_NAME.matcher(what);
        StringBuilder sb = new StringBuilder();
        while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(m.group(2) != null ? m.group(2) : m.group(1)));
        return m.appendTail(sb).toString().replace("`", "'");
    }
}
