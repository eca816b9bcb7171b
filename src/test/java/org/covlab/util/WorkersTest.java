package org.covlab.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkersTest {

    @Test
    void everyIndexRunsExactlyOnceOnTheNamedWorkers() {
        for (int threads : new int[] {1, 2, 3, 8}) {
            int n = 1000;
            AtomicIntegerArray runs = new AtomicIntegerArray(n);
            Set<String> names = ConcurrentHashMap.newKeySet();
            Workers.parallelFor(n, threads, "covlab-test", i -> {
                runs.incrementAndGet(i);
                names.add(Thread.currentThread().getName());
            });
            for (int i = 0; i < n; i++) assertThat(runs.get(i)).as("index %d with %d threads", i, threads).isEqualTo(1);
            if (threads > 1) assertThat(names).containsOnly("covlab-test");
        }
    }

    @Test
    void fewerJobsThanThreadsAndNoJobs() {
        AtomicIntegerArray runs = new AtomicIntegerArray(2);
        Workers.parallelFor(2, 8, "covlab-test", runs::incrementAndGet);
        assertThat(runs.get(0)).isEqualTo(1);
        assertThat(runs.get(1)).isEqualTo(1);
        AtomicInteger none = new AtomicInteger();
        Workers.parallelFor(0, 4, "covlab-test", i -> none.incrementAndGet());
        assertThat(none.get()).isZero();
    }

    @Test
    void aJobsExceptionPropagatesAndStopsTheRest() {
        for (int threads : new int[] {1, 2, 4}) {
            AtomicInteger started = new AtomicInteger();
            int n = 1_000_000;
            assertThatThrownBy(() -> Workers.parallelFor(n, threads, "covlab-test", i -> {
                started.incrementAndGet();
                if (i == 10) throw new IllegalArgumentException("job " + i);
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("job 10");
            // Each worker may have taken one more index before it saw the failure; none ran on to the end.
            assertThat(started.get()).as("jobs started with %d threads", threads).isLessThan(n);
        }
    }

    @Test
    void rejectsNoThreads() {
        assertThatThrownBy(() -> Workers.parallelFor(3, 0, "covlab-test", i -> {}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads");
    }
}
