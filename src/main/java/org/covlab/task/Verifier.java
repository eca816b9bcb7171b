package org.covlab.task;

/**
 * A 0/1 reward r(x, y) (paper section 1.1): Best-of-N with a verifier succeeds iff some draw is accepted,
 * which makes BoN success exactly Pass@N.
 */
@FunctionalInterface
public interface Verifier {
    boolean accepts(Prompt x, int[] response);

    default double reward(Prompt x, int[] response) { return accepts(x, response) ? 1.0 : 0.0; }

    /**
     * Whether some response that starts with {@code response[0..length)} (that prefix itself included) may be
     * accepted. False only when none can, so a sampler may stop such a row: whatever it would draw next, the draw
     * is rejected, and so is the stopped prefix. The default, true, never stops a row.
     */
    default boolean canAccept(Prompt x, int[] response, int length) { return true; }

    /** Accepts every response: the task has no notion of correctness beyond pi_D. */
    Verifier ANY = (x, y) -> true;
}
