package dev.traceflow.it;

import dev.traceflow.support.TestHttp;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Servers the integration tests start as processes: the packaged jar, a free port, and waiting until one answers. */
final class ServerProcesses {

    private ServerProcesses() {
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Starts the jar built by {@code package} with the JDK running the test, its data in
     * {@code dataDir}, stdout and stderr appended to {@code log}.
     *
     * @param jvmOptions options before {@code -jar}, such as the heap size
     * @param env        more settings as environment variables
     */
    static Process startJar(int port, Path dataDir, String ingestKey, List<String> jvmOptions, Map<String, String> env, Path log)
            throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path jar = Path.of("target/traceflow-server.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new AssertionError(jar + " is missing: run the integration tests with verify, which packages it first");
        }
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("SERVER_PORT", Integer.toString(port));
        pb.environment().put("TRACEFLOW_DATA_DIR", dataDir.toString());
        pb.environment().put("TRACEFLOW_BOOTSTRAP_INGEST_KEY", ingestKey);
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * Starts the same jar in worker mode ({@code --traceflow.mode=worker}), its workspaces and git
     * mirrors in {@code dataDir}, stdout and stderr appended to {@code log}.
     *
     * @param env the worker's settings as environment variables ({@code TRACEFLOW_WORKER_SERVER_URL}...)
     */
    static Process startWorker(Path dataDir, Map<String, String> env, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path jar = Path.of("target/traceflow-server.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new AssertionError(jar + " is missing: run the integration tests with verify, which packages it first");
        }
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString(), "--traceflow.mode=worker")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("TRACEFLOW_DATA_DIR", dataDir.toString());
        pb.environment().put("TRACEFLOW_LOG_FORMAT", "text");
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Waits until the worker process logged that it takes builds; fails with its log when it exits or times out. */
    static void awaitWorker(Process worker, Path log, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!worker.isAlive()) {
                throw new AssertionError("worker exited: " + Files.readString(log));
            }
            if (Files.exists(log) && Files.readString(log).contains("worker mode: taking builds from the server")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("worker did not start: " + Files.readString(log));
    }

    /** Waits for {@code /healthz} to answer 200; fails with the process's log when it exits or times out. */
    static void awaitHealthy(Process server, TestHttp http, Path log, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new AssertionError("server exited: " + Files.readString(log));
            }
            try {
                if (http.get("/healthz").status() == 200) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // connection refused while starting
            }
            Thread.sleep(200);
        }
        throw new AssertionError("server did not become healthy: " + Files.readString(log));
    }
}
