package org.covlab.train;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.covlab.model.GptConfig;
import org.covlab.model.ParameterLayout;
import org.covlab.model.Safetensors;
import org.covlab.util.InputException;
import org.covlab.util.IoErrors;

/** The files of a {@link Checkpoint} folder: atomic folder writes, the weights file, checksums, removal. */
final class CheckpointFiles {
    private CheckpointFiles() {}

    /** Fills a folder. */
    @FunctionalInterface
    interface Fill {
        void into(Path folder) throws IOException;
    }

    /**
     * Writes the folder {@code dir} atomically: {@code fill} writes into a hidden temporary folder, which is flushed
     * to disk and renamed. An existing {@code dir} is replaced when {@code replace}, else refused (exit 2).
     */
    static void writeFolder(Path dir, boolean replace, Fill fill) {
        Path parent = dir.toAbsolutePath().getParent();
        Path tmp = parent.resolve("." + dir.getFileName() + ".tmp");
        if (!replace && Files.exists(dir)) throw InputException.at(dir, 0, null, "exists; covlab does not overwrite it (choose a new --out)");
        try {
            Files.createDirectories(parent);
            deleteTree(tmp);
            Files.createDirectory(tmp);
            fill.into(tmp);
            fsync(tmp);
            if (Files.exists(dir)) discard(dir);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            fsync(parent);
        } catch (IOException e) {
            throw IoErrors.unchecked("cannot write checkpoint " + dir, e);
        }
    }

    /** model.safetensors: the weights in layout order, and the shape in the metadata (for scripts/covlab_gpt.py). */
    static void writeModel(Path file, GptConfig g, float[] params) {
        Safetensors.write(file, ParameterLayout.of(g), params, Map.of("format", "pt",
                "vocab", "" + g.vocab(), "ctx", "" + g.ctx(), "layers", "" + g.layers(), "heads", "" + g.heads(), "dmodel", "" + g.dModel()));
    }

    static Checkpoint.FileCheck check(Path file) {
        CRC32C crc = new CRC32C();
        try {
            byte[] bytes = Files.readAllBytes(file);
            crc.update(bytes);
            return new Checkpoint.FileCheck(bytes.length, String.format("%08x", crc.getValue()));
        } catch (NoSuchFileException e) {
            throw InputException.at(file, 0, null, "missing");
        } catch (IOException e) {
            throw IoErrors.unchecked("cannot read " + file, e);
        }
    }

    /** Flushes a folder's entries (new files, a rename) to disk. */
    static void fsync(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!System.getProperty("os.name", "").toLowerCase().contains("win")) throw e;  // Windows cannot open folders
        }
    }

    /** Removes a checkpoint folder so that no half-deleted folder is ever visible: hide it by a rename, then delete. */
    static void discard(Path dir) throws IOException {
        Path hidden = dir.resolveSibling("." + dir.getFileName() + ".deleting");
        deleteTree(hidden);
        Files.move(dir, hidden, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(hidden);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
