package dev.traceflow.benchmark;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Map;

/**
 * The harness as a remote build worker (the server's worker API, with its worker token): it claims
 * the build the benchmark triggered and writes its log over HTTP, as a worker process does, so the
 * log's writer, its followers and the server are three parties and the server a process of its own.
 */
final class RemoteWorkerClient implements AutoCloseable {

    static final String TOKEN_HEADER = "X-TraceFlow-Worker-Token";

    /** A claimed build: its id and the attempt every later call names. */
    record Claim(String buildId, int attempt) {
    }

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    RemoteWorkerClient(String base, String token) {
        this.base = base;
        this.token = token;
    }

    /** Claims the next queued build; fails when there is none (204). */
    Claim claim(String worker) throws IOException, InterruptedException {
        JsonNode answer = post("/api/workers/claim", BuildFixture.json(Map.of("worker", worker)), 200);
        return new Claim(answer.path("id").asString(), answer.path("attempt").asInt());
    }

    void heartbeat(Claim claim) throws IOException, InterruptedException {
        post("/api/workers/builds/" + claim.buildId() + "/heartbeat", BuildFixture.json(Map.of("attempt", claim.attempt())), 200);
    }

    /**
     * Appends lines numbered from {@code firstSeq} (their ts now, level info, stage build); answers the
     * build's last cursor after the append, which the server stored durably before answering.
     */
    long append(Claim claim, long firstSeq, String tsIso, String[] lines) throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder(64 + lines.length * 96).append("{\"attempt\":").append(claim.attempt())
                .append(",\"firstSeq\":").append(firstSeq).append(",\"lines\":[");
        for (int i = 0; i < lines.length; i++) {
            body.append(i == 0 ? "" : ",").append("{\"ts\":\"").append(tsIso).append("\",\"level\":\"info\",\"stage\":\"build\",\"line\":")
                    .append(BuildFixture.json(lines[i])).append('}');
        }
        body.append("]}");
        return post("/api/workers/builds/" + claim.buildId() + "/logs", body.toString(), 200).path("cursor").asLong();
    }

    /** Ends the build (the log is archived and its followers get {@code end}). */
    void finish(Claim claim, String status, String reason) throws IOException, InterruptedException {
        // archiving 100,000 lines took over 30 s on the loaded machine (2026-12-05, load average 17): not measured, so waited for
        post("/api/workers/builds/" + claim.buildId() + "/finish",
                BuildFixture.json(Map.of("attempt", claim.attempt(), "status", status, "reason", reason)), 200, Duration.ofMinutes(5));
    }

    private JsonNode post(String path, String json, int expected) throws IOException, InterruptedException {
        return post(path, json, expected, Duration.ofSeconds(30));
    }

    private JsonNode post(String path, String json, int expected, Duration timeout) throws IOException, InterruptedException {
        var response = client.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Content-Type", "application/json").header(TOKEN_HEADER, token)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IOException("POST " + path + " answered HTTP " + response.statusCode() + ": " + response.body());
        }
        return JsonMapper.shared().readTree(response.body());
    }

    @Override
    public void close() {
        client.close();
    }
}
