package org.covlab.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.covlab.util.InputException;
import org.covlab.util.IoErrors;

/**
 * The folder one experiment run writes: {@code config.json}, {@code results.json}, and whatever else the
 * experiment puts there through {@link #file} (metrics.csv, plots, checkpoints, report.html).
 *
 * <p>Where: {@code --out DIR} when given, else {@code runs/<name>-<yyyyMMdd-HHmmss>} under the working directory.
 * Nothing a user made is overwritten: an existing non-empty folder is refused unless resuming, and resuming
 * needs a covlab run folder (one with {@code config.json}) whose config equals the new one.
 *
 * <p>{@code results.json} holds the seed, the git commit of the covlab code ({@code git rev-parse HEAD} run
 * where the classes live; {@code "unknown"} outside a checkout), the covlab version, start and end time,
 * wall-clock seconds per named phase (summed when a phase repeats, and across resumed attempts), and the
 * experiment's own results.
 */
public final class RunFolder {

    /** Runs go here when no {@code --out} is given (relative to the working directory). */
    public static final Path DEFAULT_PARENT = Path.of("runs");
    public static final String CONFIG = "config.json";
    public static final String RESULTS = "results.json";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    /** The content of {@code results.json}. {@code finished} is null while the run is going. */
    public record Results(String name, long seed, String gitHash, Boolean gitDirty, String covlabVersion,
                          Instant started, Instant finished, double wallSeconds, int resumes,
                          Map<String, Double> timingsSeconds, Map<String, Object> results) {
        public Results {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("results need a run name");
            if (started == null) throw new IllegalArgumentException("results need a start time");
            timingsSeconds = timingsSeconds == null ? Map.of() : timingsSeconds;
            results = results == null ? Map.of() : results;
        }
    }

    private final Path dir;
    private final String name;
    private final long seed;
    private final boolean resumed;
    private final Instant started;
    private final long openedNanos = System.nanoTime();
    private final double earlierWallSeconds; // from attempts before this resume
    private final int resumes;
    private final Map<String, Double> timings = new LinkedHashMap<>();
    private final Map<String, Object> results = new LinkedHashMap<>();

    private RunFolder(Path dir, String name, long seed, boolean resumed, Results earlier) {
        this.dir = dir;
        this.name = name;
        this.seed = seed;
        this.resumed = resumed;
        this.started = earlier == null ? Instant.now() : earlier.started();
        this.earlierWallSeconds = earlier == null ? 0 : earlier.wallSeconds();
        this.resumes = earlier == null ? 0 : earlier.resumes() + 1;
        if (earlier != null) {
            timings.putAll(earlier.timingsSeconds());
            results.putAll(earlier.results());
        }
    }

    /**
     * Opens the run folder for experiment {@code name} (lower-case, e.g. "fig2-horizon").
     *
     * @param out    the user's {@code --out DIR}, or null for {@code runs/<name>-<timestamp>}
     * @param resume the user's {@code --resume}: continue {@code out} (or, without {@code out}, the newest
     *               {@code runs/<name>-*}); starts a fresh folder when there is nothing to resume
     * @throws InputException when {@code out} is a file, or a non-empty folder that may not be written into
     */
    public static RunFolder open(String name, long seed, Path out, boolean resume) {
        return open(name, seed, out, resume, DEFAULT_PARENT);
    }

    static RunFolder open(String name, long seed, Path out, boolean resume, Path parent) {
        if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("run name must match " + NAME + ": " + name);
        Path dir = out != null ? out : resume ? newest(parent, name).orElse(null) : null;
        if (dir == null) dir = fresh(parent, name);
        Results earlier = null;
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw InputException.at(dir, 0, null, "is a file, not a folder");
        boolean resumed = !isEmptyOrMissing(dir);
        if (resumed) {
            if (!resume) {
                throw InputException.at(dir, 0, null, "exists and is not empty; pass --resume to continue that run, or choose another --out");
            }
            if (!Files.exists(dir.resolve(CONFIG))) {
                throw InputException.at(dir, 0, null, "is not a covlab run folder (no " + CONFIG + "); refusing to write into it");
            }
            if (Files.exists(dir.resolve(RESULTS))) {
                earlier = readResults(dir);
                if (earlier.seed() != seed) {
                    throw InputException.at(dir.resolve(RESULTS), 0, "seed", "the run used seed " + earlier.seed() + ", this one asks for " + seed);
                }
            }
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw IoErrors.unchecked("cannot create run folder " + dir, e);
        }
        return new RunFolder(dir, name, seed, resumed, earlier);
    }

    /** {@code parent/<name>-<timestamp>}, with "-2", "-3", ... when that second is taken. */
    private static Path fresh(Path parent, String name) {
        String base = name + "-" + LocalDateTime.now().format(STAMP);
        Path dir = parent.resolve(base);
        for (int i = 2; Files.exists(dir); i++) dir = parent.resolve(base + "-" + i);
        return dir;
    }

    private static Optional<Path> newest(Path parent, String name) {
        if (!Files.isDirectory(parent)) return Optional.empty();
        Pattern mine = Pattern.compile(Pattern.quote(name) + "-\\d{8}-\\d{6}(-\\d+)?");
        int stampAt = name.length() + 1;
        Comparator<Path> byStampThenSuffix = Comparator
                .comparing((Path p) -> p.getFileName().toString().substring(stampAt, stampAt + 15))
                .thenComparingInt(p -> {
                    String f = p.getFileName().toString();
                    return f.length() > stampAt + 15 ? Integer.parseInt(f.substring(stampAt + 16)) : 1;
                });
        try (Stream<Path> s = Files.list(parent)) {
            return s.filter(p -> Files.isDirectory(p) && mine.matcher(p.getFileName().toString()).matches()).max(byStampThenSuffix);
        } catch (IOException e) {
            throw IoErrors.unchecked("cannot list " + parent, e);
        }
    }

    private static boolean isEmptyOrMissing(Path dir) {
        if (!Files.exists(dir)) return true;
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw IoErrors.unchecked("cannot list " + dir, e);
        }
    }

    public Path dir() {
        return dir;
    }

    public long seed() {
        return seed;
    }

    /** True when this run continues an earlier attempt in the same folder. */
    public boolean resumed() {
        return resumed;
    }

    /** A path inside the folder for {@code relative} (e.g. "metrics.csv", "plots/kl.png"); parent folders are created. */
    public Path file(String relative) {
        Path p = dir.resolve(relative).normalize();
        if (Path.of(relative).isAbsolute() || !p.startsWith(dir.normalize()) || p.equals(dir.normalize())) {
            throw new IllegalArgumentException("not a file inside the run folder: " + relative);
        }
        try {
            Files.createDirectories(p.getParent());
        } catch (IOException e) {
            throw IoErrors.unchecked("cannot create " + p.getParent(), e);
        }
        return p;
    }

    /**
     * Writes {@code config} (a record) to {@code config.json}. When resuming, the existing config must be the
     * same; every difference is reported in one {@link InputException} and nothing is written.
     */
    public void writeConfig(Object config) {
        Path f = dir.resolve(CONFIG);
        if (Files.exists(f)) {
            List<String> diffs = new ArrayList<>();
            for (Json.Difference d : Json.differences(Json.readTree(f), Json.toTree(config))) {
                diffs.add(d.before().isMissingNode() ? "field '" + d.path() + "' is new in this invocation"
                        : "field '" + d.path() + "': the run was started with " + d.before() + ", this invocation asks for "
                        + (d.now().isMissingNode() ? "nothing" : d.now()));
            }
            if (!diffs.isEmpty())
                throw InputException.at(f, 0, null, String.join("; ", diffs) + "; resume with the same settings, or choose another --out");
            return;
        }
        Json.writeFile(f, config);
    }

    /** Times a named phase: {@code try (var p = run.phase("train")) { ... }}. Repeated phases add up. */
    public Phase phase(String phaseName) {
        return new Phase(phaseName);
    }

    /** An open timer for one phase; closing it adds the elapsed wall-clock seconds to the phase's total. */
    public final class Phase implements AutoCloseable {
        private final String phaseName;
        private final long t0 = System.nanoTime();

        private Phase(String phaseName) {
            this.phaseName = phaseName;
        }

        @Override public void close() {
            double s = (System.nanoTime() - t0) / 1e9;
            synchronized (timings) {
                timings.merge(phaseName, s, Double::sum);
            }
        }
    }

    /** Records a result under {@code key} (any Jackson-serialisable value: number, string, record, map, list). */
    public void put(String key, Object value) {
        synchronized (results) {
            results.put(key, value);
        }
    }

    /** Writes {@code results.json} now, with {@code finished = null}: a snapshot of a run that is still going. */
    public Results writeResults() {
        return write(null);
    }

    /** Writes the final {@code results.json}, with the end time. */
    public Results finish() {
        return write(Instant.now());
    }

    private Results write(Instant finished) {
        Results r;
        synchronized (timings) {
            synchronized (results) {
                GitInfo g = GitInfo.get();
                r = new Results(name, seed, g.hash(), g.dirty(), version(), started, finished,
                        earlierWallSeconds + (System.nanoTime() - openedNanos) / 1e9, resumes,
                        new LinkedHashMap<>(timings), new LinkedHashMap<>(results));
            }
        }
        Json.writeFile(dir.resolve(RESULTS), r);
        return r;
    }

    /** Reads {@code dir/results.json}; bad content is an {@link InputException} naming the file and field. */
    public static Results readResults(Path dir) {
        return Json.readFile(dir.resolve(RESULTS), Results.class);
    }

    /** The covlab version from the build (pom), or "unknown" when run from unfiltered classes. */
    public static String version() {
        try (InputStream in = RunFolder.class.getResourceAsStream("/covlab-version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The git commit of the covlab code, looked up once: {@code git rev-parse HEAD} where the classes or jar live. */
    record GitInfo(String hash, Boolean dirty) {
        private static GitInfo cached;

        static synchronized GitInfo get() {
            if (cached == null) cached = lookUp(codeLocation());
            return cached;
        }

        static GitInfo lookUp(Path where) {
            Optional<String> head = git(where, "rev-parse", "HEAD").filter(h -> h.matches("[0-9a-f]{40,64}"));
            if (head.isEmpty()) return new GitInfo("unknown", null);
            Optional<String> status = git(where, "status", "--porcelain", "--untracked-files=no");
            return new GitInfo(head.get(), status.map(s -> !s.isEmpty()).orElse(null));
        }

        private static Path codeLocation() {
            try {
                Path p = Path.of(RunFolder.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                return Files.isDirectory(p) ? p : p.getParent();
            } catch (Exception e) { // no code source (unusual class loaders): fall back to the working directory
                return Path.of("").toAbsolutePath();
            }
        }

        private static Optional<String> git(Path where, String... args) {
            String[] cmd = new String[args.length + 3];
            cmd[0] = "git";
            cmd[1] = "-C";
            cmd[2] = where.toString();
            System.arraycopy(args, 0, cmd, 3, args.length);
            try {
                Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return Optional.empty();
                }
                return p.exitValue() == 0 ? Optional.of(new String(out, StandardCharsets.UTF_8).trim()) : Optional.empty();
            } catch (IOException e) { // git not installed
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }
}
