package org.covlab.task;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.covlab.decode.Sampler;
import org.covlab.model.AutoregressiveModel;
import org.covlab.model.LinearSoftmaxModel;
import org.covlab.model.SequenceEnumeration;

/**
 * A realizable task of the linear testbed: finitely many prompts with masses mu(x), and pi_D = the linear model
 * at theta* (Assumption 2.1), so every response has length H and pi_D is known exactly.
 *
 * <p>Each prompt is its own group (named by the instance, e.g. "x=1"), so per-group metrics are per-prompt
 * metrics and {@link #groupWeights()} is mu. A prompt's single token is its index in {@link #prompts()}; feature
 * maps read it as the prompt id, not as a vocabulary token.
 */
public final class LinearTask implements Task {

    /** support(x) lists all |V|^H responses only up to this many. */
    public static final long SUPPORT_LIMIT = 4096;

    private final String name;
    private final LinearSoftmaxModel data;
    private final List<Prompt> prompts;
    private final double[] mass;       // (prompts) mu(x)
    private final double[] cumulative; // (prompts) for sampling x ~ mu
    private final int H;
    private final Verifier verifier;

    /** @param groups the group name of each prompt; prompt i gets token {i} */
    public LinearTask(String name, LinearSoftmaxModel data, List<String> groups, double[] mass, int H, Verifier verifier) {
        if (groups.size() != mass.length || mass.length == 0) throw new IllegalArgumentException("one mass per prompt group");
        if (H < 1) throw new IllegalArgumentException("H must be >= 1, got " + H);
        double total = 0;
        for (double m : mass) {
            if (!(m > 0)) throw new IllegalArgumentException("prompt masses must be > 0");
            total += m;
        }
        if (Math.abs(total - 1) > 1e-9) throw new IllegalArgumentException("prompt masses sum to " + total + ", not 1");
        this.name = name;
        this.data = data;
        this.prompts = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) prompts.add(new Prompt(new int[] {i}, groups.get(i)));
        this.mass = mass.clone();
        this.cumulative = new double[mass.length];
        double acc = 0;
        for (int i = 0; i < mass.length; i++) cumulative[i] = (acc += mass[i]);
        this.H = H;
        this.verifier = verifier;
    }

    /** The prompts, in the order of their ids. */
    public List<Prompt> prompts() { return List.copyOf(prompts); }

    /** mu(x) of prompt i. */
    public double mass(int i) { return mass[i]; }

    /** pi_D as the linear model at theta*. */
    public LinearSoftmaxModel data() { return data; }

    @Override public String name() { return name; }

    @Override public int vocabSize() { return data.vocabSize(); }

    @Override public int maxResponseLength() { return H; }

    @Override public Map<String, Double> groupWeights() {
        Map<String, Double> w = new LinkedHashMap<>();
        for (int i = 0; i < prompts.size(); i++) w.put(prompts.get(i).group(), mass[i]);
        return w;
    }

    @Override public Prompt samplePrompt(String group, RandomGenerator rng) {
        for (Prompt p : prompts) if (p.group().equals(group)) return p;
        throw new IllegalArgumentException("no prompt group '" + group + "' in " + name);
    }

    @Override public Prompt samplePrompt(RandomGenerator rng) {
        double u = rng.nextDouble();
        for (int i = 0; i < cumulative.length; i++) if (u < cumulative[i]) return prompts.get(i);
        return prompts.get(prompts.size() - 1);
    }

    @Override public int[] sampleResponse(Prompt x, RandomGenerator rng) {
        return data.sample(x.tokens(), H, -1, Sampler.ANCESTRAL, rng);
    }

    @Override public double logProbData(Prompt x, int[] response) {
        if (response.length != H) return Double.NEGATIVE_INFINITY;
        for (int t : response) if (t < 0 || t >= vocabSize()) return Double.NEGATIVE_INFINITY;
        return data.sequenceLogProb(x.tokens(), response);
    }

    @Override public Optional<List<WeightedResponse>> support(Prompt x) {
        if (SequenceEnumeration.count(vocabSize(), H) > SUPPORT_LIMIT) return Optional.empty();
        List<WeightedResponse> out = new ArrayList<>();
        int[] prompt = x.tokens();
        SequenceEnumeration.forEach(vocabSize(), H, y -> out.add(new WeightedResponse(y, data.sequenceLogProb(prompt, y))));
        return Optional.of(out);
    }

    @Override public Verifier verifier() { return verifier; }

    @Override public Optional<AutoregressiveModel> dataModel() { return Optional.of(data); }
}
