package org.covlab.tensor;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmark of the three GEMM forms on one core and on two. GFLOP/s = 2 n³ / (time per op).
 * A test-source class (JMH is a test dependency, not in covlab.jar). Run:
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-cp.txt
 * java --add-modules jdk.incubator.vector -cp target/test-classes:target/classes:$(cat target/test-cp.txt) \
 *     org.openjdk.jmh.Main GemmJmh
 * </pre>
 * (offline, the classpath is target/test-classes, target/classes and ~/.m2's jmh-core 1.37, jopt-simple 5.0.4 and
 * commons-math3 3.6.1 jars; add {@code -f 0 -wi 0 -i 1} for a smoke run).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class GemmJmh {

    @Param({"256"})
    public int n;

    @Param({"1", "2"})
    public int threads;

    private Parallel pool;
    private float[] a, b, c;

    @Setup public void setup() {
        pool = new Parallel(threads);
        SplittableRandom rng = new SplittableRandom(1);
        a = new float[n * n];
        b = new float[n * n];
        c = new float[n * n];
        for (int i = 0; i < a.length; i++) { a[i] = (float) rng.nextGaussian(); b[i] = (float) rng.nextGaussian(); }
    }

    @TearDown public void tearDown() {
        pool.close();
    }

    @Benchmark public float[] abT() {
        Gemm.mulTransB(pool, c, a, b, n, n, n, false);
        return c;
    }

    @Benchmark public float[] ab() {
        Gemm.mul(pool, c, a, b, n, n, n, false);
        return c;
    }

    @Benchmark public float[] aTb() {
        Gemm.mulTransA(pool, c, a, b, n, n, n, false);
        return c;
    }
}
