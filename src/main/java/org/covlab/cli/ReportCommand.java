package org.covlab.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.covlab.experiment.Experiments;
import org.covlab.report.HtmlReport;
import org.covlab.report.RunFolder;
import org.covlab.report.Section;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code covlab report RUN_DIR}: rebuilds report.html (and the plots) from a run folder's files. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Rebuild report.html and the plots of a run folder, without rerunning anything.",
                "Reads its config.json, results.json and CSV files. Works on every experiment's folder, a bon --out",
                "folder and the demo's folder."},
        footer = {"", "Examples:",
                "  ./covlab report runs/demo-20261127-160417",
                "  ./covlab experiment linear-horizon --quick --out runs/lh && ./covlab report runs/lh"})
public final class ReportCommand implements Callable<Integer> {

    @Parameters(paramLabel = "RUN_DIR", description = "A run folder written by covlab.")
    Path dir;

    @Override public Integer call() {
        List<Section> sections = Experiments.sections(dir);
        HtmlReport.Builder b = HtmlReport.builder(title(Experiments.name(dir))).meta(RunFolder.readResults(dir));
        sections.forEach(b::section);
        HtmlReport report = b.build();
        report.write(dir.resolve("report.html"));
        System.out.println(report.summary().render());
        System.out.println("report: " + dir.resolve("report.html"));
        return 0;
    }

    /** The report's title for a run of this name; the demo's is shared with DemoCommand. */
    static String title(String name) {
        return name.equals("demo") ? DemoCommand.TITLE : "covlab: " + name;
    }
}
