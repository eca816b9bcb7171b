package org.covlab.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One experiment's part of the {@link HtmlReport}: what it tests (one sentence), the paper's claims beside the
 * measured values with a {@link Verdict}, its plots, optional notes and tables, and its settings.
 *
 * <pre>{@code
 * Section.builder("fig2-horizon", "Whether KL at convergence grows linearly in H while Cov_16 stays flat (Fig. 2).")
 *     .claim("KL at convergence grows linearly in H", "slope 0.051 nats per token (R^2 0.98)", Verdict.REPRODUCED)
 *     .plot(run.file("kl_vs_iteration.png"), "KL against iteration: median and 1/16-15/16 band over 16 seeds")
 *     .setting("H", "8, 16, 24").setting("seeds", 16)
 *     .build();
 * }</pre>
 */
public final class Section {

    /** One row of the claims table: the paper's claim, what this run measured, and the verdict. */
    public record Claim(String claim, String measured, Verdict verdict) {
        public Claim {
            if (claim == null || claim.isBlank()) throw new IllegalArgumentException("a claim needs its text");
            if (measured == null) throw new IllegalArgumentException("say what was measured for: " + claim);
            if (verdict == null) throw new IllegalArgumentException("a claim needs a verdict: " + claim);
        }
    }

    /** A plot file (PNG or SVG) and its caption; inlined when the report is written. */
    public record Figure(Path file, String caption) {}

    /** A captioned table. */
    public record Table(String caption, TextTable table) {}

    private final String title;
    private final String whatItTests;
    private final List<Claim> claims;
    private final List<Figure> figures;
    private final List<String> notes;
    private final List<Table> tables;
    private final Map<String, String> settings;

    private Section(Builder b) {
        title = b.title;
        whatItTests = b.whatItTests;
        claims = List.copyOf(b.claims);
        figures = List.copyOf(b.figures);
        notes = List.copyOf(b.notes);
        tables = List.copyOf(b.tables);
        settings = new LinkedHashMap<>(b.settings);
    }

    /** Starts a section: its title (usually the experiment name) and one sentence on what it tests. */
    public static Builder builder(String title, String whatItTests) {
        return new Builder(title, whatItTests);
    }

    public String title() { return title; }

    public String whatItTests() { return whatItTests; }

    public List<Claim> claims() { return claims; }

    public List<Figure> figures() { return figures; }

    public List<String> notes() { return notes; }

    public List<Table> tables() { return tables; }

    /** The settings in the order they were given. */
    public Map<String, String> settings() { return Collections.unmodifiableMap(settings); }

    /** The HTML anchor of the section: its title in lower case, non-alphanumerics as "-". */
    public String anchor() {
        return title.toLowerCase().replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    /** Collects a section's parts in the order they are given. */
    public static final class Builder {
        private final String title;
        private final String whatItTests;
        private final List<Claim> claims = new ArrayList<>();
        private final List<Figure> figures = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        private final List<Table> tables = new ArrayList<>();
        private final Map<String, String> settings = new LinkedHashMap<>();

        private Builder(String title, String whatItTests) {
            if (title == null || title.isBlank()) throw new IllegalArgumentException("a section needs a title");
            if (whatItTests == null || whatItTests.isBlank()) throw new IllegalArgumentException("say what section '" + title + "' tests");
            this.title = title;
            this.whatItTests = whatItTests;
        }

        public Builder claim(String claim, String measured, Verdict verdict) {
            claims.add(new Claim(claim, measured, verdict));
            return this;
        }

        /** A PNG or SVG file to inline; a missing file shows as a visible placeholder, not an error. */
        public Builder plot(Path file, String caption) {
            figures.add(new Figure(file, caption == null ? "" : caption));
            return this;
        }

        /** The PNG of a written {@link Plot}. */
        public Builder plot(Plot.Files files, String caption) {
            return plot(files.png(), caption);
        }

        /** A paragraph of plain text, e.g. why a measurement disagrees with the theory. */
        public Builder note(String text) {
            notes.add(text);
            return this;
        }

        public Builder table(String caption, TextTable table) {
            tables.add(new Table(caption == null ? "" : caption, table));
            return this;
        }

        /** A setting of the run (numbers shown as in {@link TextTable#cell}). */
        public Builder setting(String name, Object value) {
            settings.put(name, TextTable.cell(value));
            return this;
        }

        public Section build() {
            return new Section(this);
        }
    }
}
