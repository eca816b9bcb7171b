package org.covlab.util;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * One master seed, split into named streams ("data", "init", "sampling", "bootstrap", ...).
 * The same master seed and stream name always give the same generator, so runs are bit-identical.
 */
public record Seeds(long master) {

    /** A fresh generator for the named stream. */
    public SplittableRandom stream(String name) {
        return new SplittableRandom(mix(master, name));
    }

    /** A fresh generator for the named stream and an index (a seed, a cell of a grid, a worker). */
    public SplittableRandom stream(String name, long index) {
        return new SplittableRandom(mix(mix(master, name) ^ (index * 0x9E3779B97F4A7C15L), name));
    }

    /** Child seeds for a sub-experiment, e.g. {@code seeds.child("H=16")}. */
    public Seeds child(String name) {
        return new Seeds(mix(master, name));
    }

    private static long mix(long seed, String name) {
        long h = seed ^ 0xCBF29CE484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ b) * 0x100000001B3L;
        }
        // SplitMix64 finaliser: spreads nearby seeds apart.
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }
}
