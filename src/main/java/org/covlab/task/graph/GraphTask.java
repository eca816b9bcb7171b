package org.covlab.task.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.covlab.model.AutoregressiveModel;
import org.covlab.task.Prompt;
import org.covlab.task.Task;
import org.covlab.task.Verifier;
import org.covlab.task.WeightedResponse;

/**
 * A graph-reasoning family (paper App. C, notes sections 4.1-4.3): a mixture of {@link GraphClass}es over
 * layered DAGs with H intermediate layers, written with the {@link NumeralTokenizer}.
 *
 * <p>Prompt: the edges in the task's {@link EdgeOrder} (by layer, or shuffled), then {@code / s t =}. Response: the path
 * s v_2 ... v_{H+1} t (H+2 nodes) then EOS, so {@link #maxResponseLength()} = H+3. pi_D(y|x) is the class's
 * rule: uniform over {@link #support} (1, 4 or 16 paths), -infinity elsewhere. The class is the one carried by
 * the {@link Prompt}; {@link #classesOf} says which classes a token sequence is consistent with.
 * Build families with {@link GraphTasks#byName}.
 */
public final class GraphTask implements Task {

    /** Verifier name: the response is one of the class's correct paths (the support of pi_D(.|x)). */
    public static final String CORRECT_PATH = "correct-path";
    /** Verifier name: the response is some valid s-t path of the prompt's graph, then EOS. */
    public static final String VALID_PATH = "valid-path";
    public static final List<String> VERIFIERS = List.of(CORRECT_PATH, VALID_PATH);
    /** Parsed graphs kept per prompt: enough for an evaluation set, bounded for long training runs. */
    private static final int PARSE_CACHE_SIZE = 8192;

    private final String name;
    private final int H;
    private final NumeralTokenizer tokenizer;
    private final Map<String, GraphClass> classes = new LinkedHashMap<>();
    private final boolean identifiable;
    private final EdgeOrder edgeOrder;
    private final Map<TokenKey, LayeredDag> parsed = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<TokenKey, LayeredDag> eldest) {
            return size() > PARSE_CACHE_SIZE;
        }
    });

    /**
     * @param name         the family name, e.g. "fig2"
     * @param H            intermediate layers; paths have H+2 nodes
     * @param m            node ids are drawn from [m] = {1..m}; needs m >= 4H+2
     * @param classes      the mixture, weights summing to 1
     * @param identifiable whether every prompt's class is a function of its tokens (then {@link #dataModel()}
     *                     can find pi_D(.|x) from tokens alone)
     * @param edgeOrder    how prompts list the edges
     */
    public GraphTask(String name, int H, int m, List<GraphClass> classes, boolean identifiable, EdgeOrder edgeOrder) {
        if (H < 1) throw new IllegalArgumentException("H must be >= 1, got " + H);
        if (m < GraphClass.LAYER_WIDTH * H + 2)
            throw new IllegalArgumentException("m = " + m + " is below the " + (GraphClass.LAYER_WIDTH * H + 2) + " nodes of a graph");
        double total = 0;
        for (GraphClass c : classes) {
            if (this.classes.put(c.name(), c) != null) throw new IllegalArgumentException("class " + c.name() + " appears twice");
            total += c.weight();
        }
        if (Math.abs(total - 1) > 1e-9) throw new IllegalArgumentException("class weights sum to " + total + ", not 1");
        this.name = name;
        this.H = H;
        this.tokenizer = new NumeralTokenizer(m);
        this.identifiable = identifiable;
        this.edgeOrder = Objects.requireNonNull(edgeOrder, "edgeOrder");
    }

    @Override public String name() { return name; }

    /** Intermediate layers; a response path has H+2 nodes. */
    public int H() { return H; }

    public int m() { return tokenizer.m(); }

    /** How this task's prompts list the edges. */
    public EdgeOrder edgeOrder() { return edgeOrder; }

    public NumeralTokenizer tokenizer() { return tokenizer; }

    @Override public int vocabSize() { return tokenizer.vocabSize(); }

    /** H+2 path nodes and EOS. */
    @Override public int maxResponseLength() { return H + 3; }

    @Override public int endToken() { return NumeralTokenizer.EOS; }

    @Override public Map<String, Double> groupWeights() {
        Map<String, Double> w = new LinkedHashMap<>();
        classes.forEach((k, c) -> w.put(k, c.weight()));
        return w;
    }

    public List<GraphClass> classes() { return List.copyOf(classes.values()); }

    public GraphClass graphClass(String group) {
        GraphClass c = classes.get(group);
        if (c == null) throw new IllegalArgumentException(name + " has no class '" + group + "'; classes: " + classes.keySet());
        return c;
    }

    /** The longest prompt of any class: 3 tokens per edge, plus {@code / s t =}, minus the first '|'. */
    public int maxPromptLength() {
        int extra = 0;  // edges beyond the 4H+1 of a single-path graph; a doubled last layer adds only 1 (to t)
        for (GraphClass c : classes.values()) {
            int d = c.doubledLayers();
            extra = Math.max(extra, d < H ? 4 * d : 4 * (d - 1) + 1);
        }
        return 3 * (4 * H + 1 + extra) + 3;
    }

    @Override public Prompt samplePrompt(String group, RandomGenerator rng) {
        LayeredDag g = graphClass(group).sampleGraph(H, m(), rng);
        int[] tokens = tokenizer.encodePrompt(edgeOrder.arrange(g, rng), g.source(), g.target());
        parsed.put(new TokenKey(tokens), g);
        return new Prompt(tokens, group);
    }

    /** The layered DAG written in a prompt's tokens (cached); throws if the tokens are not one. */
    public LayeredDag graph(int[] promptTokens) {
        TokenKey key = new TokenKey(promptTokens.clone());
        LayeredDag g = parsed.get(key);
        if (g == null) {
            NumeralTokenizer.PromptParts parts = tokenizer.decodePrompt(promptTokens);
            g = LayeredDag.fromEdges(parts.edges(), parts.source(), parts.target());
            parsed.put(key, g);
        }
        return g;
    }

    /** The classes whose graphs include this prompt's graph, in mixture order. */
    public List<String> classesOf(int[] promptTokens) {
        LayeredDag g = graph(promptTokens);
        List<String> out = new ArrayList<>();
        for (GraphClass c : classes.values()) if (c.admits(g, H)) out.add(c.name());
        return out;
    }

    /** The one class consistent with these tokens; throws if none or several are. */
    public String classify(int[] promptTokens) {
        List<String> cs = classesOf(promptTokens);
        if (cs.size() != 1) throw new IllegalArgumentException(name + ": the tokens fit classes " + cs + ", not exactly one");
        return cs.get(0);
    }

    /** The support of pi_D(.|x) as response token arrays (path then EOS), all equally likely. */
    List<int[]> supportResponses(int[] promptTokens, String group) {
        GraphClass c = graphClass(group);
        LayeredDag g = graph(promptTokens);
        if (!c.admits(g, H)) throw new IllegalArgumentException("the prompt's graph is not a " + name + " H=" + H + " " + group + " graph");
        List<int[]> out = new ArrayList<>();
        for (int[] path : c.rule().support(g)) out.add(tokenizer.encodeResponse(path));
        return out;
    }

    /** log of 1/size without the -0.0 that -Math.log(1) gives. */
    static double logUniform(int size) { return size == 1 ? 0.0 : -Math.log(size); }

    @Override public Optional<List<WeightedResponse>> support(Prompt x) {
        List<int[]> ys = supportResponses(x.tokens(), x.group());
        double lp = logUniform(ys.size());
        List<WeightedResponse> out = new ArrayList<>(ys.size());
        for (int[] y : ys) out.add(new WeightedResponse(y, lp));
        return Optional.of(out);
    }

    @Override public int[] sampleResponse(Prompt x, RandomGenerator rng) {
        GraphClass c = graphClass(x.group());
        LayeredDag g = graph(x.tokens());
        if (!c.admits(g, H)) throw new IllegalArgumentException("the prompt's graph is not a " + name + " " + x.group() + " graph");
        return tokenizer.encodeResponse(c.rule().sample(g, rng));
    }

    /** log pi_D(y|x): -log |support| when y is a correct path of x's class followed by EOS, else -infinity. */
    @Override public double logProbData(Prompt x, int[] response) {
        List<int[]> ys = supportResponses(x.tokens(), x.group());
        for (int[] y : ys) if (Arrays.equals(y, response)) return logUniform(ys.size());
        return Double.NEGATIVE_INFINITY;
    }

    /** The class-correct verifier ({@value #CORRECT_PATH}): accepts exactly the support of pi_D(.|x). */
    @Override public Verifier verifier() { return verifier(CORRECT_PATH); }

    /**
     * A verifier by name: {@value #CORRECT_PATH} or {@value #VALID_PATH}. Both know exactly which prefixes can
     * still be accepted ({@link Verifier#canAccept}): a prefix of a correct path, or a node on some valid path at
     * each position (then EOS).
     */
    public Verifier verifier(String verifierName) {
        switch (verifierName) {
            case CORRECT_PATH: return new Verifier() {
                @Override public boolean accepts(Prompt x, int[] y) { return logProbData(x, y) > Double.NEGATIVE_INFINITY; }

                @Override public boolean canAccept(Prompt x, int[] y, int length) {
                    for (int[] s : supportResponses(x.tokens(), x.group())) {
                        if (s.length >= length && Arrays.equals(s, 0, length, y, 0, length)) return true;
                    }
                    return false;
                }
            };
            case VALID_PATH: return new Verifier() {
                @Override public boolean accepts(Prompt x, int[] y) {
                    int n = y.length;
                    return n == H + 3 && y[n - 1] == NumeralTokenizer.EOS && graph(x.tokens()).isPath(Arrays.copyOf(y, n - 1));
                }

                @Override public boolean canAccept(Prompt x, int[] y, int length) {
                    LayeredDag g = graph(x.tokens());
                    if (length > H + 3 || g.layerCount() != H + 2) return false;   // no response of this length, or no graph of this task
                    for (int i = 0; i < length; i++) if (i < H + 2 ? !g.onPath(i, y[i]) : y[i] != NumeralTokenizer.EOS) return false;
                    return true;
                }
            };
            default: throw new IllegalArgumentException("no verifier '" + verifierName + "'; choose one of " + VERIFIERS);
        }
    }

    /**
     * pi_D as next-token conditionals, finding each prompt's class from its tokens. Present only when the
     * family's classes are identifiable from tokens (not fig1-pretrain; use {@link #dataModel(String)} there).
     */
    @Override public Optional<AutoregressiveModel> dataModel() {
        return identifiable ? Optional.of(new GraphDataModel(this, null)) : Optional.empty();
    }

    /** pi_D of one class as next-token conditionals, for prompts of that class. */
    public AutoregressiveModel dataModel(String group) {
        return new GraphDataModel(this, graphClass(group).name());
    }

    public boolean identifiable() { return identifiable; }

    @Override public String toString() { return name + " H=" + H + " m=" + m() + (edgeOrder == EdgeOrder.LAYER ? "" : " edges " + edgeOrder); }

    /** Token arrays as map keys. */
    private record TokenKey(int[] tokens) {
        @Override public boolean equals(Object o) { return o instanceof TokenKey k && Arrays.equals(tokens, k.tokens); }

        @Override public int hashCode() { return Arrays.hashCode(tokens); }
    }
}
