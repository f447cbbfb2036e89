package dev.traceflow.benchmark;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The benchmarks' HTTP client for the server's management and answer API: logs in as the
 * bootstrap admin (or another user) and sends JSON with the bearer token, logging in again shortly
 * before the token expires (a 10M-event run queries for many minutes). Not thread-safe.
 */
final class ApiClient implements AutoCloseable {

    /** Session-based answers over 10M events may take seconds; a stalled server must not hang the run. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration RENEW_BEFORE_EXPIRY = Duration.ofSeconds(60);

    /** An answer: status, body, and the time from sending to the last byte of the body. */
    record Answer(int status, String body, double millis) {

        JsonNode json() {
            return JsonMapper.shared().readTree(body);
        }
    }

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String username;
    private final String password;
    private String token;
    private long tokenValidUntilNanos;

    ApiClient(String base, String adminPassword) {
        this(base, adminPassword, "admin");
    }

    /** As another user than the bootstrap admin. */
    ApiClient(String base, String password, String username) {
        this.base = base;
        this.password = password;
        this.username = username;
    }

    /** The query string of {@code params}, URL-encoded, without the {@code ?}. */
    static String query(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    Answer get(String pathAndQuery) throws IOException, InterruptedException {
        return send(authorized(pathAndQuery).GET().build());
    }

    Answer postJson(String path, String json) throws IOException, InterruptedException {
        return send(authorized(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    Answer putJson(String path, String json) throws IOException, InterruptedException {
        return send(authorized(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    Answer delete(String path) throws IOException, InterruptedException {
        return send(authorized(path).DELETE().build());
    }

    /** Posts events as an SDK does: with an ingest key instead of a login. */
    Answer ingest(String key, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + IngestBenchmark.INGEST_PATH)).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json").header("X-TraceFlow-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private HttpRequest.Builder authorized(String pathAndQuery) throws IOException, InterruptedException {
        return HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + accessToken());
    }

    /** The user's access token, logging in again when it is about to expire (for a client other than this one, e.g. a WebSocket). */
    String accessToken() throws IOException, InterruptedException {
        if (token == null || System.nanoTime() > tokenValidUntilNanos) {
            login();
        }
        return token;
    }

    private void login() throws IOException, InterruptedException {
        String body = JsonMapper.shared().writeValueAsString(Map.of("username", username, "password", password));
        Answer answer = send(HttpRequest.newBuilder(URI.create(base + "/auth/login")).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
        if (answer.status() != 200) {
            throw new IOException(username + " login failed with HTTP " + answer.status() + ": " + answer.body());
        }
        JsonNode json = answer.json();
        token = json.path("accessToken").asString();
        long expiresIn = json.path("expiresIn").asLong(300);
        tokenValidUntilNanos = System.nanoTime() + Duration.ofSeconds(expiresIn).minus(RENEW_BEFORE_EXPIRY).toNanos();
    }

    private Answer send(HttpRequest request) throws IOException, InterruptedException {
        long start = System.nanoTime();
        var response = client.send(request, BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body(), (System.nanoTime() - start) / 1e6);
    }

    @Override
    public void close() {
        client.close();
    }
}
