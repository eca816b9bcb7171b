package org.covlab.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp on float vectors. JDK 17 does not compile {@code lanewise(EXP)} or {@code TANH} to vector code on this
 * platform (about 40 ns per element), so this is the Cephes expf polynomial written with plain vector
 * arithmetic: exp(x) = 2^n exp(r), n = round(x / ln 2), |r| <= ln 2 / 2. Relative error about 2e-7.
 */
public final class VectorMath {
    private VectorMath() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    /** Inputs are clamped so that 2^n stays a normal float: exp(-87) = 1.6e-38, exp(88) = 1.7e38. */
    private static final float LO = -87f, HI = 88f;
    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split in two so that n * ln 2 is exact to float precision (Cody-Waite). */
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** Adding 1.5 * 2^23 rounds a float to an integer, which then sits in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = 0x4B400000;

    /** exp of each lane. */
    public static FloatVector exp(FloatVector x) {
        x = x.max(LO).min(HI);
        FloatVector t = x.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x).sub(n.mul(LN2_LO));
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);     // Horner steps as fused multiply-adds
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        FloatVector pow2 = t.reinterpretAsInts().sub(ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        return y.mul(pow2);
    }

    /** Scalar exp with the same clamp, for loop tails. */
    public static float exp(float x) {
        return (float) Math.exp(Math.max(LO, Math.min(HI, x)));
    }
}
