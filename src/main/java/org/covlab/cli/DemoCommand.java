package org.covlab.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.covlab.experiment.LinearHorizon;
import org.covlab.experiment.LinearHorizonRun;
import org.covlab.report.CsvTable;
import org.covlab.report.HtmlReport;
import org.covlab.report.RunFolder;
import org.covlab.report.Section;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code covlab demo}: the main job on built-in defaults. It runs the experiments in their quick forms, each into a
 * sub-folder of one run folder, and writes one report.html over all of them plus a summary table on stdout.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The main job: run covlab's experiments in their quick forms and write one report.",
                "Today: the linear-horizon experiment (--quick). Writes runs/demo-TIMESTAMP/ with config.json,",
                "results.json, metrics.csv (every claim and its verdict), report.html, and one sub-folder per experiment."},
        footer = {"", "Examples:",
                "  ./covlab demo",
                "  ./covlab demo --seed 7 --out runs/my-demo",
                "  ./covlab demo --out runs/my-demo --resume     # after an interruption"})
public final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin ExperimentOptions options;

    /** What the demo ran, for config.json. */
    record Config(String experiment, long seed, int seeds, LinearHorizon.Settings linearHorizon) {}

    @Override public Integer call() {
        options.validate(spec.commandLine());
        int seeds = spec.commandLine().getParseResult().hasMatchedOption("--seeds") ? options.seeds : 2;
        LinearHorizon.Settings linear = LinearHorizon.Settings.quick(seeds, options.threads);
        RunFolder run = RunFolder.open("demo", options.seed, options.out, options.resume);
        run.writeConfig(new Config("demo", options.seed, seeds, linear));
        System.err.println("covlab: demo -> " + run.dir());

        List<Section> sections = new ArrayList<>();
        try (var p = run.phase(LinearHorizon.NAME)) {
            sections.add(LinearHorizonRun.run(linear, true, options.seed, run.dir().resolve(LinearHorizon.NAME), true).section());
        }
        CsvTable claims = CsvTable.withHeader("experiment", "claim", "measured", "verdict");
        for (Section s : sections)
            for (Section.Claim c : s.claims()) claims.addRow(s.title(), c.claim(), c.measured(), c.verdict().label());
        claims.write(run.file("metrics.csv"));
        HtmlReport.Builder builder = HtmlReport.builder("covlab demo: the coverage principle, measured").meta(run.finish());
        sections.forEach(builder::section);
        HtmlReport report = builder.build();
        report.write(run.file("report.html"));

        System.out.println(report.summary().render());
        System.out.println("run folder: " + run.dir());
        System.out.println("report:     " + run.dir().resolve("report.html"));
        return 0;
    }
}
