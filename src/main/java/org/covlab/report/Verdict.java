package org.covlab.report;

/** How a measurement compares with the paper's claim, as shown in the report's claim tables. */
public enum Verdict {
    /** The measurement shows what the paper claims, at this scale. */
    REPRODUCED("reproduced"),
    /** Part of the claim shows (e.g. the direction but not the size, or on some settings only). */
    PARTLY("partly"),
    /** The measurement contradicts the claim at this scale. */
    NOT_REPRODUCED("not reproduced"),
    /** Too noisy or too small a run to tell. */
    INCONCLUSIVE("inconclusive");

    private final String label;

    Verdict(String label) {
        this.label = label;
    }

    /** The words shown to people, e.g. "not reproduced". */
    public String label() {
        return label;
    }
}
