package org.covlab.bon;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covlab.metric.CoverageBounds.RegretBound;
import org.covlab.metric.Estimate;

/**
 * A Best-of-N curve and coverage's predictions of it, one entry per N (ascending).
 *
 * <p>Regret is against pi_T ({@link TargetPolicy}): regret(N) = targetSuccess - success(N), where targetSuccess is the
 * share of prompts pi_D can answer correctly (1 for every task in covlab), so success = targetSuccess - regret.
 *
 * @param ns            the N, ascending
 * @param success       Best-of-N success rate over the prompts with its 95% Wilson interval
 * @param exact         E_x[1 - (1 - pi_hat(A_x|x))^N] over the same prompts, or null when pi_hat(A_x|x) is not exact
 * @param regretUpper   Prop. D.6: Cov_M(pi_T || pi_hat) + eps with its (M, eps); an entry is null where Cov_M > 1/2
 *                      for every admissible M (the proposition says nothing there)
 * @param regretLower   Prop. D.7: ½ Cov_2N(pi_T || pi_hat), the regret of its witness reward 1{pi_T/pi_hat >= 2N}
 * @param witnessRegret the exact regret of that witness reward (>= regretLower by Prop. D.7), or null when not exact
 * @param targetSuccess pi_T's success rate: the share of prompts whose pi_T exists
 * @param targetExact   whether pi_T was listed exactly at every prompt (else Monte Carlo, see {@link TargetPolicy})
 * @param prompts       P, the prompts drawn from mu
 * @param drawn         responses drawn from the model in total (at most P max(N); see {@link BestOfN#draw})
 * @param drawSeconds   wall-clock seconds spent drawing and verifying them, scoring pi_T at each prompt included
 */
public record BestOfNResult(int[] ns, Estimate[] success, double[] exact, RegretBound[] regretUpper, double[] regretLower,
                            double[] witnessRegret, double targetSuccess, boolean targetExact, int prompts, long drawn,
                            double drawSeconds) {

    public BestOfNResult {
        int k = ns.length;
        if (success.length != k || regretUpper.length != k || regretLower.length != k
                || (exact != null && exact.length != k) || (witnessRegret != null && witnessRegret.length != k))
            throw new IllegalArgumentException("one entry per N in every curve");
        ns = ns.clone();
        success = success.clone();
        exact = exact == null ? null : exact.clone();
        regretUpper = regretUpper.clone();
        regretLower = regretLower.clone();
        witnessRegret = witnessRegret == null ? null : witnessRegret.clone();
    }

    /** Draws per second of wall-clock time (both threads together). */
    public double drawsPerSecond() { return drawn / Math.max(drawSeconds, 1e-9); }

    /**
     * The object {@code covlab bon --json} prints, keys in this order: N, success, success_ci ([lo, hi] per N),
     * exact (a list, or null), regret_upper (null entries where Prop. D.6 does not apply) and regret_lower.
     */
    public Map<String, Object> json() {
        List<Integer> n = new ArrayList<>();
        List<Double> s = new ArrayList<>(), lower = new ArrayList<>(), upper = new ArrayList<>(), ex = new ArrayList<>();
        List<double[]> ci = new ArrayList<>();
        for (int i = 0; i < ns.length; i++) {
            n.add(ns[i]);
            s.add(success[i].value());
            ci.add(new double[] {success[i].lower(), success[i].upper()});
            upper.add(regretUpper[i] == null ? null : regretUpper[i].value());
            lower.add(regretLower[i]);
            if (exact != null) ex.add(exact[i]);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("N", n);
        out.put("success", s);
        out.put("success_ci", ci);
        out.put("exact", exact == null ? null : ex);
        out.put("regret_upper", upper);
        out.put("regret_lower", lower);
        return out;
    }

    @Override public int[] ns() { return ns.clone(); }

    @Override public Estimate[] success() { return success.clone(); }

    @Override public double[] exact() { return exact == null ? null : exact.clone(); }

    @Override public RegretBound[] regretUpper() { return regretUpper.clone(); }

    @Override public double[] regretLower() { return regretLower.clone(); }

    @Override public double[] witnessRegret() { return witnessRegret == null ? null : witnessRegret.clone(); }
}
