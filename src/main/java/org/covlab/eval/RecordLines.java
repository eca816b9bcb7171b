package org.covlab.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;
import org.covlab.metric.LogRatioRecord;
import org.covlab.report.Json;
import org.covlab.task.graph.GraphTask;
import org.covlab.task.graph.NumeralTokenizer;
import org.covlab.util.AtomicFiles;

/**
 * The JSONL records format that {@code eval} writes and {@code coverage --records} reads, one line per (prompt,
 * response): {"id","logp_model","logp_data","weight","group"} and, with the tokens, "prompt" and "response" (token
 * ids; the response ends with the EOS token 0) and their text "prompt_text", "response_text". {@code task support}
 * writes the same lines without logp_model: the evaluation set, for a model scored elsewhere.
 */
public final class RecordLines {
    private RecordLines() {}

    /** One line; absent (null) fields are left out. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Line(String id, Double logp_model, double logp_data, double weight, String group,
                       int[] prompt, int[] response, String prompt_text, String response_text) {}

    /** eval's records file: each record, with the tokens and text of its sequence when {@code tokensOf} is not null. */
    public static void write(Path file, List<LogRatioRecord> records, List<WeightedSequence> tokensOf, GraphTask task) {
        write(file, records.size(), i -> {
            LogRatioRecord r = records.get(i);
            return tokensOf == null ? new Line(r.id(), r.logpModel(), r.logpData(), r.weight(), r.group(), null, null, null, null)
                    : line(tokensOf.get(i), r.logpModel(), r.logpData(), task);
        });
    }

    /** The evaluation set: each sequence with its tokens, text, log pi_D(y|x) and weight, no logp_model. */
    public static void writeSupport(Path file, List<WeightedSequence> seqs, GraphTask task) {
        write(file, seqs.size(), i -> line(seqs.get(i), null, task.logProbData(seqs.get(i).prompt(), seqs.get(i).response()), task));
    }

    private static Line line(WeightedSequence s, Double logpModel, double logpData, GraphTask task) {
        NumeralTokenizer tok = task.tokenizer();
        int[] x = s.prompt().tokens(), y = s.response();
        return new Line(s.id(), logpModel, logpData, s.weight(), s.prompt().group(), x, y, tok.text(x), tok.responseText(y));
    }

    private static void write(Path file, int n, IntFunction<Line> line) {
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            for (int i = 0; i < n; i++) {
                w.write(Json.toJsonLine(line.apply(i)));
                w.write('\n');
            }
            w.flush();
        });
    }
}
