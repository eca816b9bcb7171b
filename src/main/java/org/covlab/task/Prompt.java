package org.covlab.task;

import java.util.Arrays;
import java.util.Objects;

/**
 * A prompt x ~ mu: its token ids and the class (group) it was drawn from.
 * Tasks whose prompts carry structure (a graph) parse it back from the tokens.
 *
 * @param tokens the prompt's token ids, never empty
 * @param group  the mixture component / class, e.g. "G1"; "all" for single-class tasks
 */
public record Prompt(int[] tokens, String group) {
    public Prompt {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(group, "group");
        if (tokens.length == 0) throw new IllegalArgumentException("a prompt needs at least one token");
        tokens = tokens.clone();
    }

    @Override public int[] tokens() { return tokens.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof Prompt p && Arrays.equals(tokens, p.tokens) && group.equals(p.group);
    }

    @Override public int hashCode() { return 31 * Arrays.hashCode(tokens) + group.hashCode(); }

    @Override public String toString() { return "Prompt" + Arrays.toString(tokens) + "[" + group + "]"; }
}
