package dev.traceflow.benchmark;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The server being measured: either a child process this run started (and will stop and count),
 * or one the user started ({@code --no-server}).
 */
record ServerUnderTest(InetSocketAddress address, String ingestKey, ServerProcess process, Path dataDir,
                       Path javaHome, String description, String adminPassword) {

    boolean managed() {
        return process != null;
    }

    boolean stop(Duration timeout) {
        return process.stop(timeout);
    }

    static ServerUnderTest external(BenchmarkOptions options) {
        int port = options.url().getPort() > 0 ? options.url().getPort() : 80;
        return new ServerUnderTest(new InetSocketAddress(options.url().getHost(), port), options.key(),
                null, null, null, "external: " + options.url(), null);
    }

    static ServerUnderTest start(BenchmarkOptions options, SecureRandom random, PrintStream out)
            throws ServerStartException {
        Path javaHome = JdkFinder.findForServer().orElseThrow(() -> new ServerStartException(
                "no JDK >= " + JdkFinder.MINIMUM_FEATURE_VERSION + " found (JAVA_HOME, /usr/lib/jvm)"));
        Path dataDir;
        int port;
        try {
            dataDir = BenchmarkSetup.prepareDataDir(options.dataDir(), "traceflow-bench-");
            port = FreePort.pick();
        } catch (IOException e) {
            throw new ServerStartException("could not prepare the data dir or a port: " + e.getMessage(), e);
        }
        byte[] keyBytes = new byte[16];
        random.nextBytes(keyBytes);
        String ingestKey = "tfb_" + HexFormat.of().formatHex(keyBytes);
        random.nextBytes(keyBytes);
        String adminPassword = "bench-" + HexFormat.of().formatHex(keyBytes);
        var launch = new ServerProcess.Launch(javaHome, options.serverJar(), dataDir, port, ingestKey,
                options.serverCpus(), options.serverJvmArgs(), adminPassword);
        out.println("starting the server, data dir " + dataDir + ", port " + port
                + (options.serverCpus() == null ? "" : ", server CPUs " + options.serverCpus()));
        long startNanos = System.nanoTime();
        ServerProcess process = ServerProcess.start(launch, options.readyTimeout());
        // the command it ran: the collector's young generation is only known once the JVM was asked
        out.println("  " + String.join(" ", process.command()));
        // A Ctrl-C of the benchmark must not leave the server running.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> process.stop(Duration.ofSeconds(10))));
        out.printf(Locale.ROOT, "  ready after %.1f s (pid %d, log %s)%n",
                (System.nanoTime() - startNanos) / 1e9, process.pid(), process.logFile());
        return new ServerUnderTest(new InetSocketAddress("127.0.0.1", port), ingestKey, process, dataDir, javaHome,
                "started: " + options.serverJar(), adminPassword);
    }

    /**
     * App demo's {@code sentryProjectId}, the project of its DSN: {@code --sentry-project} when given,
     * else asked of the server this run started (as admin).
     */
    long sentryProjectId(BenchmarkOptions options) throws IOException, InterruptedException {
        if (options.sentryProject() != null) {
            return options.sentryProject();
        }
        if (!managed()) {
            throw new IOException("--sentry-project is needed for a server the benchmark did not start");
        }
        try (ApiClient api = new ApiClient("http://" + address.getHostString() + ":" + address.getPort(), adminPassword)) {
            ApiClient.Answer app = api.get("/api/apps/" + SyntheticEvents.APP_ID);
            long project = app.status() == 200 ? app.json().path("sentryProjectId").asLong(0) : 0;
            if (project < 1) {
                throw new IOException("GET /api/apps/" + SyntheticEvents.APP_ID + " gave no sentryProjectId (HTTP " + app.status() + ")");
            }
            return project;
        }
    }

    /**
     * Waits until every event the server acknowledged is in its event store, and returns how long
     * that took. The server acknowledges once events are journaled and loads them into DuckDB
     * later; GET /api/ingest/stats makes the loader load at once and answers after it has. Only for
     * a server this run started (it knows the admin password).
     */
    Duration awaitStored() throws IOException, InterruptedException {
        String base = "http://" + address.getHostString() + ":" + address.getPort();
        try (HttpClient client = HttpClient.newHttpClient()) {
            var login = client.send(HttpRequest.newBuilder(URI.create(base + "/auth/login"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"username\":\"admin\",\"password\":\"" + adminPassword + "\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            var token = Pattern.compile("\"accessToken\"\\s*:\\s*\"([^\"]+)\"").matcher(login.body());
            if (login.statusCode() != 200 || !token.find()) {
                throw new IOException("admin login failed with HTTP " + login.statusCode());
            }
            long start = System.nanoTime();
            var stats = client.send(HttpRequest.newBuilder(
                                    URI.create(base + "/api/ingest/stats?appId=" + SyntheticEvents.APP_ID))
                            .header("Authorization", "Bearer " + token.group(1)).timeout(Duration.ofMinutes(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            if (stats.statusCode() != 200) {
                throw new IOException("GET /api/ingest/stats answered HTTP " + stats.statusCode());
            }
            return Duration.ofNanos(System.nanoTime() - start);
        }
    }
}
