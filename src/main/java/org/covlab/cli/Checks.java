package org.covlab.cli;

import java.util.Map;
import org.covlab.task.graph.GraphTask;
import org.covlab.util.Heap;
import org.covlab.util.InputException;

/** A number the user typed that is out of range: a one-line {@link InputException} naming the option (exit code 2). */
final class Checks {
    private Checks() {}

    /** Passes {@code value >= min}; otherwise "OPTION: must be >= MIN, got VALUE". */
    static void atLeast(String option, int min, int value) {
        if (value < min) throw new InputException(option + ": must be >= " + min + ", got " + value);
    }

    /** The most threads any command takes: a few per core is plenty (results do not depend on the count). */
    static final int MAX_THREADS = 4 * Runtime.getRuntime().availableProcessors();

    /** Passes 1 <= threads <= {@link #MAX_THREADS}; otherwise "--threads: must be in [1, MAX], got VALUE". */
    static void threads(int threads) {
        if (threads < 1 || threads > MAX_THREADS)
            throw new InputException("--threads: must be in [1, " + MAX_THREADS + "] (4 per core on this machine), got " + threads);
    }

    /**
     * Passes when {@code prompts} prompts of the task, each with up to {@code sequences} responses, fit in the heap
     * (about 16 bytes per token of each prompt and response kept: tokens, their copies and the records made of them).
     */
    static void promptsFit(String option, GraphTask task, long prompts, int sequences) {
        double perPrompt = 16.0 * (task.maxPromptLength() + sequences * (double) task.maxResponseLength()) + 512.0 * sequences;
        Heap.require(option + ": " + prompts + " prompts of " + task, prompts * perPrompt, "use fewer");
    }

    /** Passes {@code --class G} when the task (named as the user will recognise it) has class G, or when it is null. */
    static void hasClass(String taskName, Map<String, Double> groupWeights, String group) {
        if (group != null && !groupWeights.containsKey(group))
            throw new InputException("--class: " + taskName + " has no class '" + group + "'; classes: " + groupWeights.keySet());
    }

    /** Passes a finite {@code value > 0}; otherwise "OPTION: must be > 0, got VALUE". */
    static void positive(String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) throw new InputException(option + ": must be > 0, got " + value);
    }
}
