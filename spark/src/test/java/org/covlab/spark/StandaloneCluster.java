package org.covlab.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on 127.0.0.1 for tests: Spark's own Master and one Worker, each a separate JVM started
 * from the test's class path (Spark's Maven jars); the worker starts executors in their own JVMs. {@link #close}
 * stops all of them.
 */
final class StandaloneCluster implements AutoCloseable {
    final String master;
    final Path workDir;
    private final Path logs;
    private final List<Process> processes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread reaper = new Thread(this::destroyAll, "standalone-cluster-reaper");

    /** The test JVM's class path (surefire keeps it in a property when it starts the JVM through a manifest jar). */
    static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    StandaloneCluster(Path dir, int cores) throws IOException, InterruptedException {
        Path sparkHome = Files.createDirectories(dir.resolve("spark-home/jars")).getParent(); // executors' jars: the class path
        workDir = Files.createDirectories(dir.resolve("work"));
        logs = Files.createDirectories(dir.resolve("logs"));
        int port = freePort();
        master = "spark://127.0.0.1:" + port;
        Runtime.getRuntime().addShutdownHook(reaper); // a test JVM stopped by SIGTERM must not leave the cluster running
        try {
            start("master", sparkHome, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", "" + port,
                    "--webui-port", "" + freePort());
            awaitPort(port);
            start("worker", sparkHome, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "" + cores,
                    "--memory", "2g", "--work-dir", workDir.toString(), "--webui-port", "" + freePort(), master);
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void start(String name, Path sparkHome, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m"));
        cmd.addAll(Arrays.asList(System.getProperty("covlab.spark.jvm.flags", "").trim().split("\\s+")));
        cmd.addAll(List.of("-cp", classPath(), mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logs.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        processes.add(pb.start());
    }

    /** The worker's executor JVMs now running. */
    List<ProcessHandle> executors() {
        if (processes.size() < 2) return List.of();
        return processes.get(1).descendants().filter(p -> commandLine(p).contains("CoarseGrainedExecutorBackend")).toList();
    }

    /** A process's command line: /proc on Linux (ProcessHandle.Info leaves out long ones), else what Java knows. */
    private static String commandLine(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + p.pid() + "/cmdline"))).replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return p.info().commandLine().orElse("");
        }
    }

    /** How many executors the worker has started for applications (one folder each under its work dir). */
    long executorsStarted() throws IOException {
        try (Stream<Path> apps = Files.list(workDir)) {
            long n = 0;
            for (Path app : apps.toList()) try (Stream<Path> e = Files.list(app)) { n += e.count(); }
            return n;
        }
    }

    /** The executors' stderr (what covlab's cells print), every application's, one after another. */
    String executorLogs() throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.walk(workDir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().equals("stderr")).sorted().toList())
                sb.append("--- ").append(workDir.relativize(p)).append('\n').append(Files.readString(p));
        }
        return sb.toString();
    }

    /** The master's and worker's logs, for a failure message. */
    String logs() {
        StringBuilder sb = new StringBuilder();
        for (String n : List.of("master", "worker")) {
            try {
                List<String> lines = Files.readAllLines(logs.resolve(n + ".log"));
                sb.append("--- ").append(n).append(" (last 30 lines)\n");
                lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> sb.append(l).append('\n'));
            } catch (IOException e) {
                sb.append("--- ").append(n).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return sb.toString();
    }

    @Override public void close() {
        destroyAll();
        for (Process p : processes) p.onExit().join();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: nothing left to remove
        }
    }

    private void destroyAll() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IOException("the Spark master did not open port " + port + " within 60 s");
    }
}
