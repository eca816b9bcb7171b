package org.covlab.task;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.covlab.metric.LogRatioRecord;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.FeatureMap;
import org.covlab.model.LinearSoftmaxModel;
import org.covlab.model.MarkovDp;
import org.covlab.model.ParameterSet;
import org.covlab.model.SequenceEnumeration;

/**
 * One instance of the autoregressive linear testbed (section 1.2): the task (mu, pi_D = pi_{theta*}), the feature
 * map phi, the parameter set Theta, theta*, the feature bound B, d and H, plus the resolved instance parameters.
 * Built by {@link LinearInstances}.
 *
 * <p>Exact quantities average over the finite prompt set with weights mu(x). For Markov models (the data model and
 * any {@link LinearSoftmaxModel} on a Markov map) they use {@link MarkovDp}; other models (e.g. the improper TTT
 * model) fall back to {@link SequenceEnumeration} when |V|^H is small and are otherwise refused: estimate them
 * from {@link #records}.
 *
 * @param params the instance's parameters after defaults were applied (for config.json)
 */
public record LinearInstance(String name, LinearTask task, FeatureMap features, ParameterSet theta,
                             double[] thetaStar, double B, int d, int H, Map<String, Double> params) {

    public LinearInstance {
        Objects.requireNonNull(name, "name");
        if (d != features.dim() || thetaStar.length != d) throw new IllegalArgumentException("d, phi.dim() and |theta*| differ");
        if (B != features.bound()) throw new IllegalArgumentException("B must equal phi.bound()");
        if (H != task.maxResponseLength()) throw new IllegalArgumentException("H differs from the task's horizon");
        if (!theta.contains(thetaStar, 1e-9)) throw new IllegalArgumentException("theta* is not in Theta (realizability)");
        thetaStar = thetaStar.clone();
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    @Override public double[] thetaStar() { return thetaStar.clone(); }

    /** pi_D = pi_{theta*}. */
    public LinearSoftmaxModel dataModel() { return task.data(); }

    /** pi_theta on this instance's feature map. */
    public LinearSoftmaxModel model(double[] parameters) { return new LinearSoftmaxModel(features, parameters); }

    /** The prompts' token arrays, by id. */
    public List<int[]> promptTokens() {
        List<int[]> out = new ArrayList<>();
        for (Prompt p : task.prompts()) out.add(p.tokens());
        return out;
    }

    /** sigma*^2 of Eq. 8: E_{x~mu} E_{pi_D} Σ_h ||phi(x, y_{1:h}) - phibar_{pi_D}(x, y_{1:h-1})||^2. */
    public double sigmaStarSq() {
        LinearSoftmaxModel p = dataModel();
        return averageOverPrompts(x -> p.isMarkov()
                ? MarkovDp.sum(MarkovDp.sigmaStarSqProfile(p, x, H))
                : SequenceEnumeration.sigmaStarSq(p, x, requireEnumerable()));
    }

    /** Sequence KL E_{x~mu} KL(pi_D(.|x) || model(.|x)) (section 1.4), exact. */
    public double sequenceKl(AutoregressiveModel model) {
        LinearSoftmaxModel q = markovOrNull(model);
        return averageOverPrompts(x -> q != null
                ? MarkovDp.sum(MarkovDp.tokenKlProfile(dataModel(), q, x, H))
                : SequenceEnumeration.sequenceKl(dataModel(), model, x, requireEnumerable()));
    }

    /** Sequence cross-entropy E_{x~mu} E_{pi_D} [-log model(y|x)], exact. */
    public double crossEntropy(AutoregressiveModel model) {
        LinearSoftmaxModel q = markovOrNull(model);
        return averageOverPrompts(x -> q != null
                ? MarkovDp.sum(MarkovDp.crossEntropyProfile(dataModel(), q, x, H))
                : SequenceEnumeration.crossEntropy(dataModel(), model, x, requireEnumerable()));
    }

    /** E_{x~mu} E_{pi_D} KL(pi_D(.|x,y_{<h}) || model(.|x,y_{<h})) per position h; sums to {@link #sequenceKl}. // (H) */
    public double[] tokenKlProfile(AutoregressiveModel model) {
        LinearSoftmaxModel q = markovOrNull(model);
        double[] out = new double[H];
        List<int[]> xs = promptTokens();
        for (int i = 0; i < xs.size(); i++) {
            double[] e = q != null ? MarkovDp.tokenKlProfile(dataModel(), q, xs.get(i), H)
                    : SequenceEnumeration.tokenKlProfile(dataModel(), model, xs.get(i), requireEnumerable());
            for (int h = 0; h < H; h++) out[h] += task.mass(i) * e[h];
        }
        return out;
    }

    /**
     * Log-ratio records (log pi_D(y|x), log model(y|x)) for the metric package, stratified by prompt. When
     * |V|^H <= {@link LinearTask#SUPPORT_LIMIT} they enumerate the whole support with weight mu(x) pi_D(y|x) (exact
     * Cov_N, KL); otherwise they draw {@code samplesPerPrompt} responses y ~ pi_D(.|x) per prompt, each with weight
     * mu(x) / samplesPerPrompt (Monte Carlo). Record ids are "GROUP#j"; groups are the prompts' groups.
     */
    public List<LogRatioRecord> records(AutoregressiveModel model, int samplesPerPrompt, RandomGenerator rng) {
        if (samplesPerPrompt < 1) throw new IllegalArgumentException("samplesPerPrompt must be >= 1");
        List<LogRatioRecord> out = new ArrayList<>();
        List<Prompt> prompts = task.prompts();
        for (int i = 0; i < prompts.size(); i++) {
            Prompt x = prompts.get(i);
            int[] tokens = x.tokens();
            var support = task.support(x);
            if (support.isPresent()) {
                int j = 0;
                for (WeightedResponse w : support.get()) {
                    out.add(new LogRatioRecord(x.group() + "#" + j++, x.group(), task.mass(i) * Math.exp(w.logProb()),
                            w.logProb(), model.sequenceLogProb(tokens, w.tokens())));
                }
            } else {
                for (int j = 0; j < samplesPerPrompt; j++) {
                    int[] y = task.sampleResponse(x, rng);
                    out.add(new LogRatioRecord(x.group() + "#" + j, x.group(), task.mass(i) / samplesPerPrompt,
                            dataModel().sequenceLogProb(tokens, y), model.sequenceLogProb(tokens, y)));
                }
            }
        }
        return out;
    }

    /**
     * Exact log-ratio records for a Markov linear model at any H: one record per atom of the law of
     * (log pi_D(y|x), log model(y|x)) under y ~ pi_D(.|x) ({@link MarkovDp#logProbPairs}), weight mu(x) times the
     * atom's mass. Cov_N, KL and CE from them are exact (up to 2^-32 in a log-prob); empty when the model is not a
     * Markov linear model or some prompt needs more than {@code maxAtoms} atoms per position (use {@link #records}).
     */
    public Optional<List<LogRatioRecord>> exactRecords(AutoregressiveModel model, int maxAtoms) {
        LinearSoftmaxModel q = markovOrNull(model);
        if (q == null) return Optional.empty();
        List<LogRatioRecord> out = new ArrayList<>();
        List<Prompt> prompts = task.prompts();
        for (int i = 0; i < prompts.size(); i++) {
            Prompt x = prompts.get(i);
            var atoms = MarkovDp.logProbPairs(dataModel(), q, x.tokens(), H, maxAtoms);
            if (atoms.isEmpty()) return Optional.empty();
            int j = 0;
            for (MarkovDp.LogProbAtom a : atoms.get())
                out.add(new LogRatioRecord(x.group() + "#" + j++, x.group(), task.mass(i) * a.mass(), a.logP(), a.logQ()));
        }
        return Optional.of(out);
    }

    private interface PerPrompt { double at(int[] prompt); }

    private double averageOverPrompts(PerPrompt f) {
        List<int[]> xs = promptTokens();
        double s = 0;
        for (int i = 0; i < xs.size(); i++) s += task.mass(i) * f.at(xs.get(i));
        return s;
    }

    private LinearSoftmaxModel markovOrNull(AutoregressiveModel m) {
        return m instanceof LinearSoftmaxModel l && l.isMarkov() && dataModel().isMarkov() ? l : null;
    }

    private int requireEnumerable() {
        if (!SequenceEnumeration.feasible(task.vocabSize(), H))
            throw new IllegalArgumentException("exact value needs a Markov linear model or |V|^H <= "
                    + SequenceEnumeration.LIMIT + " (here " + task.vocabSize() + "^" + H + "); estimate it from records()");
        return H;
    }
}
