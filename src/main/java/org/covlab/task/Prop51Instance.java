package org.covlab.task;

import java.util.ArrayList;
import java.util.List;
import org.covlab.model.MarkovFeatureMap;
import org.covlab.model.ParameterSet;

/**
 * Prop. 5.1 lower bound for constant-step sequence SGD (Eq. 14), reconstructed. The paper states: for
 * B >= c log(TH) there is a class and a pi_D with sigma* <= 1 on which, for any constant step size, w.p. >= 0.5 and
 * for all t <= T, Cov_N(pi_{theta^t}) >= c min{H/(T log N), 1}; the mechanism is heterogeneous prompts (some with
 * gradients of size ∝ H, forcing eta ≲ 1/(HB) or the iterates oscillate; others with tiny gradients, needing
 * Omega(H) steps), with 2-D theta, V = {-1, 0, 1} and prompts x in [8/(HB), ∞) ⊔ {-, +}. The appendix was not
 * available; this is our construction with those ingredients.
 *
 * <p>Construction. theta in the unit disc, theta* = (0, 1), tokens 0, 1, 2 for values v = -1, 0, 1.
 * <ul>
 *   <li>Prompts "+" and "-" (mass (1 - scaleMass)/2 each): phi(±, y_{1:h}) = B v(y_h) (±e_1 + e_2)/sqrt 2. pi_D
 *       repeats v = +1 with margin B/sqrt 2 (B >= sqrt2 log(4 H B^2) keeps their sigma*^2 below 1/2). Far from
 *       theta* their gradients have size ≈ H B and point in opposite e_1 directions: a step with eta H B ≳ 30
 *       jumps to the boundary point (±1/sqrt2, 1/sqrt2) where the other prompt's margin is 0 (uniform tokens,
 *       log-ratio ≈ H log 3), and stays in that 2-cycle: Cov_N = 1/2 for good (measured at H = 8, 32, 128 with
 *       scaleMass = 0: eta = 0.3, 0.1, 0.03 lock in; eta = 0.1, 0.03, 0.01 converge). So a constant step must
 *       shrink like 1/(HB). Near theta* the gradient is ≈ 2 H B e^{-m} at margin m, so with eta ≈ 1/(H B^2) the
 *       margin grows only like log t and "+"/"-" are covered after ≈ H/log N steps — the H/T term. Normalized
 *       SGD's steps keep length ≈ eta whatever the gradient size and avoid both.
 *   <li>Scale prompts x = 1, 1/2, 1/4, ... >= 8/(HB) (mass scaleMass, default 0.2, split evenly):
 *       phi(x, y_{1:h}) = x B v(y_h) e_2, so gradients and margins shrink with x: the heterogeneous small-gradient
 *       prompts (x ≈ 1/2 .. 1/4 are the slowest to cover). Their high-entropy tokens add ≈ scaleMass H/5 to sigma*^2,
 *       so sigma* <= 1 holds only for scaleMass = 0 (the bare "+"/"-" construction).
 * </ul>
 */
public final class Prop51Instance {
    private Prop51Instance() {}

    /** The default B: the smallest that keeps the "+"/"-" part of sigma*^2 ≈ H B^2 e^{-B/sqrt2} below 1/2. */
    public static double defaultB(int H) {
        double B = 4;
        while (H * B * B * Math.exp(-B / Math.sqrt(2)) > 0.5) B += 0.5;
        return B;
    }

    public static LinearInstance build(int H, double B, double scaleMass) {
        if (!(scaleMass >= 0 && scaleMass < 1)) throw new IllegalArgumentException("scaleMass must be in [0, 1)");
        List<Double> xs = new ArrayList<>();
        for (double x = 1; xs.isEmpty() || x >= 8 / (H * B); x /= 2) xs.add(x);
        double[] scale = xs.stream().mapToDouble(Double::doubleValue).toArray();
        double s = B / Math.sqrt(2);
        MarkovFeatureMap phi = MarkovFeatureMap.of(2, 3, B, (x, h, prev, c, out) -> {
            int v = c - 1;
            switch (x[0]) {
                case 0 -> { out[0] = s * v; out[1] = s * v; }
                case 1 -> { out[0] = -s * v; out[1] = s * v; }
                default -> out[1] = scale[x[0] - 2] * B * v;
            }
        });
        List<String> groups = new ArrayList<>(List.of("+", "-"));
        int promptCount = scaleMass > 0 ? 2 + scale.length : 2;
        double[] mass = new double[promptCount];
        mass[0] = mass[1] = (1 - scaleMass) / 2;
        for (int k = 2; k < promptCount; k++) {
            groups.add("x=" + scale[k - 2]);
            mass[k] = scaleMass / scale.length;
        }
        return LinearInstances.build("prop5.1", H, phi, ParameterSet.UNIT_BALL, new double[] {0, 1}, groups, mass,
                Verifier.ANY, LinearInstances.params("B", B, "scaleMass", scaleMass));
    }
}
