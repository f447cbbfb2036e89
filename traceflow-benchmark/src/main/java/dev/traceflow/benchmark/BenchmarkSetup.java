package dev.traceflow.benchmark;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the benchmarks that start their own server and load a dataset (query, alert) do alike: the
 * data dir, the server's start, the apps and their ingest keys, generated secrets.
 */
final class BenchmarkSetup {

    private static final SecureRandom RANDOM = new SecureRandom();

    private BenchmarkSetup() {
    }

    /** The dataset's app ids: shop-1 .. shop-N. */
    static List<String> appIds(int count) {
        List<String> apps = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            apps.add("shop-" + i);
        }
        return apps;
    }

    /** Random hex of {@code bytes} bytes, for the run's generated keys and passwords. */
    static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** A fresh temporary dir, or the given one when it is missing or empty: a loaded file would double the events. */
    static Path prepareDataDir(Path requested, String tempPrefix) throws IOException {
        if (requested == null) {
            return Files.createTempDirectory(tempPrefix);
        }
        Files.createDirectories(requested);
        try (Stream<Path> entries = Files.list(requested)) {
            if (entries.findAny().isPresent()) {
                throw new IOException(requested + " is not empty; the benchmark loads into a fresh data dir");
            }
        }
        return requested.toAbsolutePath();
    }

    static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // a leftover temporary folder is not worth failing the run over
        }
    }

    /** Starts the server, says so with its command line, and stops it when the harness exits early. */
    static ServerProcess startServer(ServerProcess.Launch launch, Duration readyTimeout, String why, PrintStream out)
            throws ServerStartException, IOException {
        out.println("starting the server (" + why + ")");
        long start = System.nanoTime();
        ServerProcess server = ServerProcess.start(launch, readyTimeout);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(Duration.ofSeconds(10))));
        // the command it ran: the collector's young generation is only known once the JVM was asked
        out.println("  " + String.join(" ", server.command()));
        out.printf(Locale.ROOT, "  ready after %.1f s (pid %d, log %s)%n", (System.nanoTime() - start) / 1e9, server.pid(),
                server.logFile());
        return server;
    }

    static String base(ServerProcess server) {
        return "http://127.0.0.1:" + server.port();
    }

    /** Creates the app (kept a year, so a month of data is all there); one that exists already (409) is fine. */
    static void createApp(ApiClient api, String app) throws IOException, InterruptedException {
        ApiClient.Answer answer = api.postJson("/api/apps", "{\"id\":\"" + app + "\",\"retentionDays\":365}");
        if (answer.status() != 201 && answer.status() != 409) {
            throw new IOException("POST /api/apps " + app + " answered HTTP " + answer.status() + ": " + answer.body());
        }
    }

    /** Creates each app and a new ingest key for it: app id → key, in the apps' order. */
    static Map<String, String> createAppsWithKeys(ApiClient api, List<String> apps) throws IOException, InterruptedException {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String app : apps) {
            createApp(api, app);
            ApiClient.Answer key = api.postJson("/api/apps/" + app + "/keys", "{}");
            if (key.status() != 201) {
                throw new IOException("POST /api/apps/" + app + "/keys answered HTTP " + key.status() + ": " + key.body());
            }
            keys.put(app, key.json().path("key").asString());
        }
        return keys;
    }
}
