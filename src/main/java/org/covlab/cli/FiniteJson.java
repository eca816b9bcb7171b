package org.covlab.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Numbers for a command's --json output: JSON has no NaN or infinity, so a non-finite value is written as null and
 * {@link #warn} says so on stderr (one line naming the first few), never as a string "Infinity" or "NaN".
 */
final class FiniteJson {
    private final List<String> nulls = new ArrayList<>();
    private final List<Double> values = new ArrayList<>();

    /** {@code node.put(key, value)}, or null when value is NaN or infinite; {@code where} names it in the warning. */
    void put(ObjectNode node, String key, double value, String where) {
        if (Double.isFinite(value)) {
            node.put(key, value);
            return;
        }
        node.putNull(key);
        nulls.add(where);
        values.add(value);
    }

    /** One warning line on stderr when some value was written as null. */
    void warn(PrintWriter err) {
        if (nulls.isEmpty()) return;
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < Math.min(3, nulls.size()); i++) shown.add(nulls.get(i) + " = " + values.get(i));
        err.println("covlab: warning: " + nulls.size() + " value(s) are not finite and are written as null in the JSON: "
                + String.join(", ", shown) + (nulls.size() > 3 ? ", ..." : ""));
        err.flush();
    }
}
