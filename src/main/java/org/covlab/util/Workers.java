package org.covlab.util;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Independent jobs 0..n-1 on a few worker threads (Best-of-N's prompts, an experiment's cells). Each worker takes the
 * next index until none is left, so indices start in increasing order and a slow job does not hold up the others.
 * The numeric kernels have their own pool ({@code org.covlab.tensor.Parallel}).
 */
public final class Workers {
    private Workers() {}

    /**
     * Runs body(0..n-1) on {@code min(threads, n)} daemon threads named {@code name} (on the calling thread when that
     * is one); each index runs once. A job's exception is rethrown here (anything but a RuntimeException wrapped in an
     * {@link IllegalStateException}), and no job starts after it.
     */
    public static void parallelFor(int n, int threads, String name, IntConsumer body) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        int workers = Math.min(threads, n);
        if (workers <= 1) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                futures.add(pool.submit(() -> {
                    try {
                        for (int i = next.getAndIncrement(); i < n && !failed.get(); i = next.getAndIncrement()) body.accept(i);
                    } catch (RuntimeException | Error e) {
                        failed.set(true);
                        throw e;
                    }
                }));
            }
            for (Future<?> f : futures) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
