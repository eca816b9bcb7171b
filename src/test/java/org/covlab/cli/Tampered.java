package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.covlab.model.Safetensors;
import org.covlab.report.Json;

/**
 * Checkpoints changed the way a hostile user would: content edited, then the sizes and CRC-32Cs in state.json made to
 * match again, so that the edit reaches the readers behind the checksums.
 */
final class Tampered {
    private Tampered() {}

    /** A 20-step tiny run with checkpoints at steps 0, 9, 18 and 20 (the probe's run). */
    static Path run(Path out) {
        CliRun r = CliRun.of("train", "--task", "fig2", "--H", "8", "--layers", "1", "--heads", "2", "--dmodel", "32", "--batch", "4",
                "--lr", "3e-3", "--steps", "20", "--checkpoint-every", "9", "--threads", "1", "--out", out.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        return out;
    }

    /** A copy of a folder tree. */
    static Path copy(Path from, Path to) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q); else Files.copy(p, q);
            }
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets state.json's size and CRC-32C of config.json, model.safetensors and optimizer.safetensors to the files'. */
    static void reseal(Path checkpoint) {
        Path state = checkpoint.resolve("state.json");
        try {
            ObjectNode tree = (ObjectNode) Json.mapper().readTree(Files.readString(state));
            ObjectNode files = (ObjectNode) tree.get("files");
            for (String f : new String[] {"config.json", "model.safetensors", "optimizer.safetensors"}) {
                byte[] bytes = Files.readAllBytes(checkpoint.resolve(f));
                CRC32C crc = new CRC32C();
                crc.update(bytes);
                files.putObject(f).put("bytes", bytes.length).put("crc32c", String.format("%08x", crc.getValue()));
            }
            Files.writeString(state, tree.toPrettyString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites a safetensors file with its tensors changed by {@code edit}, then reseals the checkpoint. */
    static void tensors(Path checkpoint, String file, Consumer<Map<String, Safetensors.Tensor>> edit) {
        Safetensors.Contents c = Safetensors.read(checkpoint.resolve(file));
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>(c.tensors());
        edit.accept(tensors);
        Safetensors.write(checkpoint.resolve(file), tensors, c.metadata());
        reseal(checkpoint);
    }

    /** Rewrites a safetensors file's JSON header with {@code from} replaced by {@code to} (the data kept), then reseals. */
    static void header(Path checkpoint, String file, String from, String to) {
        try {
            Path f = checkpoint.resolve(file);
            byte[] bytes = Files.readAllBytes(f);
            ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int n = (int) in.getLong();
            String header = new String(bytes, 8, n, StandardCharsets.UTF_8);
            assertThat(header).contains(from);
            byte[] json = header.replace(from, to).strip().getBytes(StandardCharsets.UTF_8);
            int padded = (json.length + 7) / 8 * 8;
            ByteBuffer out = ByteBuffer.allocate(8 + padded + bytes.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(padded).put(json);
            for (int i = json.length; i < padded; i++) out.put((byte) ' ');
            out.put(bytes, 8 + n, bytes.length - 8 - n);
            Files.write(f, out.array());
            reseal(checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces text in a checkpoint file (once, and it must be there), then reseals. */
    static void text(Path checkpoint, String file, String from, String to) {
        try {
            Path f = checkpoint.resolve(file);
            String s = Files.readString(f);
            assertThat(s).as(file).contains(from);
            Files.writeString(f, s.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to)));
            reseal(checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
