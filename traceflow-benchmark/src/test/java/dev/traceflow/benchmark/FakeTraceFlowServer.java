package dev.traceflow.benchmark;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A separate-process stand-in for the TraceFlow server that honours the benchmark's contract:
 * configured by the same environment variables, {@code /healthz}, both endpoints, and on SIGTERM it
 * writes the distinct event ids it accepted into {@code <dataDir>/events.duckdb} (table
 * {@code events}, column {@code app_id}) before exiting. With {@code -Dfake.lose=n} it
 * "forgets" n events, so tests can see the loss check fail. Like the real server, an admin logs in
 * with the bootstrap password ({@code /auth/login}) and {@code GET /api/ingest/stats} answers once
 * everything accepted is stored: here after {@code -Dfake.storeMillis} (default 0).
 */
public final class FakeTraceFlowServer {

    private static final Pattern EVENT_ID = Pattern.compile("\"eventId\":\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(System.getenv("SERVER_PORT"));
        Path dataDir = Path.of(System.getenv("TRACEFLOW_DATA_DIR"));
        String key = System.getenv("TRACEFLOW_BOOTSTRAP_INGEST_KEY");
        boolean noop = "true".equals(System.getenv("TRACEFLOW_BENCHMARK_NOOP_ENDPOINT"));
        int lose = Integer.getInteger("fake.lose", 0);
        Set<String> stored = ConcurrentHashMap.newKeySet();

        HttpServer server = HttpServer.create(new InetSocketAddress(port), 256);
        server.setExecutor(Executors.newFixedThreadPool(4));
        String adminPassword = System.getenv("TRACEFLOW_BOOTSTRAP_ADMIN_PASSWORD");
        long storeMillis = Long.getLong("fake.storeMillis", 0);
        server.createContext("/healthz", exchange -> send(exchange, 200, "{\"status\":\"ok\"}"));
        server.createContext("/auth/login", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            boolean ok = adminPassword != null && body.contains("\"username\":\"admin\"")
                    && body.contains("\"password\":\"" + adminPassword + "\"");
            send(exchange, ok ? 200 : 401, ok ? "{\"accessToken\":\"fake-token\",\"expiresIn\":900}" : "{\"code\":\"BAD_CREDENTIALS\"}");
        });
        server.createContext("/api/ingest/stats", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (!"Bearer fake-token".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, "{\"code\":\"UNAUTHENTICATED\"}");
                return;
            }
            try {
                Thread.sleep(storeMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            send(exchange, 200, "{\"appId\":\"demo\"}");
        });
        server.createContext(IngestBenchmark.INGEST_PATH, exchange -> answer(exchange, key, stored));
        if (noop) {
            server.createContext(IngestBenchmark.NOOP_PATH, exchange -> answer(exchange, key, null));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            try {
                flush(dataDir, stored, lose);
            } catch (Exception e) {
                e.printStackTrace();
            }
        }));
        server.start();
        System.out.println("fake server listening on " + port);
        // HttpServer's threads do not keep the JVM alive; SIGTERM ends this wait through the hook.
        new CountDownLatch(1).await();
    }

    private static void answer(HttpExchange exchange, String key, Set<String> stored) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (!key.equals(exchange.getRequestHeaders().getFirst("X-TraceFlow-Key"))) {
            send(exchange, 401, "{\"error\":\"unknown key\"}");
            return;
        }
        Matcher ids = EVENT_ID.matcher(body);
        int events = 0;
        while (ids.find()) {
            events++;
            if (stored != null) {
                stored.add(ids.group(1));
            }
        }
        send(exchange, 202, "{\"accepted\":" + events + ",\"rejected\":0,\"errors\":[]}");
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void flush(Path dataDir, Set<String> stored, int lose) throws Exception {
        Path csv = dataDir.resolve("ids.csv");
        StringBuilder lines = new StringBuilder("event_id\n");
        stored.stream().skip(Math.min(lose, stored.size())).forEach(id -> lines.append(id).append('\n'));
        Files.writeString(csv, lines);
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + dataDir.resolve("events.duckdb"));
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE events AS SELECT 'demo' AS app_id, event_id FROM read_csv('"
                    + csv + "', header = true, columns = {'event_id': 'VARCHAR'})");
        }
        Files.delete(csv);
    }
}
