package org.covlab.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.covlab.bon.BestOfNRun;
import org.covlab.report.RunFolder;
import org.covlab.report.Section;
import org.covlab.util.InputException;

/**
 * Every kind of run folder covlab writes, by the name in its results.json, with the function that rebuilds its
 * report section from the folder's files alone. {@code covlab report} and the demo's resume use it.
 */
public final class Experiments {
    private Experiments() {}

    /** Run name -> rebuild from the folder. The demo's sub-runs appear in the demo's report in this order. */
    static final Map<String, Function<Path, Section>> REBUILD = new LinkedHashMap<>();
    static {
        REBUILD.put(Fig2Horizon.NAME, Fig2HorizonRun::rebuild);
        REBUILD.put(Fig1Selection.NAME, Fig1SelectionRun::rebuild);
        REBUILD.put(GptInterventions.NAME, GptInterventionsRun::rebuild);
        REBUILD.put(LinearHorizon.NAME, LinearHorizonRun::rebuild);
        REBUILD.put(LinearSamples.NAME, LinearSamplesRun::rebuild);
        REBUILD.put(TournamentVsMle.NAME, TournamentVsMleRun::rebuild);
        REBUILD.put("bon", BestOfNRun::rebuild);
    }

    /** The run's name as written in its results.json. */
    public static String name(Path dir) {
        if (!Files.isRegularFile(dir.resolve(RunFolder.RESULTS)))
            throw InputException.at(dir, 0, null, "is not a finished covlab run folder (no " + RunFolder.RESULTS + ")");
        return RunFolder.readResults(dir).name();
    }

    /** Whether {@code dir} holds a run that finished (results.json with an end time). */
    public static boolean finished(Path dir) {
        return Files.isRegularFile(dir.resolve(RunFolder.RESULTS)) && RunFolder.readResults(dir).finished() != null;
    }

    /** The report sections of a run folder: one for an experiment, one per sub-run for a folder of runs (the demo). */
    public static List<Section> sections(Path dir) {
        String name = name(dir);
        Function<Path, Section> rebuild = REBUILD.get(name);
        if (rebuild != null) return List.of(rebuild.apply(dir));
        List<Section> out = new ArrayList<>();
        for (String sub : REBUILD.keySet()) {
            Path d = dir.resolve(sub);
            if (finished(d)) out.add(REBUILD.get(name(d)).apply(d));
        }
        if (out.isEmpty()) throw InputException.at(dir.resolve(RunFolder.RESULTS), 0, "name",
                "'" + name + "' is not a run covlab can rebuild a report for, and it holds no finished sub-runs");
        return out;
    }
}
