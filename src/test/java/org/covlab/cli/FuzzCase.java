package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One generated input run in-process against a reader, the way the CLI ends a command: the reader's result, or what
 * it threw turned into an exit code and a stderr line by {@link Main#report} (the function {@code covlab} itself
 * uses). Time is bounded ({@link #LIMIT}) and the bytes its thread allocated are measured.
 *
 * @param seed   the case's seed, in every failure message
 * @param what   the input, described, for failure messages
 * @param exit   0 when the reader returned, else Main.report's code
 * @param err    Main.report's output ("" on success)
 * @param result the reader's result (null on failure)
 * @param bytes  bytes allocated by the thread that ran it
 */
record FuzzCase(long seed, String what, int exit, String err, Object result, long bytes) {

    /** No case may run longer: the readers' work is linear in small inputs. */
    static final Duration LIMIT = Duration.ofSeconds(10);

    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** What a generator expects of an input. */
    enum Expect { ACCEPT, REFUSE, EITHER }

    /** Cases run one at a time on this worker (a thread per case would cost more than most cases). */
    private static ExecutorService worker = newWorker();

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "covlab-fuzz");
            t.setDaemon(true);
            return t;
        });
    }

    static synchronized FuzzCase run(long seed, String what, Callable<?> reader) {
        Future<FuzzCase> f = worker.submit(() -> {
            long id = Thread.currentThread().getId(), before = THREADS.getThreadAllocatedBytes(id);
            Object result = null;
            int exit = 0;
            StringWriter err = new StringWriter();
            try {
                result = reader.call();
            } catch (Throwable t) {
                exit = Main.report(t, new PrintWriter(err));
            }
            return new FuzzCase(seed, what, exit, err.toString(), result, THREADS.getThreadAllocatedBytes(id) - before);
        });
        try {
            return f.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            worker = newWorker();     // the stuck thread is left behind; later cases get a fresh one
            throw new AssertionError("seed " + seed + ": " + what + ": ran past " + LIMIT.toSeconds() + " s");
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError("seed " + seed + ": " + what, e);
        }
    }

    /** Accepted and refused inputs per reader: a generator that only ever makes one kind would test little. */
    private static final Map<String, int[]> OUTCOMES = new ConcurrentHashMap<>();

    /** Counts this case's outcome for {@code reader}. */
    FuzzCase count(String reader) {
        OUTCOMES.computeIfAbsent(reader, k -> new int[2])[accepted() ? 0 : 1]++;
        return this;
    }

    /** Both outcomes are common (over 5%) among a reader's inputs; prints the counts (docs/reliability.md quotes them). */
    static void requireBothOutcomes(String reader, int cases) {
        int[] n = OUTCOMES.getOrDefault(reader, new int[2]);
        System.out.printf("fuzz %s: %d accepted, %d refused%n", reader, n[0], n[1]);
        if (n[0] + n[1] == cases) assertThat(Math.min(n[0], n[1])).as(reader + ": accepted and refused").isGreaterThan(cases / 20);
    }

    /**
     * Exit 0 or 2 as expected; a refusal is one line "covlab: ..." with no exception text; at most {@code maxBytes}
     * allocated. Returns this case for checks of the result.
     */
    FuzzCase check(Expect expect, long maxBytes) {
        String where = "seed " + seed + ": " + what + "\n" + err;
        assertThat(exit).as(where).isIn(0, 2);
        if (expect == Expect.ACCEPT) assertThat(exit).as("should be accepted: " + where).isEqualTo(0);
        if (expect == Expect.REFUSE) assertThat(exit).as("should be refused: " + where).isEqualTo(2);
        if (exit == 2) {
            assertThat(err.lines().count()).as(where).isEqualTo(1);
            assertThat(err).as(where).startsWith("covlab: ").doesNotContain("Exception", "\tat ", "Source: ")
                    .doesNotContainPattern("\\b(java|javax|com|org|sun|jdk)\\.[a-z]+\\.");   // no Java class names
        }
        assertThat(bytes).as("%s: allocated %,d bytes (limit %,d)", where, bytes, maxBytes).isLessThanOrEqualTo(maxBytes);
        return this;
    }

    boolean accepted() {
        return exit == 0;
    }
}
