package org.covlab.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.covlab.cli.Main;

/**
 * spark-submit's entry point: covlab's command line, with an experiment's cells on the master spark-submit was given
 * ({@code --spark} added when the arguments do not name one). docs/scale-out.md.
 */
public final class SparkMain {
    private SparkMain() {}

    public static void main(String[] args) {
        List<String> a = new ArrayList<>(List.of(args));
        boolean experiment = !a.isEmpty() && a.get(0).equals("experiment") && a.size() > 1 && !a.get(1).startsWith("-");
        if (experiment && a.stream().noneMatch(x -> x.equals("--spark") || x.startsWith("--spark=")))
            a.add("--spark=" + new SparkConf().get("spark.master", "local[*]"));
        System.exit(Main.run(a.toArray(String[]::new)));
    }
}
