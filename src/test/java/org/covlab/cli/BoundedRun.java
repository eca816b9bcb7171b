package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * {@link CliRun} with a time limit and the bytes its thread allocated (com.sun.management.ThreadMXBean): what the
 * hostile-input tests use to show that a refusal comes before the allocation, not after.
 *
 * @param run     exit code, stdout and stderr
 * @param bytes   bytes allocated by the thread that ran the command
 * @param seconds wall-clock time
 */
record BoundedRun(CliRun run, long bytes, double seconds) {

    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Runs covlab in-process; fails the test when it takes longer than {@code limit}. */
    static BoundedRun of(Duration limit, String... args) {
        return assertTimeoutPreemptively(limit, () -> {
            long id = Thread.currentThread().getId(), before = THREADS.getThreadAllocatedBytes(id), t0 = System.nanoTime();
            CliRun r = CliRun.of(args);
            return new BoundedRun(r, THREADS.getThreadAllocatedBytes(id) - before, (System.nanoTime() - t0) / 1e9);
        }, () -> "covlab " + String.join(" ", args) + " ran past " + limit.toSeconds() + " s");
    }

    /** Asserts exit code 2 with one line on stderr, nothing on stdout and no Java exception text; returns the line. */
    String refusal() {
        assertThat(run.exit()).as(run.err()).isEqualTo(2);
        assertThat(run.errLines()).as(run.err()).hasSize(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).doesNotContain("Exception", "java.", "Error:").startsWith("covlab: ");
        return run.err().strip();
    }

    /** Asserts the thread allocated at most {@code limit} bytes. */
    BoundedRun allocatedAtMost(long limit) {
        assertThat(bytes).as("allocated %,d bytes (limit %,d)", bytes, limit).isLessThanOrEqualTo(limit);
        return this;
    }
}
