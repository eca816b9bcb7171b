package org.covlab.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;
import org.covlab.bon.BestOfN;
import org.covlab.bon.BestOfNRun;
import org.covlab.bon.LinearModelSpec;
import org.covlab.experiment.Experiments;
import org.covlab.experiment.Fig1Selection;
import org.covlab.experiment.Fig1SelectionRun;
import org.covlab.experiment.Fig2Horizon;
import org.covlab.experiment.Fig2HorizonRun;
import org.covlab.experiment.GptInterventions;
import org.covlab.experiment.GptInterventionsRun;
import org.covlab.experiment.LinearHorizon;
import org.covlab.experiment.LinearHorizonRun;
import org.covlab.experiment.LinearSamples;
import org.covlab.experiment.LinearSamplesRun;
import org.covlab.experiment.Scale;
import org.covlab.experiment.TournamentVsMle;
import org.covlab.experiment.TournamentVsMleRun;
import org.covlab.report.CsvTable;
import org.covlab.report.HtmlReport;
import org.covlab.report.RunFolder;
import org.covlab.report.Section;
import org.covlab.task.graph.GraphTasks;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import org.covlab.util.IoErrors;

/**
 * {@code covlab demo}: the main job on built-in defaults. It runs the experiments in their quick forms, each into a
 * sub-folder of one run folder, and writes one report.html over all of them plus a summary table on stdout.
 * With --resume, finished sub-runs are only re-read and unfinished ones continue from their finished cells.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The main job: run covlab's experiments in their quick forms and write one report.",
                "Under 15 minutes on 2 cores: the paper's GPT experiments at --scale demo (fig2-horizon,",
                "fig1-selection, gpt-interventions), then linear-horizon, linear-samples, tournament-vs-mle and",
                "Best-of-N on a linear model.",
                "Writes runs/demo-TIMESTAMP/ with config.json, results.json, metrics.csv (every claim and its verdict),",
                "report.html, and one sub-folder per experiment with its own CSV, plots and report."},
        footer = {"", "Examples:",
                "  ./covlab demo",
                "  ./covlab demo --seed 7 --out runs/my-demo",
                "  ./covlab demo --out runs/my-demo --resume     # after an interruption"})
public final class DemoCommand implements Callable<Integer> {
    static final String TITLE = "covlab demo: the coverage principle, measured";

    /** Best-of-N in the demo: the pivotal instance with a weak rule (so BoN is not trivial), MLE on 16 samples. */
    static final String BON_MODEL = "linear:pivotal:rule=0.2";
    static final int BON_H = 8, BON_TRAIN_SAMPLES = 16, BON_PROMPTS = 512;
    static final int[] BON_N = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin ExperimentOptions options;

    /** What the demo runs, for config.json. */
    record Config(String experiment, long seed, Fig2Horizon.Settings fig2Horizon, Fig1Selection.Settings fig1Selection,
                  GptInterventions.Settings gptInterventions, LinearHorizon.Settings linearHorizon, LinearSamples.Settings linearSamples,
                  TournamentVsMle.Settings tournamentVsMle, String bonModel, int bonH, int bonTrainSamples, int bonPrompts,
                  int[] bonN) {}

    @Override public Integer call() {
        CommandLine cli = spec.commandLine();
        options.validate(cli);
        int threads = options.threads;
        Integer gptSeeds = options.seedsGiven(cli);
        Fig2Horizon.Settings fig2 = Fig2Horizon.Settings.of(Scale.DEMO, gptSeeds, GraphTasks.DEFAULT_EDGE_ORDER);
        Fig1Selection.Settings fig1 = Fig1Selection.Settings.of(Scale.DEMO, gptSeeds, GraphTasks.DEFAULT_EDGE_ORDER);
        GptInterventions.Settings interventions = GptInterventions.Settings.of(Scale.DEMO, gptSeeds);
        LinearHorizon.Settings horizon = LinearHorizon.Settings.quick(options.seedsOr(cli, 2), threads);
        LinearSamples.Settings samples = LinearSamples.Settings.quick(options.seedsOr(cli, LinearSamplesCommand.QUICK_SEEDS), threads);
        TournamentVsMle.Settings tournament = TournamentVsMle.Settings.quick(options.seedsOr(cli, TournamentVsMleCommand.QUICK_SEEDS), threads);
        BestOfN.Settings bon = new BestOfN.Settings(BON_N, BON_PROMPTS, options.seed, threads);
        RunFolder run = RunFolder.open("demo", options.seed, options.out, options.resume);
        run.writeConfig(new Config("demo", options.seed, fig2, fig1, interventions, horizon, samples, tournament, BON_MODEL, BON_H, BON_TRAIN_SAMPLES,
                BON_PROMPTS, BON_N));
        System.err.println("covlab: demo -> " + run.dir());

        long seed = options.seed;
        Map<String, Function<Path, Section>> steps = new LinkedHashMap<>();
        steps.put(Fig2Horizon.NAME, d -> Fig2HorizonRun.run(fig2, seed, d, true, threads).section());
        steps.put(Fig1Selection.NAME, d -> Fig1SelectionRun.run(fig1, seed, d, true, threads).section());
        steps.put(GptInterventions.NAME, d -> GptInterventionsRun.run(interventions, seed, d, true, threads).section());
        steps.put(LinearHorizon.NAME, d -> LinearHorizonRun.run(horizon, true, seed, d, true).section());
        steps.put(LinearSamples.NAME, d -> LinearSamplesRun.run(samples, true, seed, d, true).section());
        steps.put(TournamentVsMle.NAME, d -> TournamentVsMleRun.run(tournament, true, seed, d, true).section());
        steps.put("bon", d -> {
            deleteUnfinished(d); // a Best-of-N measurement has no cells to resume: start it again
            BestOfNRun.LinearSetup setup = BestOfNRun.LinearSetup.of(LinearModelSpec.parse(BON_MODEL), BON_H, BON_TRAIN_SAMPLES, bon);
            BestOfNRun.run(setup.config(), setup.measure(), d);
            return BestOfNRun.rebuild(d);
        });
        List<Section> sections = new ArrayList<>();
        for (var step : steps.entrySet()) {
            Path d = run.dir().resolve(step.getKey());
            try (var p = run.phase(step.getKey())) {
                sections.add(Experiments.finished(d) ? Experiments.sections(d).get(0) : step.getValue().apply(d));
            }
        }
        CsvTable claims = CsvTable.withHeader("experiment", "claim", "measured", "verdict");
        for (Section s : sections)
            for (Section.Claim c : s.claims()) claims.addRow(s.title(), c.claim(), c.measured(), c.verdict().label());
        claims.write(run.file("metrics.csv"));
        HtmlReport.Builder builder = HtmlReport.builder(TITLE).meta(run.finish());
        sections.forEach(builder::section);
        HtmlReport report = builder.build();
        report.write(run.file("report.html"));

        System.out.println(report.summary().render());
        System.out.println("run folder: " + run.dir());
        System.out.println("report:     " + run.dir().resolve("report.html"));
        return 0;
    }

    private static void deleteUnfinished(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (IOException e) {
            throw IoErrors.unchecked("cannot clear the unfinished run " + dir, e);
        }
    }
}
