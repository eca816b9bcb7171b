package org.covlab.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * File-system errors in words a user reads: "cannot create run folder /x: permission denied", never a Java class
 * name. The CLI reports an {@link UncheckedIOException} as one line with exit code 2 (a folder that cannot be
 * written is the user's to fix, not a bug).
 */
public final class IoErrors {
    private IoErrors() {}

    /** "WHAT: REASON" around the cause, e.g. {@code unchecked("cannot write " + f, e)}. */
    public static UncheckedIOException unchecked(String what, IOException e) {
        String at = e instanceof FileSystemException f && f.getFile() != null && !what.contains(f.getFile()) ? " (at " + f.getFile() + ")" : "";
        return new UncheckedIOException(what + ": " + reason(e) + at, e);
    }

    /** Why an I/O operation failed, without class names: "permission denied", "Not a directory", ... */
    public static String reason(IOException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NoSuchFileException) return "no such file or folder";
        if (e instanceof FileAlreadyExistsException) return "already exists";
        if (e instanceof NotDirectoryException) return "not a folder";
        if (e instanceof DirectoryNotEmptyException) return "folder not empty";
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        return e.getMessage() != null ? e.getMessage() : "I/O error";
    }
}
