package org.covlab.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.covlab.cli.Main;

/** covlab's experiments as the Spark tests run them, and comparisons of their run folders. */
final class SparkRuns {
    private SparkRuns() {}

    /** What covlab printed on stderr, and its exit code. */
    record Result(int rc, String err) {}

    /** Runs {@code covlab experiment EXPERIMENT --out OUT MORE...} in this JVM; its exit code. */
    static int covlab(List<String> experiment, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("experiment"));
        args.addAll(experiment);
        args.addAll(List.of("--out", out.toString()));
        args.addAll(Arrays.asList(more));
        return Main.run(args.toArray(String[]::new));
    }

    /** As {@link #covlab}, with stderr kept (and still shown). */
    static Result covlabWithErr(List<String> experiment, Path out, String... more) {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        PrintStream err = System.err;
        System.setErr(new PrintStream(new Tee(err, kept), true, StandardCharsets.UTF_8));
        try {
            return new Result(covlab(experiment, out, more), kept.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(err);
        }
    }

    /** Writes to both streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream a, b;
        Tee(OutputStream a, OutputStream b) { this.a = a; this.b = b; }
        @Override public synchronized void write(int x) throws IOException { a.write(x); b.write(x); }
        @Override public synchronized void write(byte[] x, int off, int len) throws IOException { a.write(x, off, len); b.write(x, off, len); }
        @Override public void flush() throws IOException { a.flush(); b.flush(); }
    }

    /** Every CSV of the run folder (cells/*.csv, metrics.csv, ...) is byte-identical; prints how many it compared. */
    static void assertSameCsvs(Path expected, Path actual) throws IOException {
        List<Path> files = csvs(expected);
        assertThat(csvs(actual)).as("the CSV files of " + actual).isEqualTo(files);
        int differ = 0;
        String first = "";
        for (Path f : files) {
            if (Arrays.equals(Files.readAllBytes(expected.resolve(f)), Files.readAllBytes(actual.resolve(f)))) continue;
            differ++;
            List<String> a = Files.readAllLines(expected.resolve(f)), b = Files.readAllLines(actual.resolve(f));
            for (int i = 0; i < Math.max(a.size(), b.size()) && first.isEmpty(); i++) {
                String x = i < a.size() ? a.get(i) : "<none>", y = i < b.size() ? b.get(i) : "<none>";
                if (!x.equals(y)) first = f + " line " + (i + 1) + ": one machine '" + x + "', Spark '" + y + "'";
            }
        }
        System.out.println("compared " + files.size() + " CSV files of " + actual.getFileName() + " with one machine's: " + differ + " differ");
        assertThat(differ).as(first).isZero();
    }

    /** The CSV files under {@code dir}, relative to it, sorted. */
    static List<Path> csvs(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".csv") && !p.getFileName().toString().startsWith("."))
                    .map(dir::relativize).sorted().toList();
        }
    }

    /** The last-modified time of every CSV under {@code dir}. */
    static Map<Path, FileTime> modified(Path dir) throws IOException {
        Map<Path, FileTime> m = new LinkedHashMap<>();
        for (Path p : csvs(dir)) m.put(p, Files.getLastModifiedTime(dir.resolve(p)));
        return m;
    }

    /** A copy of the folder {@code from} (a run folder with its checkpoints) at {@code to}. */
    static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) Files.copy(p, to.resolve(from.relativize(p).toString()));
        }
        return to;
    }
}
