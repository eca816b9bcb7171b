package org.covlab.task;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.covlab.model.LinearSoftmaxModel;
import org.covlab.model.MarkovFeatureMap;
import org.covlab.model.ParameterSet;

/**
 * The paper's autoregressive linear instances (section 1.2 and the lower-bound constructions), each realizable
 * (pi_D = pi_{theta*}) with a Markov feature map, so exact KL, cross-entropy and sigma*^2 cost O(H |V|^2 d).
 * Look them up by name with {@link #byName}; {@link LinearInstance#params()} holds the resolved parameters.
 * Instances the paper states for one token (H = 1) take H as the number of i.i.d. tokens.
 *
 * <p>Two constructions are reconstructions (the appendix text was not available): Prop. 4.1(b) in
 * {@link #prop41b} and Prop. 5.1 in {@link Prop51Instance}; their Javadoc says what was rebuilt and why.
 */
public final class LinearInstances {
    private LinearInstances() {}

    /** Every instance name, in a fixed order. */
    public static final List<String> NAMES =
            List.of("bernoulli", "prop3.2", "prop4.1a", "prop4.1b", "prop5.1", "propI.1", "pivotal");

    /** The parameters each instance reads (all optional). */
    public static final Map<String, List<String>> PARAMETERS = Map.of(
            "bernoulli", List.of("p", "B"),
            "prop3.2", List.of("n", "B", "thetaStar"),
            "prop4.1a", List.of("n", "d", "B"),
            "prop4.1b", List.of("n", "d", "N"),
            "prop5.1", List.of("B", "scaleMass"),
            "propI.1", List.of("B", "seed"),
            "pivotal", List.of("V", "k", "B", "rule", "pivotScale"));

    /** The instance with its default parameters. */
    public static LinearInstance byName(String name, int H) { return byName(name, H, Map.of()); }

    /**
     * The named instance at horizon H. {@code params} overrides the defaults (keys as in
     * {@link LinearInstance#params()}); an unknown name or key throws IllegalArgumentException listing the valid ones.
     */
    public static LinearInstance byName(String name, int H, Map<String, Double> params) {
        String canonical = NAMES.stream().filter(n -> n.equalsIgnoreCase(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("unknown linear instance '" + name + "'; known: " + NAMES));
        for (String key : params.keySet()) {
            if (!PARAMETERS.get(canonical).contains(key))
                throw new IllegalArgumentException(canonical + " has no parameter '" + key + "'; known: " + PARAMETERS.get(canonical));
        }
        Params p = new Params(canonical, params);
        return switch (canonical.toLowerCase(Locale.ROOT)) {
            case "bernoulli" -> bernoulli(H, p.real("p", 0.05), p.real("B", 4));
            case "prop3.2" -> { int n = p.integer("n", 100); yield prop32(H, n, p.real("B", 1), p.real("thetaStar", 1)); }
            case "prop4.1a" -> {
                int n = p.integer("n", 100);
                yield prop41a(H, n, p.integer("d", 16), p.real("B", Math.log(5.0 * n)));
            }
            case "prop4.1b" -> prop41b(H, p.integer("n", 200), p.integer("d", 8), p.real("N", 16));
            case "prop5.1" -> Prop51Instance.build(H, p.real("B", Prop51Instance.defaultB(H)), p.real("scaleMass", 0.2));
            case "propi.1" -> propI1(H, p.real("B", 1), p.integer("seed", 0));
            case "pivotal" -> pivotal(H, p.integer("V", 4), p.integer("k", Math.min(4, H)), p.real("B", 10), p.real("rule", 0.8),
                    p.real("pivotScale", 0.1));
            default -> throw new AssertionError(canonical);
        };
    }

    /**
     * Bernoulli case study (section 2.1): pi_D = Ber(p*) for each of H i.i.d. tokens (H = 1 is the paper's), with
     * pi_theta(1) = sigmoid(B theta), phi(y_h) = B 1[y_h = 1], Theta = [-1, 1] (so Pi ∋ Ber(p) for
     * p in [sigmoid(-B), sigmoid(B)], a superset of the paper's (0, 1/2)). Shows: with n ≲ 1/p* the MLE often sees
     * no 1 and sits at the boundary, so its KL is of order p* B (unbounded as B grows) while Cov_N stays ≲ 1/n.
     * Verifier: the response contains the rare token 1.
     */
    public static LinearInstance bernoulli(int H, double p, double B) {
        if (!(p > 0 && p < 1)) throw new IllegalArgumentException("p must be in (0,1), got " + p);
        double logit = Math.log(p / (1 - p));
        if (Math.abs(logit) > B) throw new IllegalArgumentException("Ber(" + p + ") needs B >= |logit p| = " + Math.abs(logit));
        MarkovFeatureMap phi = MarkovFeatureMap.of(1, 2, B, (x, h, prev, c, out) -> { if (c == 1) out[0] = B; });
        Verifier containsOne = (x, y) -> { for (int t : y) if (t == 1) return true; return false; };
        return build("bernoulli", H, phi, ParameterSet.UNIT_BALL, new double[] {logit / B}, List.of("all"),
                new double[] {1}, containsOne, params("p", p, "B", B));
    }

    /**
     * Prop. 3.2 (App. G): every proper estimator has D_KL(pi_D || pi_hat) >= H/(4n) with probability >= 0.25.
     * X = {0, 1}, mu(1) = 1/(2n), V = {-1, 1} (tokens 0, 1), phi(0, .) = 0, phi(1, y_{1:h}) = B y_h, d = 1,
     * Theta = [-1, 1]. With probability >= 1/2 a sample of n never shows x = 1, so theta is unidentified there and KL
     * grows like H/n, while Cov_N <= mu(1) = 1/(2n) for every H. Larger B with theta* = 1 makes pi_D nearly
     * deterministic (the paper's variant with sigma*^2 ≲ H e^{-2B}/n).
     */
    public static LinearInstance prop32(int H, int n, double B, double thetaStar) {
        if (n < 1) throw new IllegalArgumentException("n must be >= 1, got " + n);
        MarkovFeatureMap phi = MarkovFeatureMap.of(1, 2, B, (x, h, prev, c, out) -> { if (x[0] == 1) out[0] = B * (2 * c - 1); });
        double rare = 1.0 / (2 * n);
        return build("prop3.2", H, phi, ParameterSet.UNIT_BALL, new double[] {thetaStar}, List.of("x=0", "x=1"),
                new double[] {1 - rare, rare}, Verifier.ANY, params("n", n, "B", B, "thetaStar", thetaStar));
    }

    /**
     * Prop. 4.1(a), the coarse term of Thm 4.1 is tight: a softmax over d classes (token 0 is the paper's class 1),
     * phi(y) = B e_y, Theta = {||theta||_inf <= 1}, pi_D(0) = 4n/(d-1+4n) and each other class 1/(d-1+4n)
     * (theta*_0 = 1, theta*_y = 1 - log(4n)/B). Needs n >= d >= 2 and B >= log(5n). With n samples most rare classes
     * go unseen, the MLE pushes them to theta_y = -1, and Cov_N(pi_hat) >= c d/n for all N <= e^B.
     * H > 1 draws H i.i.d. classes.
     */
    public static LinearInstance prop41a(int H, int n, int d, double B) {
        if (!(n >= d && d >= 2)) throw new IllegalArgumentException("Prop. 4.1(a) needs n >= d >= 2");
        if (Math.log(4.0 * n) / B > 2) throw new IllegalArgumentException("B must be >= log(4n)/2 for theta* to fit the box");
        MarkovFeatureMap phi = MarkovFeatureMap.of(d, d, B, (x, h, prev, c, out) -> out[c] = B);
        double[] star = new double[d];
        star[0] = 1;
        for (int y = 1; y < d; y++) star[y] = 1 - Math.log(4.0 * n) / B;
        return build("prop4.1a", H, phi, new ParameterSet.Box(1), star, List.of("all"), new double[] {1},
                Verifier.ANY, params("n", n, "d", d, "B", B));
    }

    /**
     * Prop. 4.1(b), the fine term of Thm 4.1 is tight (reconstruction). Claim: for n >= 2d and N >= 2 a class with
     * |Pi| = 2^d + 1 and N_inf(Pi, alpha) <= 2 for alpha >= sqrt(d/n) has, w.p. >= 0.1, Cov_N(MLE) >= c d/(n log N).
     *
     * <p>Construction. X = [d] uniform; V = {a, b, r} (tokens 0, 1, 2); phi(i, a) = B e_{1+i}, phi(i, b) = -B e_{1+i},
     * phi(i, r) = B e_0 (d+1 dimensions). With delta = sqrt(d/n)/4 and q = d/(8 n log 2N):
     * pi_D = pi_0 puts mass q on r and splits the rest evenly between a and b; each hypercube member pi_sigma,
     * sigma in {±1}^d, puts mass q/(2N) on r and biases prompt i to a w.p. 1/2 + sigma_i delta. So the 2^d members
     * lie within ~4 delta = sqrt(d/n) of each other in sup-log distance (one ball), pi_0 is a second ball (cover of
     * size 2), and pi_0/pi_sigma = 2N on r. Why the MLE fails: the best sigma fits the a/b noise of ~n/d samples per
     * prompt and gains about 0.27 nats per prompt, ≈ 0.27 d in total, while it loses only ≈ n q (log 2N - 1) < d/8
     * on r; so it prefers some pi_sigma, whose Cov_N (any N <= 2N) is q = d/(8 n log 2N).
     * Theta is the finite set of the 2^d + 1 parameters (only MLE runs on it); B is the smallest value (>= 1) that
     * keeps every member in the unit ball. d <= 16.
     */
    public static LinearInstance prop41b(int H, int n, int d, double N) {
        if (!(d >= 1 && d <= 16 && n >= 2 * d)) throw new IllegalArgumentException("Prop. 4.1(b) needs 1 <= d <= 16 and n >= 2d");
        if (!(N >= 2)) throw new IllegalArgumentException("Prop. 4.1(b) needs N >= 2");
        double delta = Math.sqrt((double) d / n) / 4, q = d / (8.0 * n * Math.log(2 * N)), r = q / (2 * N);
        double bulk = 0.5 * Math.log((1 + 2 * delta) / (1 - 2 * delta)); // atanh(2 delta): the a-vs-b logit half-gap
        double rare0 = Math.log(2 * q / (1 - q)), rareSigma = Math.log(r * 2 * Math.cosh(bulk) / (1 - r));
        double B = Math.max(1, Math.max(Math.abs(rare0), Math.sqrt(rareSigma * rareSigma + d * bulk * bulk)));
        MarkovFeatureMap phi = MarkovFeatureMap.of(d + 1, 3, B, (x, h, prev, c, out) -> {
            if (c == 2) out[0] = B;
            else out[1 + x[0]] = c == 0 ? B : -B;
        });
        List<double[]> members = new ArrayList<>();
        double[] star = new double[d + 1];
        star[0] = rare0 / B;
        members.add(star);
        for (int mask = 0; mask < (1 << d); mask++) {
            double[] m = new double[d + 1];
            m[0] = rareSigma / B;
            for (int i = 0; i < d; i++) m[1 + i] = ((mask >> i & 1) == 1 ? bulk : -bulk) / B;
            members.add(m);
        }
        List<String> groups = new ArrayList<>();
        double[] mass = new double[d];
        for (int i = 0; i < d; i++) { groups.add("x=" + i); mass[i] = 1.0 / d; }
        return build("prop4.1b", H, phi, new ParameterSet.Finite(members), star, groups, mass, Verifier.ANY,
                params("n", n, "d", d, "N", N));
    }

    /**
     * Prop. I.1 (lower bound behind Thm 4.2): when sigma*^2 ≍ H B^2, Omega(H/(n log N)) coverage error is unavoidable.
     * One prompt "+", V = {-1, 1} (tokens 0, 1), d = H, phi(+, y_{1:h}) = B y_h e_h, theta*_h = s_h / sqrt(H) with
     * random signs s (from {@code seed}): every position is an independent, nearly fair coin with its own coordinate,
     * so sigma*^2 = B^2 Σ_h (1 - tanh^2(B/sqrt H)) ≈ H B^2 and n >= H samples are needed.
     */
    public static LinearInstance propI1(int H, double B, long seed) {
        MarkovFeatureMap phi = MarkovFeatureMap.of(H, 2, B, (x, h, prev, c, out) -> out[h] = B * (2 * c - 1));
        SplittableRandom signs = new SplittableRandom(seed);
        double[] star = new double[H];
        for (int h = 0; h < H; h++) star[h] = (signs.nextBoolean() ? 1 : -1) / Math.sqrt(H);
        return build("propI.1", H, phi, ParameterSet.UNIT_BALL, star, List.of("+"), new double[] {1}, Verifier.ANY,
                params("B", B, "seed", seed));
    }

    /**
     * Pivotal tokens: sigma*^2 much smaller than B^2 H (section 1.2 reads sigma*^2 as the number of "pivotal"
     * high-entropy tokens). V tokens; k pivot positions spread evenly over H (position 0 is one), where pi_D picks
     * freely among the V tokens (phi = B e_{1+y}, moderate entropy); at every other position pi_D follows the rule
     * y_h = y_{h-1} + 1 mod V with margin B * rule (phi = B e_0 on the rule token). d = V + 1, theta* = (rule,
     * pivotScale u) with u a unit contrast vector over V. sigma*^2 ≈ k B^2 (1 - Σ p^2) + (H - k) B^2 (V-1) e^{-B rule},
     * nearly flat in H, far below B^2 H. Verifier: every non-pivot token follows the rule.
     */
    public static LinearInstance pivotal(int H, int V, int k, double B, double rule, double pivotScale) {
        if (!(k >= 1 && k <= H && V >= 2)) throw new IllegalArgumentException("pivotal needs 1 <= k <= H and V >= 2");
        if (rule * rule + pivotScale * pivotScale > 1) throw new IllegalArgumentException("rule^2 + pivotScale^2 must be <= 1");
        boolean[] pivot = new boolean[H];
        for (int j = 0; j < k; j++) pivot[(int) ((long) j * H / k)] = true;
        MarkovFeatureMap phi = MarkovFeatureMap.of(V + 1, V, B, (x, h, prev, c, out) -> {
            if (pivot[h]) out[1 + c] = B;
            else if (c == (prev + 1) % V) out[0] = B;
        });
        double[] star = new double[V + 1];
        star[0] = rule;
        double norm = 0;
        for (int v = 0; v < V; v++) norm += Math.pow(1 - 2.0 * v / (V - 1), 2);
        for (int v = 0; v < V; v++) star[1 + v] = pivotScale * (1 - 2.0 * v / (V - 1)) / Math.sqrt(norm);
        Verifier followsRule = (x, y) -> {
            for (int h = 0; h < y.length; h++) if (!pivot[h] && y[h] != (y[h - 1] + 1) % V) return false;
            return true;
        };
        return build("pivotal", H, phi, ParameterSet.UNIT_BALL, star, List.of("all"), new double[] {1}, followsRule,
                params("V", V, "k", k, "B", B, "rule", rule, "pivotScale", pivotScale));
    }

    /** Assembles an instance; phi is tabulated over its prompts and positions (features never depend on theta). */
    static LinearInstance build(String name, int H, MarkovFeatureMap kernel, ParameterSet theta, double[] thetaStar,
                                List<String> groups, double[] mass, Verifier verifier, Map<String, Double> params) {
        MarkovFeatureMap phi = kernel.tabulated(groups.size(), H);
        LinearSoftmaxModel data = new LinearSoftmaxModel(phi, thetaStar);
        LinearTask task = new LinearTask(name + "(H=" + H + ")", data, groups, mass, H, verifier);
        return new LinearInstance(name, task, phi, theta, thetaStar, phi.bound(), phi.dim(), H, params);
    }

    /** An ordered parameter map from alternating keys and numbers. */
    static Map<String, Double> params(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
        return m;
    }

    /** Reads one parameter: the override if given, else the default; must be finite. */
    private record Params(String instance, Map<String, Double> given) {
        double real(String key, double dflt) {
            double v = given.getOrDefault(key, dflt);
            if (!Double.isFinite(v)) throw new IllegalArgumentException(instance + ": parameter " + key + " must be finite");
            return v;
        }

        int integer(String key, int dflt) {
            double v = real(key, dflt);
            if (v != Math.rint(v)) throw new IllegalArgumentException(instance + ": parameter " + key + " must be an integer, got " + v);
            return (int) v;
        }
    }
}
