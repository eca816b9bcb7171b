package org.covlab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.covlab.report.Json;
import org.covlab.util.InputException;

/** The PyTorch peers of {@code covlab bench}: finding their scripts and running one for the JSON line it prints. */
final class BenchPeer {
    private BenchPeer() {}

    /** Debian's interpreter, the one python3-torch installs into. */
    static final String PYTHON = "/usr/bin/python3";
    static final String SETUP = "apt-get install -y python3-torch libopenblas0-pthread";

    /** A peer run that could not give figures; the message is one line for the user. */
    static final class PeerException extends Exception {
        PeerException(String message) {
            super(message);
        }
    }

    /**
     * The script {@code given} by the option, else the first {@code relative} found from the working directory
     * upwards, else from the checkout of the running jar (target/covlab.jar's parent folder) upwards.
     */
    static Path script(Path given, String option, String relative) {
        if (given != null) {
            if (!Files.isRegularFile(given)) throw new InputException(option + ": no such file " + given);
            return given;
        }
        List<Path> starts = new ArrayList<>(List.of(Path.of("").toAbsolutePath()));
        try {
            starts.add(Path.of(BenchPeer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath());
        } catch (Exception e) {
            // no code source (an unusual class loader): the working directory alone
        }
        for (Path start : starts) {
            for (Path dir = start; dir != null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve(relative))) return dir.resolve(relative);
            }
        }
        throw new InputException("--peer: no " + relative + " in the working directory or above it; give " + option + " FILE");
    }

    /** Runs {@code python script args...} and returns the JSON object of its last stdout line, which must hold {@code keys}. */
    static JsonNode run(String python, Path script, List<String> args, List<String> keys) throws PeerException {
        List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
        cmd.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new PeerException("peer not run: cannot start " + python + " (" + e.getMessage() + "); install it with " + SETUP);
        }
        try {
            p.getOutputStream().close();
            // stderr first: stdout is one short line, so the script never blocks on it meanwhile
            String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            byte[] stdout = p.getInputStream().readAllBytes();
            int code = p.waitFor();
            if (stderr.contains("No module named 'torch'")) {
                throw new PeerException("peer not run: PyTorch is not installed for " + python + "; install it with " + SETUP);
            }
            String[] lines = new String(stdout, StandardCharsets.UTF_8).strip().split("\n");
            if (code != 0 || lines[lines.length - 1].isBlank()) {
                String last = stderr.strip().isEmpty() ? "no output" : stderr.strip().lines().reduce((a, b) -> b).orElse("");
                throw new PeerException("peer " + script.getFileName() + " failed (exit " + code + "): " + last);
            }
            JsonNode node = Json.mapper().readTree(lines[lines.length - 1]);
            for (String key : keys) {
                if (!node.hasNonNull(key)) throw new PeerException("peer " + script.getFileName() + " printed no " + key + ": " + lines[lines.length - 1]);
            }
            return node;
        } catch (IOException e) {
            throw new PeerException("peer failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerException("peer interrupted");
        }
    }
}
