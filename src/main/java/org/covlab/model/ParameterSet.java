package org.covlab.model;

import java.util.List;
import java.util.Optional;

/**
 * The parameter set Theta of the linear class (Assumption 2.2: convex, inside the unit ball) with its Euclidean
 * projection Proj_Theta, used by every projected update (Eqs. 14, 18, 21-23, 26).
 *
 * <ul>
 *   <li>{@link Ball}: {theta : ||theta|| <= r}; {@link #UNIT_BALL} is the paper's default, Proj = theta / max(1, ||theta||).
 *   <li>{@link Box}: {theta : ||theta||_inf <= r}, the class of Prop. 4.1(a).
 *   <li>{@link Finite}: a finite class (Prop. 4.1(b), |Pi| = 2^d + 1). Only MLE runs on it (argmax over the
 *       members); it has no projection, so the gradient methods refuse it.
 * </ul>
 */
public sealed interface ParameterSet permits ParameterSet.Ball, ParameterSet.Box, ParameterSet.Finite {

    ParameterSet UNIT_BALL = new Ball(1.0);

    /** Proj_Theta(theta), in place. */
    void project(double[] theta);

    /** Whether theta lies in Theta, up to {@code tol}. */
    boolean contains(double[] theta, double tol);

    /** The members when Theta is finite. */
    default Optional<List<double[]>> members() { return Optional.empty(); }

    static double norm(double[] v) {
        double s = 0;
        for (double x : v) s += x * x;
        return Math.sqrt(s);
    }

    /** The Euclidean ball of radius r: Proj(theta) = theta * min(1, r / ||theta||). */
    record Ball(double radius) implements ParameterSet {
        public Ball {
            if (!(radius > 0)) throw new IllegalArgumentException("radius must be > 0, got " + radius);
        }
        /** Points within a relative 1e-12 of the sphere count as inside, so projecting twice changes nothing. */
        @Override public void project(double[] theta) {
            double n = norm(theta);
            if (n > radius * (1 + 1e-12)) for (int i = 0; i < theta.length; i++) theta[i] *= radius / n;
        }
        @Override public boolean contains(double[] theta, double tol) { return norm(theta) <= radius + tol; }
    }

    /** The l_inf ball of radius r: Proj clips each coordinate to [-r, r]. */
    record Box(double radius) implements ParameterSet {
        public Box {
            if (!(radius > 0)) throw new IllegalArgumentException("radius must be > 0, got " + radius);
        }
        @Override public void project(double[] theta) {
            for (int i = 0; i < theta.length; i++) theta[i] = Math.max(-radius, Math.min(radius, theta[i]));
        }
        @Override public boolean contains(double[] theta, double tol) {
            for (double x : theta) if (Math.abs(x) > radius + tol) return false;
            return true;
        }
    }

    /** A finite class {theta_1, ..., theta_m}. */
    record Finite(List<double[]> points) implements ParameterSet {
        public Finite {
            if (points.isEmpty()) throw new IllegalArgumentException("a finite class needs at least one member");
            points = points.stream().map(double[]::clone).toList();
        }
        @Override public List<double[]> points() { return points.stream().map(double[]::clone).toList(); }
        @Override public Optional<List<double[]>> members() { return Optional.of(points()); }
        @Override public void project(double[] theta) {
            throw new UnsupportedOperationException("Theta is a finite class: only MLE (argmax over its members) applies");
        }
        @Override public boolean contains(double[] theta, double tol) {
            for (double[] m : points) {
                double d = 0;
                for (int i = 0; i < m.length; i++) d = Math.max(d, Math.abs(m[i] - theta[i]));
                if (d <= tol) return true;
            }
            return false;
        }
    }
}
