package org.covlab.util;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Work sized by user input is weighed against the Java heap before anything is allocated: a request that cannot fit
 * is refused with one line naming the sizes, what they need and the limit ({@link InputException}, exit code 2),
 * instead of running for seconds or minutes into an out-of-memory error. Estimates are in double (no overflow).
 */
public final class Heap {
    private Heap() {}

    /** The limit: the Java heap's maximum size (-Xmx; the launcher's default is 6 GiB). */
    public static long limit() {
        return Runtime.getRuntime().maxMemory();
    }

    /**
     * Passes when {@code bytes} fit in the heap; else "WHAT needs X, more than the Java heap (Y); ADVICE", with a
     * larger -Xmx suggested when the machine has the memory for it.
     */
    public static void require(String what, double bytes, String advice) {
        if (bytes <= limit()) return;
        long machine = machineMemory();
        String more = bytes * 1.25 < machine
                ? ", or give Java more heap with COVLAB_JAVA_OPTS=-Xmx" + (long) Math.ceil(bytes * 1.25 / (1L << 30)) + "g"
                : " (this machine has " + size(machine) + " of memory)";
        throw new InputException(what + " needs " + size(bytes) + ", more than the Java heap (" + size(limit()) + "); " + advice + more);
    }

    /** The machine's physical memory, or the heap's limit where the JVM does not say. */
    static long machineMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) return os.getTotalMemorySize();
        return limit();
    }

    /** "512 MiB", "6.0 GiB", "3.2e+05 GiB". */
    public static String size(double bytes) {
        if (bytes < 1L << 30) return String.format(Locale.ROOT, "%.0f MiB", Math.ceil(bytes / (1 << 20)));
        double gib = bytes / (1L << 30);
        return gib < 1e4 ? String.format(Locale.ROOT, "%.1f GiB", gib) : String.format(Locale.ROOT, "%.1e GiB", gib);
    }
}
