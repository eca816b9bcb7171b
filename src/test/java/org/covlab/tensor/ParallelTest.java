package org.covlab.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The fixed pool: every task runs exactly once, failures reach the caller, nested calls do not deadlock. */
class ParallelTest {

    @Test void everyTaskRunsExactlyOnceAcrossManyCalls() {
        try (Parallel pool = new Parallel(3)) {
            for (int round = 0; round < 500; round++) {
                int n = 1 + round % 37;
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                pool.forEach(n, (t, w) -> {
                    assertThat(w).isBetween(0, 2);
                    hits.incrementAndGet(t);
                });
                for (int i = 0; i < n; i++) assertThat(hits.get(i)).isEqualTo(1);
            }
            int[] covered = new int[1000];
            pool.forRange(1000, 10, (lo, hi) -> { for (int i = lo; i < hi; i++) covered[i]++; });
            assertThat(covered).containsOnly(1);
        }
    }

    @Test void aFailingTaskFailsTheCallAndThePoolKeepsWorking() {
        try (Parallel pool = new Parallel(2)) {
            assertThatThrownBy(() -> pool.forEach(8, (t, w) -> { if (t == 5) throw new IllegalStateException("task 5"); }))
                    .isInstanceOf(IllegalStateException.class).hasMessage("task 5");
            AtomicIntegerArray hits = new AtomicIntegerArray(4);
            pool.forEach(4, (t, w) -> hits.incrementAndGet(t));
            assertThat(hits.get(3)).isEqualTo(1);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test void nestedCallsRunSeriallyInsideATask() {
        try (Parallel pool = new Parallel(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(16);
            pool.forEach(4, (t, w) -> {
                pool.forEach(4, (u, w2) -> hits.incrementAndGet(t * 4 + u));
                sleep();                                        // keeps the caller busy so a worker takes tasks too
            });
            for (int i = 0; i < 16; i++) assertThat(hits.get(i)).isEqualTo(1);
            // Another pool called from this pool's worker numbers its own workers: the serial pool has only 0.
            pool.forEach(4, (t, w) -> {
                Parallel.SERIAL.forEach(2, (u, w2) -> assertThat(w2).isZero());
                sleep();
            });
        }
    }
}
