package org.covlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.covlab.decode.Sampler;
import org.covlab.model.Gpt;
import org.covlab.report.Json;
import org.covlab.task.Prompt;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.NumeralTokenizer;
import org.covlab.tensor.Parallel;
import org.covlab.train.Checkpoint;
import org.covlab.eval.EvalRun;
import org.covlab.util.Seeds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code covlab sample}: responses of a checkpoint to prompts x ~ mu, with the task's verifiers and log-probs. */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draw prompts x ~ mu, sample a response from the checkpoint (KV cache, ancestral or at a temperature), "
                + "and check it: valid = some s-t path of the prompt's graph, correct = in the support of pi_D(.|x) (the "
                + "class's rule). Shows log pi_hat(y|x) and log pi_D(y|x) (-Infinity when not correct).",
                "--json prints one object per line: prompt_text, response_text, prompt, response (token ids), class, valid, "
                        + "correct, logp_model, logp_data (null for -Infinity)."},
        footer = {"", "Examples (the tiny run of './covlab train --help' first):",
                "  ./covlab sample --checkpoint runs/tiny/checkpoints/step-000100 --count 3",
                "  ./covlab sample --checkpoint runs/tiny/checkpoints/step-000100 --class G3 --count 5 --json",
                "  ./covlab sample --checkpoint runs/tiny/checkpoints/step-000100 --temperature 0.5 --count 3"})
public final class SampleCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "C", description = "A checkpoint folder (step-N).")
    Path checkpoint;

    @Option(names = "--task", paramLabel = "T", description = "Task of the prompts (default: the checkpoint's own).")
    String task;

    @Mixin EdgeOrderOption edgeOrder;

    @Option(names = "--H", paramLabel = "N", description = "Its H (default: the checkpoint's own).")
    Integer H;

    @Option(names = "--count", defaultValue = "5", paramLabel = "N", description = "How many prompts (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--class", paramLabel = "G", description = "Draw prompts of this class only (e.g. G2).")
    String group;

    @Option(names = "--temperature", defaultValue = "1.0", paramLabel = "T", description = "Sampling temperature; 1 samples the model itself (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed: prompts from stream 'prompts', responses from 'sampling' (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all cores; at most 4 per core).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--json", description = "JSONL on stdout instead of text.")
    boolean json;

    @Override public Integer call() {
        Checks.atLeast("--count", 1, count);
        Checks.positive("--temperature", temperature);
        Checks.threads(threads);
        Checkpoint ck = Checkpoint.read(checkpoint);
        GraphTask t = edgeOrder.resolve(task, H, checkpoint, spec.commandLine().getErr());
        Checks.hasClass(t.name(), t.groupWeights(), group);
        Checks.promptsFit("--count", t, count, 1);
        Seeds seeds = new Seeds(seed);
        var promptRng = seeds.stream("prompts");
        Prompt[] xs = new Prompt[count];
        int[][] prompts = new int[count][];
        for (int i = 0; i < count; i++) {
            xs[i] = group == null ? t.samplePrompt(promptRng) : t.samplePrompt(group, promptRng);
            prompts[i] = xs[i].tokens();
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Parallel pool = new Parallel(threads)) {
            Gpt model = ck.loadModel(pool);
            EvalRun.requireFits(ck, t);
            Sampler sampler = temperature == 1.0 ? Sampler.ANCESTRAL : Sampler.temperature(temperature);
            int[][] ys = model.sample(prompts, t.maxResponseLength(), t.endToken(), sampler, seeds.stream("sampling"));
            double[] logpModel = model.sequenceLogProbs(prompts, ys);
            NumeralTokenizer tok = t.tokenizer();
            if (!json) out.printf(Locale.ROOT, "checkpoint %s (step %d) on %s H=%d, seed %d, temperature %s%n", checkpoint, ck.step(), t.name(), t.H(), seed, temperature);
            int valid = 0, correct = 0;
            for (int i = 0; i < count; i++) {
                boolean v = t.verifier(GraphTask.VALID_PATH).accepts(xs[i], ys[i]), c = t.verifier(GraphTask.CORRECT_PATH).accepts(xs[i], ys[i]);
                double logpData = t.logProbData(xs[i], ys[i]);
                if (v) valid++;
                if (c) correct++;
                if (json) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("prompt_text", tok.text(prompts[i]));
                    line.put("response_text", tok.responseText(ys[i]));
                    line.put("prompt", prompts[i]);
                    line.put("response", ys[i]);
                    line.put("class", xs[i].group());
                    line.put("valid", v);
                    line.put("correct", c);
                    line.put("logp_model", logpModel[i]);
                    line.put("logp_data", logpData);
                    out.println(Json.toJsonLine(line));
                } else {
                    out.printf(Locale.ROOT, "[%d] class %s  valid %s  correct %s  log pi_hat(y|x) = %.4f  log pi_D(y|x) = %.4f%n",
                            i + 1, xs[i].group(), v ? "yes" : "no", c ? "yes" : "no", logpModel[i], logpData);
                    out.println("    prompt:   " + tok.text(prompts[i]));
                    out.println("    response: " + tok.text(ys[i]));
                }
            }
            if (!json) out.printf(Locale.ROOT, "valid %d of %d, correct %d of %d%n", valid, count, correct, count);
        }
        out.flush();
        return 0;
    }
}
