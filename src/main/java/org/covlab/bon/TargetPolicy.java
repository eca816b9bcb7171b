package org.covlab.bon;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.covlab.metric.LogRatioRecord;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.AutoregressiveModel.PromptSession;
import org.covlab.model.LogSpace;
import org.covlab.model.SequenceEnumeration;
import org.covlab.task.Prompt;
import org.covlab.task.Task;
import org.covlab.task.WeightedResponse;

/**
 * The comparator policy pi_T of Props. D.6 and D.7 at one prompt x, seen through the model pi_hat.
 *
 * <p>Definition: {@code pi_T(y|x) = pi_D(y|x) 1{r(x,y) = 1} / pi_D(A_x|x)}, with A_x = {y : r(x,y) = 1} the responses
 * the task's verifier accepts: pi_D restricted to correct responses. Why this pi_T: the propositions bound the regret
 * E_x[r(x, pi_T(x)) - r(x, BoN_N(x))] against a policy that succeeds, and this one always does (r(x, pi_T(x)) = 1
 * wherever pi_D can answer correctly), so regret = 1 - Best-of-N success. It is also the policy pre-training is meant
 * to cover: where the verifier accepts exactly the support of pi_D (the graph tasks' class-correct paths) pi_T = pi_D
 * and Cov_M(pi_T || pi_hat) is the paper's coverage profile; where pi_D also makes mistakes (the pivotal instance
 * breaks its rule with small probability), pi_T drops them, so the model is not asked to cover pi_D's errors.
 *
 * <p>How it is found: exactly, by listing supp pi_D(.|x) ({@link Task#support}, or all of V^H for a fixed-length task
 * with at most {@value #ENUMERATION_LIMIT} responses) and keeping what the verifier accepts; then the model's mass
 * on the accepted set, pi_hat(A_x|x), is exact too (it is, as long as the verifier accepts nothing outside
 * supp pi_D, which holds for every task in covlab). Otherwise by {@value #MONTE_CARLO_DRAWS} draws from pi_D, whose
 * accepted part is a sample of pi_T with pi_D(A_x|x) estimated by the acceptance rate; pi_hat(A_x|x) is then unknown.
 *
 * @param logpTarget   log pi_T(y|x) of each listed or drawn accepted response // (k)
 * @param logpModel    log pi_hat(y|x) of the same responses // (k)
 * @param weight       each response's share of pi_T(.|x), summing to 1 (pi_T(y|x) when listed, 1/k when drawn) // (k)
 * @param logModelMass log pi_hat(A_x|x) when exact, NaN when pi_T was sampled
 */
public record TargetPolicy(double[] logpTarget, double[] logpModel, double[] weight, double logModelMass) {

    /** Most responses listed per prompt: 4^8 (pivotal at H = 8) or 2^16, while records per prompt stay cheap. */
    public static final long ENUMERATION_LIMIT = 1L << 16;
    /** pi_D draws per prompt when the support is too large to list: Cov_M to about ±0.016 (95%) from them. */
    public static final int MONTE_CARLO_DRAWS = 4096;

    public TargetPolicy {
        if (logpTarget.length != logpModel.length || logpTarget.length != weight.length)
            throw new IllegalArgumentException("one log pi_T, log pi_hat and weight per response");
        logpTarget = logpTarget.clone();
        logpModel = logpModel.clone();
        weight = weight.clone();
    }

    /** pi_T at x: listed when supp pi_D(.|x) can be listed, else drawn from pi_D with {@code rng}. */
    public static TargetPolicy of(Task task, Prompt x, AutoregressiveModel model, RandomGenerator rng) {
        try (PromptSession session = model.open(x.tokens())) {
            return of(task, x, session, rng);
        }
    }

    /** The same, scoring pi_hat through an open session on x (Best-of-N then draws from that session too). */
    public static TargetPolicy of(Task task, Prompt x, PromptSession model, RandomGenerator rng) {
        List<WeightedResponse> support = listSupport(task, x);
        return support != null ? listed(task, x, model, support) : sampled(task, x, model, rng);
    }

    /** supp pi_D(.|x) with log pi_D, or null when it is too large to list. */
    static List<WeightedResponse> listSupport(Task task, Prompt x) {
        var given = task.support(x);
        if (given.isPresent()) return given.get();
        int H = task.maxResponseLength();
        if (task.endToken() != -1 || SequenceEnumeration.count(task.vocabSize(), H) > ENUMERATION_LIMIT) return null;
        List<WeightedResponse> out = new ArrayList<>();
        SequenceEnumeration.forEach(task.vocabSize(), H, y -> {
            double lp = task.logProbData(x, y);
            if (lp > Double.NEGATIVE_INFINITY) out.add(new WeightedResponse(y, Math.min(0, lp)));
        });
        return out;
    }

    private static TargetPolicy listed(Task task, Prompt x, PromptSession model, List<WeightedResponse> support) {
        List<int[]> accepted = new ArrayList<>();
        double[] logpData = new double[support.size()];
        int k = 0;
        for (WeightedResponse w : support) {
            int[] y = w.tokens();
            if (!task.verifier().accepts(x, y)) continue;
            accepted.add(y);
            logpData[k++] = w.logProb();
        }
        logpData = Arrays.copyOf(logpData, k);
        double logMassData = LogSpace.logSumExp(logpData);  // log pi_D(A_x|x)
        double[] logpTarget = new double[k], weight = new double[k];
        for (int i = 0; i < k; i++) {
            logpTarget[i] = Math.min(0, logpData[i] - logMassData);
            weight[i] = Math.exp(logpTarget[i]);
        }
        double[] logpModel = score(model, x, accepted);
        return new TargetPolicy(logpTarget, logpModel, weight, Math.min(0, LogSpace.logSumExp(logpModel)));  // rounding can give +1e-16
    }

    static TargetPolicy sampled(Task task, Prompt x, PromptSession model, RandomGenerator rng) {
        List<int[]> accepted = new ArrayList<>();
        List<Double> logpData = new ArrayList<>();
        for (int i = 0; i < MONTE_CARLO_DRAWS; i++) {
            int[] y = task.sampleResponse(x, rng);
            if (!task.verifier().accepts(x, y)) continue;
            accepted.add(y);
            logpData.add(task.logProbData(x, y));
        }
        int k = accepted.size();
        double logRate = Math.log((double) k / MONTE_CARLO_DRAWS);  // estimates log pi_D(A_x|x)
        double[] logpTarget = new double[k], weight = new double[k];
        for (int i = 0; i < k; i++) {
            logpTarget[i] = Math.min(0, logpData.get(i) - logRate);
            weight[i] = 1.0 / k;
        }
        return new TargetPolicy(logpTarget, score(model, x, accepted), weight, Double.NaN);
    }

    /** log pi_hat(y|x) for every y, through the session on x (the GPT teacher-forces them on x's cached prefix). */
    private static double[] score(PromptSession model, Prompt x, List<int[]> responses) {
        return model.sequenceLogProbs(responses.toArray(new int[0][]));
    }

    /** Whether pi_hat(A_x|x) is known exactly, so Best-of-N success is exactly 1 - (1 - pi_hat(A_x|x))^N. */
    public boolean exact() { return !Double.isNaN(logModelMass); }

    /** Whether pi_D answers x correctly with positive probability, i.e. pi_T(.|x) exists (and then always succeeds). */
    public boolean attainable() { return logpTarget.length > 0; }

    /**
     * Log-ratio records of pi_T against pi_hat for the coverage profile Cov_M(pi_T || pi_hat): one per response, with
     * weight {@code promptWeight} times its share of pi_T(.|x). Ids are "ID/yK".
     */
    public List<LogRatioRecord> records(String id, String group, double promptWeight) {
        List<LogRatioRecord> out = new ArrayList<>(weight.length);
        for (int i = 0; i < weight.length; i++)
            out.add(new LogRatioRecord(id + "/y" + i, group, promptWeight * weight[i], logpTarget[i], logpModel[i]));
        return out;
    }

    /**
     * Prop. D.7's witness at this prompt: S_x = {y : pi_T(y|x) / pi_hat(y|x) >= 2N}; returns {pi_T(S_x|x),
     * pi_hat(S_x|x)}. Only the listed responses are seen, so pi_hat(S_x|x) is exact only when {@link #exact()}.
     */
    public double[] witnessMasses(double n) {
        double logTwoN = Math.log(2 * n), target = 0, model = 0;
        for (int i = 0; i < weight.length; i++) {
            if (logpTarget[i] - logpModel[i] < logTwoN) continue;
            target += weight[i];
            model += Math.exp(logpModel[i]);
        }
        return new double[] {target, model};
    }

    @Override public double[] logpTarget() { return logpTarget.clone(); }

    @Override public double[] logpModel() { return logpModel.clone(); }

    @Override public double[] weight() { return weight.clone(); }
}
