package org.covlab.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A small fixed pool of threads for the numeric kernels: {@link #forEach} runs tasks 0..n-1 on the calling
 * thread plus {@code threads - 1} workers that live as long as the pool. No thread is created per call, and a
 * call allocates nothing, so kernels can use it in the training loop.
 *
 * <p>Tasks are handed out one at a time from a shared counter, so a busy core (the machine is shared) does
 * not hold up the others. A call made from inside a task runs serially on that thread.
 */
public final class Parallel implements AutoCloseable {

    /** One task of a parallel loop; {@code worker} is in [0, threads) and indexes per-thread scratch space. */
    @FunctionalInterface
    public interface Body {
        void run(int task, int worker);
    }

    /** A contiguous chunk [lo, hi) of a parallel loop. */
    @FunctionalInterface
    public interface Range {
        void run(int lo, int hi);
    }

    /** Spins this many times before parking: a kernel call is often only microseconds away. */
    private static final int SPINS = 4_000;

    /** A single-threaded pool: everything runs on the caller. */
    public static final Parallel SERIAL = new Parallel(1);

    private final int threads;
    private final Thread[] workers;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private volatile Body body;
    private volatile int tasks;
    private volatile long generation;
    private volatile boolean closed;
    private volatile Throwable failure;
    private Thread caller;

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int w = 1; w < threads; w++) {
            int id = w;
            Thread t = new Worker(() -> workerLoop(id), "covlab-kernel-" + w, id, this);
            t.setDaemon(true);
            workers[w - 1] = t;
            t.start();
        }
    }

    /** The number of threads, the caller included. */
    public int threads() {
        return threads;
    }

    /** Runs {@code body.run(task, worker)} for task = 0..tasks-1 and returns when all are done. */
    public void forEach(int tasks, Body body) {
        // Serial when there is nothing to share, or when called from inside a task (a worker, or the caller
        // while it holds the pool): waiting on the pool from there would wait on itself.
        Thread self = Thread.currentThread();
        if (threads == 1 || tasks <= 1 || self instanceof Worker || Thread.holdsLock(this)) {
            int worker = self instanceof Worker w && w.pool == this ? w.id : 0;
            for (int i = 0; i < tasks; i++) body.run(i, worker);
            return;
        }
        dispatch(tasks, body);
    }

    private synchronized void dispatch(int tasks, Body body) {
        if (closed) throw new IllegalStateException("pool is closed");
        caller = Thread.currentThread();
        try {
            this.body = body;
            this.tasks = tasks;
            failure = null;
            next.set(0);
            running.set(workers.length);
            generation++;                       // publishes body and tasks to the workers
            for (Thread t : workers) LockSupport.unpark(t);
            work(0);
            for (int spin = 0; running.get() != 0; spin++) {
                if (spin < SPINS) Thread.onSpinWait(); else LockSupport.park(this);
            }
            Throwable f = failure;
            if (f instanceof RuntimeException r) throw r;
            if (f instanceof Error e) throw e;
            if (f != null) throw new RuntimeException(f);
        } finally {
            this.body = null;
        }
    }

    /**
     * Runs {@code body} over [0, n) split into about two chunks per thread, each at least {@code minChunk} long.
     * Kernels whose elements are independent give the same bits for any thread count.
     */
    public void forRange(int n, int minChunk, Range body) {
        int chunks = Math.min(2 * threads, n / Math.max(1, minChunk));
        if (threads == 1 || chunks <= 1) {
            if (n > 0) body.run(0, n);
            return;
        }
        int size = (n + chunks - 1) / chunks;
        forEach((n + size - 1) / size, (t, w) -> body.run(t * size, Math.min(n, (t + 1) * size)));
    }

    private void work(int worker) {
        Body b = body;
        int n = tasks;
        for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
            try {
                b.run(i, worker);
            } catch (Throwable t) {
                if (failure == null) failure = t;
                next.set(n);                    // stop handing out tasks
            }
        }
    }

    private void workerLoop(int id) {
        long seen = 0;
        while (true) {
            for (int spin = 0; generation == seen && !closed; spin++) {
                if (spin < SPINS) Thread.onSpinWait(); else LockSupport.park(this);
            }
            if (closed) return;
            seen = generation;
            work(id);
            if (running.decrementAndGet() == 0) LockSupport.unpark(caller);
        }
    }

    @Override public void close() {
        closed = true;
        for (Thread t : workers) LockSupport.unpark(t);
    }

    /** Workers are recognisable so that a nested call runs serially instead of waiting on itself. */
    private static final class Worker extends Thread {
        final int id;
        final Parallel pool;

        Worker(Runnable r, String name, int id, Parallel pool) {
            super(r, name);
            this.id = id;
            this.pool = pool;
        }
    }
}
