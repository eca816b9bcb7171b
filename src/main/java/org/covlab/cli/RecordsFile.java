package org.covlab.cli;

import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.covlab.io.JsonLines;
import org.covlab.metric.LogRatioRecord;
import org.covlab.util.InputException;

/**
 * A log-ratio records file ({@code coverage --records}): one JSON object per line with id, logp_model and the optional
 * logp_data (default 0: the single correct response), weight (default 1), group (default "all"), prompt_id (the prompt the
 * response belongs to; default: the id up to its last '/', {@link LogRatioRecord#promptId}) and answer (the final
 * answer y_ans, section 7.1). Other fields are ignored: eval's and {@code task support}'s "prompt" and "response" are
 * token arrays, not names.
 */
final class RecordsFile {
    private RecordsFile() {}

    /** One line: its record, the prompt it belongs to, and its answer (null when the line has none). */
    record Line(LogRatioRecord record, String prompt, String answer) {}

    /**
     * Reads and validates the lines; every group must carry some weight (any finite weights: they are normalised).
     * With {@code answerRequired} every line must name its answer.
     */
    static List<Line> read(Path file, boolean answerRequired) {
        Map<String, Double> groupWeight = new LinkedHashMap<>();   // the largest weight of each group
        List<Line> out = JsonLines.read(file, line -> {
            String id = line.string("id");
            double logpModel = line.logProb("logp_model");
            double logpData = line.logProb("logp_data", 0.0);
            double weight = line.number("weight", 1.0);
            if (weight < 0) throw line.error("weight", "must be >= 0, got " + weight);
            String group = line.string("group", "all");
            groupWeight.merge(group, weight, Math::max);
            LogRatioRecord r = new LogRatioRecord(id, group, weight, logpData, logpModel);
            if (answerRequired && !line.has("answer")) throw line.error("answer", "is missing (--by-answer needs each response's final answer)");
            return new Line(r, line.has("prompt_id") ? line.name("prompt_id") : r.promptId(), line.has("answer") ? line.name("answer") : null);
        });
        if (out.isEmpty()) throw InputException.at(file, 0, null, "no records");
        groupWeight.forEach((g, w) -> {
            if (!(w > 0)) throw InputException.at(file, 0, "weight", "the weights of group '" + g + "' sum to 0.0; some must be > 0");
        });
        return out;
    }

    static List<LogRatioRecord> records(List<Line> lines) {
        return lines.stream().map(Line::record).toList();
    }

    /** The prompt of each record of {@code lines}. */
    static Function<LogRatioRecord, String> promptOf(List<Line> lines) {
        return lookup(lines, Line::prompt);
    }

    /** The answer of each record of {@code lines}. */
    static Function<LogRatioRecord, String> answerOf(List<Line> lines) {
        return lookup(lines, Line::answer);
    }

    private static Function<LogRatioRecord, String> lookup(List<Line> lines, Function<Line, String> field) {
        Map<LogRatioRecord, String> byRecord = new IdentityHashMap<>();
        for (Line l : lines) byRecord.put(l.record(), field.apply(l));
        return byRecord::get;
    }
}
