package org.covlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.covlab.eval.ExactEval;
import org.covlab.eval.RecordLines;
import org.covlab.eval.WeightedSequence;
import org.covlab.task.Prompt;
import org.covlab.task.graph.GraphClass;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.NumeralTokenizer;
import org.covlab.util.InputException;
import org.covlab.util.Seeds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code covlab task}: look at the graph-reasoning tasks (paper App. C), draw (x, y) pairs from mu and pi_D, and write
 * eval's evaluation set for a model scored elsewhere.
 */
@Command(name = "task", mixinStandardHelpOptions = true,
        description = {"The graph-reasoning tasks of the paper's experiments (App. C): a layered DAG as the prompt "
                + "'u1 v1 | ... | uk vk / s t =', a path as the response, and pi_D known exactly.",
                "Tasks: fig1-finetune, fig1-pretrain, fig2. --H counts intermediate layers (default 8); paths have "
                        + "H+2 nodes. See docs/tasks.md."},
        footer = {"", "Examples:",
                "  ./covlab task sample --task fig2 --H 8 --count 5 --seed 1 --json",
                "  ./covlab task sample --task fig1-finetune --class G2 --count 3",
                "  ./covlab task info --task fig2 --H 24",
                "  ./covlab task support --task fig2 --H 8 --prompts 4 --out runs/fig2-support.jsonl"})
public final class TaskCommand implements Runnable {

    @Spec CommandSpec spec;

    @Override public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "sample", mixinStandardHelpOptions = true,
            description = {"Draw prompts x ~ mu (or from one class) and responses y ~ pi_D(.|x).",
                    "With --json, one JSON object per line: prompt_text, response_text, prompt and response (token "
                            + "ids; the response ends with the EOS token 0), class, and logp_data = log pi_D(y|x)."},
            footer = {"", "Examples:",
                    "  ./covlab task sample --task fig2 --H 8 --count 5 --seed 1 --json",
                    "  ./covlab task sample --task fig2 --H 8 --count 5 --seed 1 --json --edge-order shuffled   # same graphs",
                    "  ./covlab task sample --task fig2 --H 16 --class G3 --count 2",
                    "  ./covlab task sample --task fig1-pretrain --count 4 --json"})
    void sample(
            @Mixin GraphTaskOptions taskOptions,
            @Option(names = "--count", paramLabel = "N", defaultValue = "5", description = "how many pairs (default ${DEFAULT-VALUE})") int count,
            @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1", description = "master seed; stream 'data' (default ${DEFAULT-VALUE})") long seed,
            @Option(names = "--class", paramLabel = "CLASS", description = "draw only from this class (e.g. G2) instead of the mixture") String group,
            @Option(names = "--json", description = "JSONL on stdout instead of text") boolean json) throws Exception {
        GraphTask task = taskOptions.task();
        Checks.atLeast("--count", 1, count);
        Checks.hasClass(taskOptions.name, task.groupWeights(), group);
        SplittableRandom rng = new Seeds(seed).stream("data");
        NumeralTokenizer tok = task.tokenizer();
        ObjectMapper mapper = new ObjectMapper();
        PrintWriter out = spec.commandLine().getOut();
        if (!json) out.printf("%s (vocab %d, EOS token %d), seed %d%n", task, task.vocabSize(), task.endToken(), seed);
        for (int i = 0; i < count; i++) {
            Prompt x = group == null ? task.samplePrompt(rng) : task.samplePrompt(group, rng);
            int[] y = task.sampleResponse(x, rng);
            double logp = task.logProbData(x, y);
            if (json) {
                ObjectNode line = mapper.createObjectNode();
                line.put("prompt_text", tok.text(x.tokens()));
                line.put("response_text", tok.responseText(y));
                ArrayNode p = line.putArray("prompt");
                for (int t : x.tokens()) p.add(t);
                ArrayNode r = line.putArray("response");
                for (int t : y) r.add(t);
                line.put("class", x.group());
                line.put("logp_data", logp);
                out.println(mapper.writeValueAsString(line));
            } else {
                out.printf("[%d] class %s  log pi_D(y|x) = %.4f  (%d prompt tokens)%n", i + 1, x.group(), logp, x.tokens().length);
                out.println("    prompt:   " + tok.text(x.tokens()));
                out.println("    response: " + tok.responseText(y));
            }
        }
        out.flush();
    }

    @Command(name = "support", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Write the evaluation set of './covlab eval': the same --prompts validation prompts per class (same "
                    + "--seed, same stream) and every response in the support of pi_D(.|x), one JSON line each, with eval's "
                    + "record ids (\"G1/x17/y5\": class G1, prompt 17 of the class, response 5 of its support).",
                    "Each line: id, logp_data = log pi_D(y|x), weight = mu~(class) / P * pi_D(y|x), group (the class), "
                            + "prompt and response (token ids; the response ends with the EOS token 0), prompt_text and "
                            + "response_text. Score each response with any model, add logp_model = log pi_hat(y|x) (natural "
                            + "log, summed over every response token including the EOS, the prompt as context), and "
                            + "'./covlab coverage --records FILE --k 1,4,16' gives eval's KL, Cov_N and Pass@k. "
                            + "See docs/training.md, 'Scoring covlab's evaluation set elsewhere'."},
            footer = {"", "Examples:",
                    "  ./covlab task support --task fig2 --H 8 --prompts 4 --out runs/fig2-support.jsonl",
                    "  ./covlab task support --task fig2 --H 24 --prompts 1024 --out runs/fig2-h24.jsonl",
                    "  ./covlab task support --task fig1-finetune --prompts 16 --edge-order shuffled \\",
                    "      --out runs/fig1-support.jsonl"})
    void support(
            @Mixin GraphTaskOptions taskOptions,
            @Option(names = "--prompts", required = true, paramLabel = "P", description = "validation prompts per class, as eval's --prompts") int prompts,
            @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "seed of the validation prompts, as eval's --seed (default ${DEFAULT-VALUE})") long seed,
            @Option(names = "--out", required = true, paramLabel = "FILE", description = "the JSONL file to write (refused if it exists)") Path out) {
        GraphTask task = taskOptions.task();
        Checks.atLeast("--prompts", 1, prompts);
        Checks.promptsFit("--prompts", task, (long) prompts * task.classes().size(), 16);
        if (Files.exists(out)) throw InputException.at(out, 0, null, "exists; choose another --out (covlab does not overwrite it)");
        List<WeightedSequence> seqs = ExactEval.supportSequences(task, ExactEval.validationPrompts(task, prompts, seed));
        RecordLines.writeSupport(out, seqs, task);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf("%s: %d (prompt, response) pairs of %s, %d prompts per class of %s, seed %d%n",
                out, seqs.size(), task, prompts, task.groupWeights().keySet(), seed);
        stdout.println("add logp_model = log pi_hat(y|x) to each line, then: ./covlab coverage --records " + out + " --k 1,4,16");
        stdout.flush();
    }

    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "The family's classes, vocabulary layout and longest prompt and response (to size the context).",
            footer = {"", "Examples:", "  ./covlab task info --task fig2 --H 8", "  ./covlab task info --task fig1-finetune"})
    void info(@Mixin GraphTaskOptions taskOptions) {
        GraphTask task = taskOptions.task();
        NumeralTokenizer tok = task.tokenizer();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("task %s, H = %d intermediate layers, paths of %d nodes%n", task.name(), task.H(), task.H() + 2);
        out.printf("vocabulary %d: EOS = %d, nodes 1..%d, '|' = %d, '/' = %d, '=' = %d%n",
                task.vocabSize(), NumeralTokenizer.EOS, task.m(), tok.bar(), tok.slash(), tok.equalsSign());
        for (GraphClass c : task.classes())
            out.printf("class %-3s weight %.4f  doubled layers %d  (%s)%n", c.name(), c.weight(), c.doubledLayers(), c.pairs());
        out.printf("classes identifiable from tokens: %s%n", task.identifiable());
        out.printf("edges listed in %s order%n", task.edgeOrder());
        out.printf("longest prompt %d tokens, response %d tokens (with EOS), sum %d%n",
                task.maxPromptLength(), task.maxResponseLength(), task.maxPromptLength() + task.maxResponseLength());
        out.flush();
    }
}
