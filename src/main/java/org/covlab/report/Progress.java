package org.covlab.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of long work on stderr (results go to stdout and files, design.md).
 *
 * <pre>{@code
 * try (Progress p = Progress.start("fig2-horizon H=16 seed=3", steps)) {
 *     for (int t = 0; t < steps; t++) {
 *         ...
 *         p.extra(String.format("loss %.3f  %.0f tok/s", loss, tps)).step(); // extra first: a line may print at step
 *     }
 * }
 * }</pre>
 *
 * <p>On a terminal it is a live bar with ETA (me.tongfei.progressbar). Anywhere else (CI, pipes, log files) it
 * prints a plain line at most every {@link #PLAIN_INTERVAL_SECONDS} seconds and one when done, and never a
 * carriage return. {@code COVLAB_PROGRESS=bar|plain|none} overrides the choice; {@code none} prints nothing.
 * All methods may be called from several threads.
 */
public final class Progress implements AutoCloseable {

    /** Seconds between plain progress lines: often enough to see a run is alive, rare enough for logs. */
    public static final int PLAIN_INTERVAL_SECONDS = 10;

    enum Mode { BAR, PLAIN, NONE }

    private final String task;
    private final long total; // <= 0: unknown
    private final ProgressBar bar; // BAR mode only
    private final PrintStream out; // PLAIN mode only
    private final LongSupplier clock;
    private final long intervalNanos;
    private final long t0;
    private final long resumedAt; // the count at t0: a resumed run's ETA counts only the steps since
    private long current;
    private long lastPrint;
    private String extra = "";
    private boolean closed;

    private Progress(String task, long total, long resumedAt, Mode mode, PrintStream out, LongSupplier clock, long intervalNanos) {
        this.task = task;
        this.total = total;
        this.resumedAt = resumedAt;
        this.current = resumedAt;
        this.out = mode == Mode.PLAIN ? out : null;
        this.clock = clock;
        this.intervalNanos = intervalNanos;
        this.t0 = clock.getAsLong();
        this.lastPrint = t0;
        this.bar = mode != Mode.BAR ? null : new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total > 0 ? total : -1)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .setUpdateIntervalMillis(250)
                .startsFrom(resumedAt, Duration.ZERO)
                .build();
    }

    /** Starts showing progress of {@code task} over {@code total} steps ({@code total <= 0} when unknown). */
    public static Progress start(String task, long total) {
        return start(task, total, 0);
    }

    /** As {@link #start(String, long)} for work resumed after {@code resumedAt} steps: the ETA comes from the rest. */
    public static Progress start(String task, long total, long resumedAt) {
        return new Progress(task, total, resumedAt, mode(System.getenv(), fd2()), System.err, System::nanoTime,
                PLAIN_INTERVAL_SECONDS * 1_000_000_000L);
    }

    /** Plain-line progress on {@code out} with a given clock, for tests. */
    static Progress plain(String task, long total, long resumedAt, PrintStream out, LongSupplier clock, long intervalNanos) {
        return new Progress(task, total, resumedAt, Mode.PLAIN, out, clock, intervalNanos);
    }

    public Progress step() {
        return stepBy(1);
    }

    public synchronized Progress stepBy(long n) {
        return stepTo(current + n);
    }

    public synchronized Progress stepTo(long n) {
        current = n;
        if (bar != null) bar.stepTo(n);
        maybePrint();
        return this;
    }

    /** Extra text after the counts, e.g. "loss 1.234  52k tok/s"; replaces the previous extra text. */
    public synchronized Progress extra(String text) {
        extra = text == null ? "" : text;
        if (bar != null) bar.setExtraMessage(extra);
        return this;
    }

    /**
     * Ends the bar, or prints the final plain line: "done", or "stopped at" when the work ended before its total
     * (an error follows), and nothing when it ended before its first step (a refused input: its error is the only
     * line). Idempotent.
     */
    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        if (bar != null) bar.close();
        if (out != null && (current > resumedAt || total <= 0)) out.println(line(total <= 0 || current >= total));
    }

    private void maybePrint() {
        if (out == null || total > 0 && current >= total) return; // the last step is left to the final line
        long now = clock.getAsLong();
        if (now - lastPrint >= intervalNanos) {
            lastPrint = now;
            out.println(line(false));
        }
    }

    /** "[task] 400/1000 (40%)  elapsed 0:12  ETA 0:18  loss 1.234" or "[task] done 1000/1000 in 0:30  ...". */
    private String line(boolean done) {
        double elapsed = (clock.getAsLong() - t0) / 1e9;
        StringBuilder sb = new StringBuilder("[").append(task).append("] ");
        boolean stopped = closed && !done;
        if (done) sb.append("done ");
        if (stopped) sb.append("stopped at ");
        sb.append(current);
        if (total > 0) sb.append('/').append(total).append(String.format(Locale.ROOT, " (%.0f%%)", 100.0 * current / total));
        sb.append(done ? " in " : stopped ? " after " : "  elapsed ").append(clockTime(elapsed));
        if (!done && !stopped && total > 0 && current > resumedAt && current < total) {
            sb.append("  ETA ").append(clockTime(elapsed * (total - current) / (current - resumedAt)));
        }
        if (!extra.isEmpty()) sb.append("  ").append(extra);
        return sb.toString();
    }

    /** "0:07", "12:34", "1:02:03". */
    static String clockTime(double seconds) {
        long s = Math.round(seconds);
        return s < 3600 ? String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    /** Where this process's stderr points (Linux), e.g. "/dev/pts/3" or "pipe:[123]". */
    private static Optional<String> fd2() {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** The bar only on an interactive terminal; {@code COVLAB_PROGRESS} overrides; CI and dumb terminals get lines. */
    static Mode mode(Map<String, String> env, Optional<String> stderrTarget) {
        String forced = env.getOrDefault("COVLAB_PROGRESS", "").toLowerCase(Locale.ROOT);
        switch (forced) {
            case "bar": return Mode.BAR;
            case "plain": return Mode.PLAIN;
            case "none": return Mode.NONE;
            default: break;
        }
        if (!env.getOrDefault("CI", "").isEmpty()) return Mode.PLAIN;
        String term = env.getOrDefault("TERM", "");
        if (term.isEmpty() || term.equals("dumb")) return Mode.PLAIN;
        if (stderrTarget.isPresent()) {
            String t = stderrTarget.get();
            return t.startsWith("/dev/pts/") || t.startsWith("/dev/tty") ? Mode.BAR : Mode.PLAIN;
        }
        return System.console() != null ? Mode.BAR : Mode.PLAIN; // no /proc: stdin and stdout are a terminal
    }
}
