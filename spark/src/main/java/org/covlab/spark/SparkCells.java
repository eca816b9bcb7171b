package org.covlab.spark;

import java.io.Serializable;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.covlab.cli.Main;
import org.covlab.experiment.CellCluster;
import org.covlab.experiment.CellFailedException;
import org.covlab.report.Progress;
import org.covlab.train.DivergedException;
import org.covlab.util.InputException;

/**
 * An experiment's cells as Spark tasks: one task per unfinished cell, each replaying the experiment's command on its
 * executor to run that one cell with covlab's CPU engine ({@link Main#runCell}), on {@code spark.task.cpus} threads.
 * A task writes only its cell's files, each atomically, in the run folder every executor sees; Spark retries a
 * failed or lost task, which resumes from the cell's newest checkpoint or starts the cell over.
 */
public final class SparkCells implements CellCluster {

    /** Registered in META-INF/services: the core's {@code --spark MASTER} finds it there. */
    public static final class Factory implements CellCluster.Factory {
        @Override public CellCluster open(String master, List<String> argv) { return new SparkCells(master, argv); }
    }

    /** Executors run covlab's tensor kernels: they need the Vector API's module, as the driver does. */
    static final String EXECUTOR_FLAGS = "--add-modules=jdk.incubator.vector";

    private final String master;
    private final ArrayList<String> argv;
    private final JavaSparkContext sc;

    SparkCells(String master, List<String> argv) {
        this.master = master;
        this.argv = new ArrayList<>(argv);
        SparkConf conf = new SparkConf().setMaster(master).setAppName("covlab " + String.join(" ", argv));
        conf.set("spark.executor.extraJavaOptions", (conf.get("spark.executor.extraJavaOptions", "") + " " + EXECUTOR_FLAGS).trim());
        if (!conf.contains("spark.jars")) appJar().ifPresent(jar -> conf.setJars(new String[] {jar}));
        sc = new JavaSparkContext(conf);
    }

    /** One cell: the experiment's command line, the run folder, the cell's key. */
    record CellTask(ArrayList<String> argv, String dir, String key) implements Serializable {
        void run() throws Exception {
            Main.runCell(argv, Path.of(dir), key, TaskContext.get().cpus());
        }
    }

    @Override public void run(Path dir, List<String> keys, Progress progress) {
        List<CellTask> tasks = keys.stream().map(k -> new CellTask(argv, dir.toString(), k)).toList();
        AtomicInteger stepped = new AtomicInteger();
        Runnable stepOnce = () -> { if (stepped.getAndIncrement() < tasks.size()) progress.step(); };
        SparkListener listener = new SparkListener() {
            @Override public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.taskInfo().successful()) stepOnce.run();
            }
        };
        sc.sc().addSparkListener(listener);
        try {
            sc.parallelize(tasks, tasks.size()).foreach(CellTask::run);
        } catch (Exception e) {
            if (!(e instanceof SparkException)) throw e;
            throw failed((SparkException) e, keys);
        } finally {
            sc.sc().removeSparkListener(listener);
        }
        while (stepped.get() < tasks.size()) stepOnce.run();  // task-end events the listener had not seen yet
    }

    /** Spark's reason for a job it gave up: "Task 3 in stage 1.0 failed 4 times, most recent failure: Lost task 3.3 ... (HOST executor 1): WHY". */
    private static final Pattern GAVE_UP = Pattern.compile("Task (\\d+) in stage \\S+ failed (\\d+) times?, most recent failure: .*?\\): (.*)");

    /** The cell whose task Spark gave up on (task i is cell keys[i]), its attempts and why, from Spark's reason. */
    CellFailedException failed(SparkException e, List<String> keys) {
        String reason = e.getMessage().lines().findFirst().orElse("");
        Matcher m = GAVE_UP.matcher(reason);
        if (!m.find()) return new CellFailedException("cells failed on " + this + ": " + reason, false);
        int attempts = Integer.parseInt(m.group(2));
        Throwable cause = e.getCause();  // the task's exception, when it was one (not a lost executor)
        String why = cause == null ? m.group(3).replaceFirst("^[\\w$.]+\\.(\\w+: )", "$1")
                : cause instanceof InputException || cause instanceof DivergedException ? cause.getMessage()
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        boolean diverged = cause instanceof DivergedException || m.group(3).startsWith(DivergedException.class.getName() + ":");
        return new CellFailedException("cell " + keys.get(Integer.parseInt(m.group(1))) + " failed on " + this + " after " + attempts
                + (attempts == 1 ? " attempt: " : " attempts: ") + why, diverged);
    }

    /** The jar these classes came from (covlab-spark.jar), for the executors; none when run from classes. */
    private static Optional<String> appJar() {
        try {
            Path p = Path.of(SparkCells.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return p.toString().endsWith(".jar") ? Optional.of(p.toString()) : Optional.empty();
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override public void close() {
        sc.close();
    }

    @Override public String toString() {
        return "Spark " + master;
    }
}
