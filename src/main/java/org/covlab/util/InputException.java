package org.covlab.util;

import java.nio.file.Path;

/**
 * Bad user input. The CLI prints {@link #getMessage()} as one line and exits with code 2, never a stack trace.
 * The message names the file, the line (1-based, 0 when it is about the whole file) and the field.
 */
public final class InputException extends RuntimeException {

    public InputException(String message) {
        super(message);
    }

    /** "FILE:LINE: field 'F': WHAT", the format every reader in covlab uses. */
    public static InputException at(Path file, long line, String field, String what) {
        StringBuilder sb = new StringBuilder().append(file);
        if (line > 0) sb.append(':').append(line);
        sb.append(": ");
        if (field != null) sb.append("field '").append(field).append("': ");
        return new InputException(sb.append(what).toString());
    }
}
