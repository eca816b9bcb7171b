package org.covlab.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.Set;
import org.covlab.util.InputException;

/**
 * Names a field that a JSON file lacks as missing, before binding it to a record would turn it into 0, NaN or
 * null and a later check would report that value ("got NaN") instead of the absence.
 */
public final class RequiredFields {
    private RequiredFields() {}

    /**
     * Passes when {@code node} has every component of the record {@code type}, recursing into components that are
     * records, except the dotted paths in {@code optional}; otherwise an {@link InputException}
     * {@code FILE: field 'a.b': missing} for the first absent one. A JSON null counts as absent. Values of the wrong
     * type are left to the binding, which names them.
     */
    public static void require(Path file, JsonNode node, Class<?> type, Set<String> optional) {
        check(file, node, type, "", optional);
    }

    private static void check(Path file, JsonNode node, Class<?> type, String prefix, Set<String> optional) {
        if (!type.isRecord() || node == null || !node.isObject()) return;
        for (RecordComponent c : type.getRecordComponents()) {
            String path = prefix + c.getName();
            JsonNode value = node.get(c.getName());
            if (value == null || value.isNull()) {
                if (!optional.contains(path)) throw InputException.at(file, 0, path, "missing");
            } else {
                check(file, value, c.getType(), path + ".", optional);
            }
        }
    }
}
