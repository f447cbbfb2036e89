package dev.traceflow.benchmark;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The TraceFlow server as a child process: started from its fat jar with the benchmark's settings in
 * environment variables, optionally pinned to CPUs with {@code taskset}, output captured in
 * {@code <dataDir>/server.log}, and stopped with SIGTERM so it flushes before exiting.
 */
public final class ServerProcess implements AutoCloseable {

    /** How often readiness is polled, in milliseconds. */
    private static final long READY_POLL_MILLIS = 250;
    private static final int LOG_TAIL_LINES = 40;
    private static final int LOG_TAIL_BYTES = 16 * 1024;

    private final Process process;
    private final int port;
    private final Path logFile;
    private final List<String> command;

    private ServerProcess(Process process, int port, Path logFile, List<String> command) {
        this.command = List.copyOf(command);
        this.process = process;
        this.port = port;
        this.logFile = logFile;
    }

    /**
     * How to start the server.
     *
     * @param settings further environment variables for the server (e.g. {@code TRACEFLOW_ALERTS_TICK}); they cannot
     *                 replace the ones {@link #environment} sets, which the harness relies on
     */
    public record Launch(Path javaHome, Path jar, Path dataDir, int port, String ingestKey,
                         String cpus, List<String> jvmArgs, String adminPassword, Map<String, String> settings) {

        public Launch {
            settings = Map.copyOf(settings);
        }

        public Launch(Path javaHome, Path jar, Path dataDir, int port, String ingestKey, String cpus, List<String> jvmArgs,
                      String adminPassword) {
            this(javaHome, jar, dataDir, port, ingestKey, cpus, jvmArgs, adminPassword, Map.of());
        }
    }

    /**
     * The JVM option {@code ./traceflow} starts the server with on JDK 25+: 8-byte object headers
     * (JEP 519). The server is measured as users run it; an explicit {@code UseCompactObjectHeaders}
     * in the JVM arguments wins.
     */
    static final String COMPACT_HEADERS = "-XX:+UseCompactObjectHeaders";

    /**
     * The young generation {@code ./traceflow} gives a JVM that would run the Serial collector (one
     * CPU): room for the events awaiting their load, so young collections do not promote them.
     */
    static final List<String> SERIAL_YOUNG_GENERATION = List.of("-Xmn256m", "-XX:SurvivorRatio=4", "-XX:TargetSurvivorRatio=80");
    private static final Pattern SERIAL_FLAG = Pattern.compile("(?m)^\\s*bool\\s+UseSerialGC\\s+=\\s+true\\b");

    /**
     * The allocator setting {@code ./traceflow} gives DuckDB's jemalloc: freed memory kept 30 s instead
     * of DuckDB's one second, so an answer after other answers does not fault its working
     * memory in again.
     */
    static final String DUCKDB_ALLOCATOR_VARIABLE = "DUCKDB_JE_MALLOC_CONF";
    static final String DUCKDB_ALLOCATOR_DEFAULT = "dirty_decay_ms:30000,muzzy_decay_ms:30000";

    static List<String> command(Launch launch) {
        return command(launch, false);
    }

    /**
     * The command line: {@code [taskset -c <cpus>] <java> [launcher defaults] [jvmArgs] -jar <jar>},
     * the launcher's defaults including {@link #SERIAL_YOUNG_GENERATION} when {@code serialCollector};
     * the JVM arguments come after them, so they win. {@code taskset} execs java in place, so the
     * child's pid is the JVM's and SIGTERM reaches it directly.
     */
    static List<String> command(Launch launch, boolean serialCollector) {
        List<String> command = new ArrayList<>(pinning(launch));
        command.add(JdkFinder.javaExecutable(launch.javaHome()).toString());
        if (JdkFinder.featureVersion(launch.javaHome()).orElse(0) >= 25
                && launch.jvmArgs().stream().noneMatch(arg -> arg.contains("UseCompactObjectHeaders"))) {
            command.add(COMPACT_HEADERS);
        }
        if (serialCollector) {
            command.addAll(SERIAL_YOUNG_GENERATION);
        }
        command.addAll(launch.jvmArgs());
        command.addAll(List.of("-jar", launch.jar().toString()));
        return command;
    }

    private static List<String> pinning(Launch launch) {
        return launch.cpus() != null && !launch.cpus().isBlank() ? List.of("taskset", "-c", launch.cpus()) : List.of();
    }

    /**
     * Whether the server's JVM would run the Serial collector, asked of it as {@code ./traceflow}
     * does: the same java, JVM arguments and CPUs, {@code -XX:+PrintFlagsFinal -version}.
     */
    static boolean runsSerialCollector(Launch launch) throws IOException, InterruptedException {
        List<String> probe = new ArrayList<>(pinning(launch));
        probe.add(JdkFinder.javaExecutable(launch.javaHome()).toString());
        probe.addAll(launch.jvmArgs());
        probe.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        Process process = new ProcessBuilder(probe).redirectErrorStream(true).start();
        String flags = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return process.waitFor() == 0 && isSerial(flags);
    }

    /** Whether {@code -XX:+PrintFlagsFinal} output says the Serial collector. */
    static boolean isSerial(String printedFlags) {
        return SERIAL_FLAG.matcher(printedFlags).find();
    }

    /** The server's configuration; everything goes through environment variables (API contract). */
    static Map<String, String> environment(Launch launch) {
        Map<String, String> environment = new LinkedHashMap<>();
        // as ./traceflow: the harness's own environment, else the launcher's default; a setting given wins
        environment.put(DUCKDB_ALLOCATOR_VARIABLE,
                System.getenv().getOrDefault(DUCKDB_ALLOCATOR_VARIABLE, DUCKDB_ALLOCATOR_DEFAULT));
        environment.putAll(launch.settings());
        environment.putAll(Map.of(
                "SERVER_PORT", Integer.toString(launch.port()),
                "TRACEFLOW_DATA_DIR", launch.dataDir().toString(),
                "TRACEFLOW_BOOTSTRAP_INGEST_KEY", launch.ingestKey(),
                "TRACEFLOW_BENCHMARK_NOOP_ENDPOINT", "true",
                // the harness logs in to wait until everything accepted is stored (GET /api/ingest/stats)
                "TRACEFLOW_BOOTSTRAP_ADMIN_PASSWORD", launch.adminPassword(),
                "JAVA_HOME", launch.javaHome().toString()));
        return environment;
    }

    /**
     * Starts the server and waits until {@code GET /healthz} answers 200.
     *
     * @throws ServerStartException when the jar is missing, the process dies, or it is not ready in time;
     *                              the process is stopped and the log's last lines are in the message
     */
    public static ServerProcess start(Launch launch, Duration readyTimeout) throws ServerStartException {
        if (!Files.isRegularFile(launch.jar())) {
            throw new ServerStartException("server jar not found: " + launch.jar()
                    + " (build it with ./mvnw -B -q -DskipTests package)");
        }
        Path logFile = launch.dataDir().resolve("server.log");
        List<String> command;
        try {
            command = command(launch, runsSerialCollector(launch));
        } catch (IOException e) {
            throw new ServerStartException("could not ask " + launch.javaHome() + " for its collector: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerStartException("interrupted while asking the JVM for its collector", e);
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        builder.environment().putAll(environment(launch));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new ServerStartException("could not start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        ServerProcess server = new ServerProcess(process, launch.port(), logFile, command);
        try {
            server.awaitReady(readyTimeout);
            return server;
        } catch (ServerStartException e) {
            server.stop(Duration.ofSeconds(10));
            throw e;
        } catch (InterruptedException e) {
            server.stop(Duration.ofSeconds(10));
            Thread.currentThread().interrupt();
            throw new ServerStartException("interrupted while waiting for the server", e);
        }
    }

    private void awaitReady(Duration timeout) throws ServerStartException, InterruptedException {
        URI health = URI.create("http://127.0.0.1:" + port + "/healthz");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            HttpRequest request = HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).GET().build();
            while (true) {
                if (!process.isAlive()) {
                    throw new ServerStartException("server exited with code " + process.exitValue()
                            + " before becoming ready; last lines of " + logFile + ":\n" + logTail());
                }
                try {
                    var response = client.send(request, BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // Not listening yet.
                }
                if (System.nanoTime() > deadline) {
                    throw new ServerStartException("server not ready after " + timeout.toSeconds() + " s at " + health
                            + "; last lines of " + logFile + ":\n" + logTail());
                }
                Thread.sleep(READY_POLL_MILLIS);
            }
        }
    }

    public int port() {
        return port;
    }

    public Path logFile() {
        return logFile;
    }

    /** The command line it was started with, launcher defaults included (see {@link #command(Launch, boolean)}). */
    public List<String> command() {
        return command;
    }

    public long pid() {
        return process.pid();
    }

    /**
     * Sends SIGTERM ({@link Process#destroy()}) and waits for the exit; the server flushes buffered
     * events on that signal. If it has not exited after {@code timeout} it is killed.
     *
     * @return true when it exited by itself within the timeout
     */
    public boolean stop(Duration timeout) {
        if (!process.isAlive()) {
            return true;
        }
        process.destroy();
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** The exit code, or null while running. */
    public Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    /** The last lines of the server log, for error messages. */
    public String logTail() {
        // Read only the end: a log of a long run can be large.
        try (SeekableByteChannel channel = Files.newByteChannel(logFile)) {
            long from = Math.max(0, channel.size() - LOG_TAIL_BYTES);
            ByteBuffer tail = ByteBuffer.allocate((int) (channel.size() - from));
            channel.position(from);
            while (tail.hasRemaining() && channel.read(tail) > 0) {
                // keep reading until the buffer is full or the file ends
            }
            List<String> lines = new String(tail.array(), 0, tail.position(), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(60));
    }
}
