package org.covlab.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.covlab.util.AtomicFiles;

/**
 * One self-contained {@code report.html}: inline CSS, plots inlined as base64 data URIs, no script and no
 * network. It opens with the run's metadata and a summary of every claim's verdict, then one {@link Section}
 * per experiment.
 *
 * <pre>{@code
 * HtmlReport.builder("covlab demo")
 *     .meta(RunFolder.readResults(dir))           // seed, git hash, version, dates, phase timings
 *     .section(fig2).section(fig1).section(linear)
 *     .write(dir.resolve("report.html"));
 * }</pre>
 */
public final class HtmlReport {

    /** How to read the figures; shown under the title of every report (design.md: name the direction of Cov_N). */
    public static final String READING_NOTE = "Cov_N is the probability mass of responses that the model under-covers by a "
            + "factor N or more (log pi_D - log pi_model >= log N): lower is better. KL and cross-entropy are in nats.";
    private static final String CSS = css();
    /** Columns of the stdout summary: claims and measurements wrap at spaces to fit a 120-column terminal. */
    public static final int SUMMARY_WIDTH = 120;
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT);

    private final String title;
    private final Map<String, String> meta;
    private final Map<String, Double> timings;
    private final List<Section> sections;

    private HtmlReport(Builder b) {
        title = b.title;
        meta = new LinkedHashMap<>(b.meta);
        timings = new LinkedHashMap<>(b.timings);
        sections = List.copyOf(b.sections);
    }

    public static Builder builder(String title) {
        return new Builder(title);
    }

    /** Collects the report's parts. */
    public static final class Builder {
        private final String title;
        private final Map<String, String> meta = new LinkedHashMap<>();
        private final Map<String, Double> timings = new LinkedHashMap<>();
        private final List<Section> sections = new ArrayList<>();

        private Builder(String title) {
            if (title == null || title.isBlank()) throw new IllegalArgumentException("a report needs a title");
            this.title = title;
        }

        /** One line of run metadata, e.g. {@code meta("seed", 42)}. */
        public Builder meta(String key, Object value) {
            meta.put(key, TextTable.cell(value));
            return this;
        }

        /** The metadata of a run folder's {@code results.json}: seed, git, version, dates, wall time and phases. */
        public Builder meta(RunFolder.Results r) {
            meta("run", r.name());
            meta("seed", r.seed());
            String git = r.gitHash().length() > 12 ? r.gitHash().substring(0, 12) : r.gitHash(); // results.json has it in full
            meta("git commit", git + (Boolean.TRUE.equals(r.gitDirty()) ? " + uncommitted changes" : ""));
            meta("covlab", r.covlabVersion());
            meta("started", date(r.started()));
            meta("finished", r.finished() == null ? "not finished" : date(r.finished()));
            meta("wall time", duration(r.wallSeconds()) + (r.resumes() > 0 ? " over " + (r.resumes() + 1) + " attempts" : ""));
            return timings(r.timingsSeconds());
        }

        /** Wall-clock seconds per phase, shown as a small table. */
        public Builder timings(Map<String, Double> secondsByPhase) {
            timings.putAll(secondsByPhase);
            return this;
        }

        public Builder section(Section s) {
            sections.add(s);
            return this;
        }

        public HtmlReport build() {
            return new HtmlReport(this);
        }

        /** Builds and writes the report; see {@link HtmlReport#write}. */
        public Path write(Path file) {
            return build().write(file);
        }
    }

    /** Every claim of every section, for a summary on stdout: verdict first, wrapped to {@value #SUMMARY_WIDTH} columns. */
    public TextTable summary() {
        TextTable t = TextTable.withHeader("verdict", "experiment", "claim", "measured").wrapAt(SUMMARY_WIDTH);
        for (Section s : sections) for (Section.Claim c : s.claims()) t.row(c.verdict().label(), s.title(), c.claim(), c.measured());
        return t;
    }

    /** Writes the report atomically and returns {@code file}. */
    public Path write(Path file) {
        AtomicFiles.writeString(file, html());
        return file;
    }

    /** The whole document. */
    public String html() {
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n<main>\n");
        header(h);
        summaryTable(h);
        for (Section s : sections) section(h, s);
        h.append("<footer>Written by covlab ").append(esc(RunFolder.version())).append(" on ").append(esc(date(Instant.now())))
                .append(". Self-contained: plots are inlined, nothing is loaded from the network.</footer>\n");
        return h.append("</main>\n</body>\n</html>\n").toString();
    }

    private void header(StringBuilder h) {
        h.append("<header>\n<h1>").append(esc(title)).append("</h1>\n<p class=\"reading\">").append(esc(READING_NOTE)).append("</p>\n");
        if (!meta.isEmpty()) {
            h.append("<dl class=\"meta\">\n");
            meta.forEach((k, v) -> h.append("<div><dt>").append(esc(k)).append("</dt><dd>").append(esc(v)).append("</dd></div>\n"));
            h.append("</dl>\n");
        }
        if (!timings.isEmpty()) {
            h.append("<details class=\"timings\"><summary>Time per phase</summary>\n<table class=\"data\"><thead><tr><th>phase</th>"
                    + "<th class=\"num\">wall time</th></tr></thead><tbody>\n");
            timings.forEach((k, v) -> h.append("<tr><td>").append(esc(k)).append("</td><td class=\"num\">").append(esc(duration(v))).append("</td></tr>\n"));
            h.append("</tbody></table></details>\n");
        }
        h.append("</header>\n");
    }

    private void summaryTable(StringBuilder h) {
        if (sections.stream().allMatch(s -> s.claims().isEmpty())) return;
        Map<Verdict, Integer> counts = new LinkedHashMap<>();
        for (Section s : sections) for (Section.Claim c : s.claims()) counts.merge(c.verdict(), 1, Integer::sum);
        h.append("<section class=\"card\" id=\"summary\">\n<h2>Summary</h2>\n<p class=\"counts\">");
        for (Verdict v : Verdict.values()) {
            if (counts.containsKey(v)) h.append(badge(v)).append(" &times; ").append(counts.get(v)).append(" &nbsp; ");
        }
        h.append("</p>\n");
        claimsTable(h, sections.stream().filter(s -> !s.claims().isEmpty()).toList(), true);
        h.append("</section>\n");
    }

    /** Claim, measured value and verdict per row; with {@code grouped}, a linked title row above each section's claims. */
    private static void claimsTable(StringBuilder h, List<Section> of, boolean grouped) {
        h.append("<table class=\"data claims\"><thead><tr><th>paper's claim</th><th>measured</th><th>verdict</th></tr></thead><tbody>\n");
        for (Section s : of) {
            if (grouped) {
                h.append("<tr class=\"group\"><th colspan=\"3\"><a href=\"#").append(esc(s.anchor())).append("\">")
                        .append(esc(s.title())).append("</a></th></tr>\n");
            }
            for (Section.Claim c : s.claims()) {
                h.append("<tr><td>").append(esc(c.claim())).append("</td><td>").append(esc(c.measured())).append("</td><td>")
                        .append(badge(c.verdict())).append("</td></tr>\n");
            }
        }
        h.append("</tbody></table>\n");
    }

    private static void section(StringBuilder h, Section s) {
        h.append("<section class=\"card\" id=\"").append(esc(s.anchor())).append("\">\n<h2>").append(esc(s.title())).append("</h2>\n");
        h.append("<p class=\"tests\"><strong>What this tests:</strong> ").append(esc(s.whatItTests())).append("</p>\n");
        if (!s.claims().isEmpty()) claimsTable(h, List.of(s), false);
        for (Section.Figure f : s.figures()) figure(h, f);
        for (String n : s.notes()) h.append("<p class=\"note\">").append(esc(n)).append("</p>\n");
        for (Section.Table t : s.tables()) table(h, t);
        if (!s.settings().isEmpty()) {
            h.append("<h3>Settings</h3>\n<table class=\"settings\"><tbody>\n");
            s.settings().forEach((k, v) -> h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>\n"));
            h.append("</tbody></table>\n");
        }
        h.append("</section>\n");
    }

    private static void figure(StringBuilder h, Section.Figure f) {
        h.append("<figure>");
        String name = f.file().getFileName().toString();
        String mime = name.endsWith(".svg") ? "image/svg+xml" : name.endsWith(".jpg") || name.endsWith(".jpeg") ? "image/jpeg" : "image/png";
        try {
            String b64 = Base64.getEncoder().encodeToString(Files.readAllBytes(f.file()));
            h.append("<img alt=\"").append(esc(f.caption().isEmpty() ? name : f.caption())).append("\" src=\"data:").append(mime)
                    .append(";base64,").append(b64).append("\">");
        } catch (IOException e) { // a run that stopped early: show what is missing instead of failing the whole report
            h.append("<div class=\"missing\">plot not available: ").append(esc(f.file().toString())).append("</div>");
        }
        if (!f.caption().isEmpty()) h.append("<figcaption>").append(esc(f.caption())).append("</figcaption>");
        h.append("</figure>\n");
    }

    private static void table(StringBuilder h, Section.Table t) {
        TextTable tt = t.table();
        h.append("<table class=\"data\">");
        if (!t.caption().isEmpty()) h.append("<caption>").append(esc(t.caption())).append("</caption>");
        h.append("<thead><tr>");
        for (int i = 0; i < tt.header().size(); i++) h.append(tt.numeric(i) ? "<th class=\"num\">" : "<th>").append(esc(tt.header().get(i))).append("</th>");
        h.append("</tr></thead><tbody>\n");
        for (List<String> r : tt.rows()) {
            h.append("<tr>");
            for (int i = 0; i < r.size(); i++) h.append(tt.numeric(i) ? "<td class=\"num\">" : "<td>").append(esc(r.get(i))).append("</td>");
            h.append("</tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    private static String badge(Verdict v) {
        return "<span class=\"verdict v-" + v.name().toLowerCase(Locale.ROOT).replace('_', '-') + "\">" + esc(v.label()) + "</span>";
    }

    private static String css() {
        try (var in = HtmlReport.class.getResourceAsStream("report.css")) {
            if (in == null) throw new IllegalStateException("report.css is missing from the covlab jar");
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Escapes text for HTML content and attribute values. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    static String date(Instant t) {
        return DATE.format(t.atZone(ZoneId.systemDefault()));
    }

    /** "12.3 s", "4 min 05 s", "1 h 02 min". */
    static String duration(double seconds) {
        if (!Double.isFinite(seconds)) return "?";
        if (seconds < 60) return String.format(Locale.ROOT, "%.1f s", seconds);
        long s = Math.round(seconds);
        if (s < 3600) return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }
}
