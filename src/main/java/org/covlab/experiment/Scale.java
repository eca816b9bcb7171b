package org.covlab.experiment;

import java.util.Arrays;
import java.util.Locale;
import org.covlab.util.InputException;

/**
 * How big a run of the paper's GPT experiments (fig1-selection, fig2-horizon) is, as {@code --scale}:
 * <ul>
 *   <li>{@code demo}: tiny, for {@code ./covlab demo} and the tests; both experiments together take minutes;</li>
 *   <li>{@code small}: sized so that each experiment finishes in under 20 minutes on 2 cores;</li>
 *   <li>{@code paper}: the paper's sizes (section 4.1-4.3: 6 layers, 4 heads, d 384, batch 128), for bigger machines;</li>
 *   <li>{@code tiny}: not listed in {@code --help}; seconds per cell, for tests of the machinery around the cells
 *       (resume, Spark: spark/SparkRunTest) through the same code as the other scales. Its figures mean nothing.</li>
 * </ul>
 */
public enum Scale {
    DEMO, SMALL, PAPER, TINY;

    /** The name on the command line. */
    public String cliName() { return name().toLowerCase(Locale.ROOT); }

    /** The scale for a command-line name (an {@link InputException} naming {@code --scale} otherwise). */
    public static Scale parse(String s) {
        for (Scale v : values()) if (v.cliName().equals(s)) return v;
        throw new InputException("--scale: unknown scale '" + s + "'; choose one of "
                + String.join(", ", Arrays.stream(values()).filter(v -> v != TINY).map(Scale::cliName).toList()));
    }
}
