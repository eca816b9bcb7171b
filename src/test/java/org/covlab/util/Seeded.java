package org.covlab.util;

import java.lang.reflect.Method;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * Property tests in plain JUnit 5. A property is a {@code @ParameterizedTest @MethodSource} over
 * {@link #seeds(int)} whose first parameter is {@code long seed}; it draws its case from
 * {@code new SplittableRandom(seed)}. Its class is {@code @ExtendWith(Seeded.class)}, so that a failure names
 * the seed; {@code mvn test -Dtest=SomeTest -Dseed=S} then runs that one case of each property.
 */
public final class Seeded implements InvocationInterceptor {

    /** The seeds 0 .. count-1, or only the seed given by {@code -Dseed}. */
    public static LongStream seeds(int count) {
        Long only = Long.getLong("seed");
        return only != null ? LongStream.of(only) : LongStream.range(0, count);
    }

    /** An int in [lo, hi]; each end with probability 1/8, since bugs live at the ends. */
    public static int intIn(SplittableRandom rng, int lo, int hi) {
        int u = rng.nextInt(8);
        return u == 0 ? lo : u == 1 ? hi : rng.nextInt(lo, hi + 1);
    }

    /** A double in [lo, hi]; each end with probability 1/8. */
    public static double doubleIn(SplittableRandom rng, double lo, double hi) {
        int u = rng.nextInt(8);
        return u == 0 ? lo : u == 1 ? hi : rng.nextDouble(lo, hi);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                            ExtensionContext context) throws Throwable {
        try {
            invocation.proceed();
        } catch (Throwable t) {
            Object seed = call.getArguments().get(0);
            String what = t instanceof AssertionError ? t.getMessage() : t.toString();
            throw new AssertionError(context.getRequiredTestMethod().getName() + " fails at seed " + seed
                    + " (rerun it alone with -Dseed=" + seed + "): " + what, t);
        }
    }
}
