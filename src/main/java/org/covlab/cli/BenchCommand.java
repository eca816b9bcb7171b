package org.covlab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import jdk.incubator.vector.FloatVector;
import org.covlab.model.Footprint;
import org.covlab.model.GptConfig;
import org.covlab.report.Json;
import org.covlab.report.TextTable;
import org.covlab.task.graph.EdgeOrder;
import org.covlab.task.graph.GraphTasks;
import org.covlab.tensor.GemmBenchmark;
import org.covlab.tensor.Parallel;
import org.covlab.train.GptBenchmark;
import org.covlab.train.TaskBenchmark;
import org.covlab.util.Heap;
import org.covlab.util.InputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code covlab bench}: the GPT's training, scoring and sampling throughput and the GEMM's GFLOP/s, optionally
 * next to PyTorch's on the same shape, run in the same invocation one after the other (issue 3, section 3).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Throughput of the pure-Java GPT on the shape of shared/bench/torch_gpt.py (its defaults: vocab 104, "
                + "ctx 128, 4 layers, 4 heads, d 128, batch 32, 2 threads): training tokens/s (forward + backward + AdamW), "
                + "scoring tokens/s (a forward pass that keeps nothing for backward, as torch_gpt.py's no_grad, and the log-prob of every target), sampling tokens/s with the KV cache (batch "
                + "prompts of ctx/2 tokens, ctx/2 + 1 new tokens each), and GEMM GFLOP/s at 256^3 and 1024^3 on one core (in its CPU time, so that other jobs on the machine count less). "
                + "Each is warm-up steps (3, as torch_gpt.py does, and the first time at least 3 s, so that the JIT has "
                + "compiled the kernels) then --steps timed steps. The task round trains a model of the same layers, heads and width "
                + "on real fig2 H = 8 batches (each padded to its longest pair, the loss on the responses) and counts useful "
                + "tokens only (padding left out).",
                "Training and scoring are timed in --rounds rounds; with --peer each round then runs torch_gpt.py with the "
                        + "same shape and threads and scripts/torch_task_train.py on the same fig2 batches, padded and masked as "
                        + "nanoGPT-style code trains them (after ours, not alongside), and the figures and ratios printed are the "
                        + "medians over rounds: the speed of a shared virtual machine's cores drifts by 20%% or more over "
                        + "seconds, and pairs close in time cancel most of that. The 1-minute load average before and after "
                        + "is printed with the figures. See docs/performance.md."},
        footer = {"", "--json prints one object with train_tokens_per_s, score_tokens_per_s, task_train_tokens_per_s, "
                + "sample_tokens_per_s, gemm_gflops_256, gemm_gflops_1024, vector_bits (the JVM's preferred vector width: "
                + "256 on AVX2, 512 on AVX-512; -XX:UseAVX=2 forces 256), cpu_model, the settings, heap_peak_gib (the heap pools' peaks summed: an upper "
                + "bound), heap_max_gib, the load averages, rounds (each round's figures) and, with --peer, peer "
                + "(torch_gpt.py's own JSON from the last round, or null), peer_train_tokens_per_s / peer_score_tokens_per_s / "
                + "peer_task_train_tokens_per_s and train_ratio / score_ratio / task_train_ratio (medians of the rounds' ratios). COVLAB_JAVA_OPTS sets the JVM's options "
                + "(default -Xmx6g).",
                "", "Examples:",
                "  ./covlab bench",
                "  ./covlab bench --peer",
                "  ./covlab bench --json --steps 5 --rounds 1",
                "  ./covlab bench --peer --rounds 7 --steps 50",
                "  ./covlab bench --layers 6 --dmodel 384 --batch 8 --steps 3 --threads 1",
                "  COVLAB_JAVA_OPTS=-Xmx4g ./covlab bench --layers 6 --dmodel 384 --batch 128 --steps 1   # the paper's model in 4 GiB"})
public final class BenchCommand implements Callable<Integer> {

    /** Where torch_gpt.py lives relative to a checkout: shared/ sits beside the repository. */
    static final String PEER_SCRIPT = "shared/bench/torch_gpt.py";
    /** The task round's peer, in the repository. */
    static final String TASK_PEER_SCRIPT = "scripts/torch_task_train.py";
    /** The task round's workload: fig2 at this H, with its real (padded) batches. */
    static final int TASK_H = 8;

    @Spec CommandSpec spec;

    @Option(names = "--vocab", defaultValue = "104", description = "Vocabulary size (default: ${DEFAULT-VALUE}).")
    int vocab;
    @Option(names = "--ctx", defaultValue = "128", description = "Sequence length, also the context (default: ${DEFAULT-VALUE}).")
    int ctx;
    @Option(names = "--layers", defaultValue = "4", description = "Transformer blocks (default: ${DEFAULT-VALUE}).")
    int layers;
    @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads;
    @Option(names = "--dmodel", defaultValue = "128", description = "Model width (default: ${DEFAULT-VALUE}).")
    int dModel;
    @Option(names = "--batch", defaultValue = "32", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--threads", defaultValue = "2", description = "Threads for the GPT and the peer (default: ${DEFAULT-VALUE}; at most 4 per core).")
    int threads;
    @Option(names = "--steps", defaultValue = "20", description = "Timed steps after the warm-up (default: ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--rounds", defaultValue = "3",
            description = "Rounds of training and scoring timings, each followed by a peer run with --peer; the figures "
                    + "and ratios printed are the medians over rounds (default: ${DEFAULT-VALUE}).")
    int rounds;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of the weights and the random batch (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;
    @Option(names = "--peer", description = "Also run torch_gpt.py (PyTorch) on the same shape after each round, and print the ratios.")
    boolean peer;
    @Option(names = "--peer-script", paramLabel = "FILE",
            description = "torch_gpt.py (default: the first " + PEER_SCRIPT + " found from the working directory upwards).")
    Path peerScript;
    @Option(names = "--task-peer-script", paramLabel = "FILE",
            description = "The task round's peer (default: the first " + TASK_PEER_SCRIPT + " found from the working directory or covlab's checkout upwards).")
    Path taskPeerScript;
    @Option(names = "--python", paramLabel = "FILE", defaultValue = BenchPeer.PYTHON, description = "Python with torch (default: ${DEFAULT-VALUE}).")
    String python;

    @Override public Integer call() {
        for (var o : positiveOptions()) Checks.atLeast(o.getKey(), 1, o.getValue());
        GptConfig cfg;
        try {
            cfg = new GptConfig(vocab, ctx, layers, heads, dModel);
        } catch (IllegalArgumentException e) {
            throw new InputException("--dmodel/--heads/--ctx: " + e.getMessage());
        }
        Checks.threads(threads);
        Heap.require("bench: a model of " + cfg.parameterCount() + " parameters at batch " + batch, Footprint.training(cfg, batch, true),
                "use a smaller model or --batch");
        Path script = peer ? BenchPeer.script(peerScript, "--peer-script", PEER_SCRIPT) : null;
        Path taskScript = peer ? BenchPeer.script(taskPeerScript, "--task-peer-script", TASK_PEER_SCRIPT) : null;
        double loadBefore = loadAverage();
        List<Map<String, Object>> perRound = new ArrayList<>();
        String peerError = null;
        JsonNode peerResult = null;
        double sample, gemm256, gemm1024;
        try (Parallel pool = new Parallel(threads)) {
            GptBenchmark bench = new GptBenchmark(cfg, batch, pool, seed);
            TaskBenchmark task = new TaskBenchmark(GraphTasks.byName(GraphTasks.FIG2, TASK_H, EdgeOrder.LAYER), layers, heads, dModel,
                    batch, steps, pool, seed);
            Path batches = peer ? Files.createTempFile("covlab-bench-batches", ".json") : null;
            try {
                if (peer) task.writeBatches(batches);
                for (int round = 0; round < rounds; round++) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("train_tokens_per_s", bench.trainTokensPerS(steps));
                    r.put("score_tokens_per_s", bench.scoreTokensPerS(steps));
                    r.put("task_train_tokens_per_s", task.trainTokensPerS());
                    if (peer && peerError == null) {
                        try {
                            peerResult = BenchPeer.run(python, script, peerArgs(), COMPARED.subList(0, 2));
                            JsonNode taskResult = BenchPeer.run(python, taskScript,
                                    List.of("--batches", batches.toString(), "--threads", "" + threads, "--seed", "" + seed), COMPARED.subList(2, 3));
                            for (String key : COMPARED) {
                                double theirs = (key.startsWith("task") ? taskResult : peerResult).get(key).asDouble();
                                r.put("peer_" + key, theirs);
                                r.put(ratioKey(key), (double) r.get(key) / theirs);
                            }
                        } catch (BenchPeer.PeerException e) {
                            peerError = e.getMessage();
                        }
                    }
                    perRound.add(r);
                }
                sample = bench.sampleTokensPerS(steps);
            } finally {
                if (batches != null) Files.deleteIfExists(batches);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Parallel one = new Parallel(1)) {
            gemm256 = GemmBenchmark.gflops(one, 256, 1.0);
            gemm1024 = GemmBenchmark.gflops(one, 1024, 1.0);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("train_tokens_per_s", median(perRound, "train_tokens_per_s"));
        out.put("score_tokens_per_s", median(perRound, "score_tokens_per_s"));
        out.put("task_train_tokens_per_s", median(perRound, "task_train_tokens_per_s"));
        out.put("sample_tokens_per_s", sample);
        out.put("gemm_gflops_256", gemm256);
        out.put("gemm_gflops_1024", gemm1024);
        out.put("vector_bits", FloatVector.SPECIES_PREFERRED.vectorBitSize());
        out.put("cpu_model", cpuModel());
        Map<String, Object> settings = new LinkedHashMap<>();
        for (var o : options()) settings.put(o.getKey().substring(2), o.getValue());
        settings.put("seed", seed);
        settings.put("rounds", rounds);
        out.put("settings", settings);
        boolean ratios = peer && peerError == null;
        if (peer) {
            if (ratios) {
                for (String key : COMPARED) {
                    out.put("peer_" + key, median(perRound, "peer_" + key));
                    out.put(ratioKey(key), median(perRound, ratioKey(key)));
                }
            }
            out.put("peer", peerResult);
            if (peerError != null) out.put("peer_error", peerError);
        }
        out.put("rounds", perRound);
        out.put("heap_peak_gib", heapPeakGiB());
        out.put("heap_max_gib", Runtime.getRuntime().maxMemory() / GIB);
        out.put("load_average_before", loadBefore);
        out.put("load_average_after", loadAverage());

        PrintWriter stdout = spec.commandLine().getOut();
        if (peerError != null) spec.commandLine().getErr().println("covlab bench: " + peerError);
        if (json) stdout.println(Json.toJson(out));
        else stdout.print(table(out, perRound, ratios, peerResult));
        stdout.flush();
        return 0;
    }

    /** The measures compared with the peer; the ratio of train_tokens_per_s is train_ratio, and so on. */
    private static final List<String> COMPARED = List.of("train_tokens_per_s", "score_tokens_per_s", "task_train_tokens_per_s");

    private static String ratioKey(String measure) {
        return measure.replace("_tokens_per_s", "_ratio");
    }

    /** The median of one key over the rounds (the mean of the middle two for an even count). */
    private static double median(List<Map<String, Object>> rounds, String key) {
        double[] v = rounds.stream().mapToDouble(r -> (double) r.get(key)).sorted().toArray();
        return (v[(v.length - 1) / 2] + v[v.length / 2]) / 2;
    }

    /** torch_gpt.py's arguments: the seed and the shape. */
    private List<String> peerArgs() {
        List<String> args = new ArrayList<>(List.of("--seed", "" + seed));
        for (var o : options()) args.addAll(List.of(o.getKey(), "" + o.getValue()));
        return args;
    }

    /** The CPU's model name, family and model from /proc/cpuinfo (a VM may show only "AMD EPYC"), else the architecture. */
    private static String cpuModel() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            Map<String, String> first = new LinkedHashMap<>();
            lines.takeWhile(l -> !l.isBlank()).filter(l -> l.contains(":"))
                    .forEach(l -> first.putIfAbsent(l.substring(0, l.indexOf(':')).strip(), l.substring(l.indexOf(':') + 1).strip()));
            if (!first.containsKey("model name")) return System.getProperty("os.arch");
            return first.get("model name") + " (family " + first.get("cpu family") + ", model " + first.get("model") + ")";
        } catch (IOException | UncheckedIOException e) {
            return System.getProperty("os.arch");
        }
    }

    /** The shape options, in torch_gpt.py's names. */
    private List<Map.Entry<String, Integer>> options() {
        return List.of(Map.entry("--vocab", vocab), Map.entry("--ctx", ctx), Map.entry("--layers", layers),
                Map.entry("--heads", heads), Map.entry("--dmodel", dModel), Map.entry("--batch", batch),
                Map.entry("--threads", threads), Map.entry("--steps", steps));
    }

    /** Every option that must be at least 1. */
    private List<Map.Entry<String, Integer>> positiveOptions() {
        List<Map.Entry<String, Integer>> all = new ArrayList<>(options());
        all.add(Map.entry("--rounds", rounds));
        return all;
    }

    private String table(Map<String, Object> out, List<Map<String, Object>> perRound, boolean ratios, JsonNode peerResult) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "GPT vocab %d, ctx %d, %d layers, %d heads, d %d, batch %d, %d threads, %d timed steps, %d round(s)%s; "
                        + "load average %.2f before, %.2f after%n", vocab, ctx, layers, heads, dModel, batch, threads, steps,
                rounds, peer ? " (each: covlab, then the peer)" : "", out.get("load_average_before"), out.get("load_average_after")));
        String peerName = peerResult == null ? "pytorch" : "pytorch " + peerResult.path("version").asText();
        TextTable t = TextTable.withHeader("measure (median of rounds)", "covlab", peerName, "ratio", "ratio by round");
        for (String key : COMPARED) {
            StringBuilder byRound = new StringBuilder();
            for (Map<String, Object> r : perRound) {
                if (r.containsKey(ratioKey(key))) byRound.append(byRound.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%.2fx", r.get(ratioKey(key))));
            }
            t.row(key, Math.round((double) out.get(key)), ratios ? Math.round((double) out.get("peer_" + key)) : "-",
                    ratios ? String.format(Locale.ROOT, "%.2fx", out.get(ratioKey(key))) : "-", ratios ? byRound : "-");
        }
        t.row("sample_tokens_per_s (KV cache)", Math.round((double) out.get("sample_tokens_per_s")), "-", "-", "-");
        t.row("gemm_gflops_256 (one core)", String.format(Locale.ROOT, "%.1f", out.get("gemm_gflops_256")), "-", "-", "-");
        t.row("gemm_gflops_1024 (one core)", String.format(Locale.ROOT, "%.1f", out.get("gemm_gflops_1024")), "-", "-", "-");
        return sb.append(t.render()).append(String.format(Locale.ROOT, "heap: at most %.2f GiB used of %.2f GiB%n",
                out.get("heap_peak_gib"), out.get("heap_max_gib"))).toString();
    }

    private static final double GIB = 1L << 30;

    /** The sum of the heap pools' peak use: an upper bound on the heap the run needed at once. */
    private static double heapPeakGiB() {
        long bytes = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) bytes += p.getPeakUsage().getUsed();
        }
        return bytes / GIB;
    }

    /** The 1-minute load average of the machine, or NaN where the platform has none. */
    private static double loadAverage() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? Double.NaN : load;
    }
}
