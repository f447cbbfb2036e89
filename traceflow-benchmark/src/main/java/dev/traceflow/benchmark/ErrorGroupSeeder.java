package dev.traceflow.benchmark;

import dev.traceflow.core.event.EventDetails.ErrorDetails;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the server know the generated dataset's errors before the dataset is loaded behind its back.
 *
 * <p>Error groups live in the metadata database and are fed by the server's loader; events written
 * straight into DuckDB create none, and carry no fingerprint unless given one (the pipeline computes
 * it on ingest). So, with the server running on the empty data dir, this sends each distinct error of
 * the dataset through the ingest API to every app (twice: near the start and near the end of the
 * dataset's month, so the groups' first and last seen span it), and reads back the fingerprint the
 * server gave each. The loader then stamps those fingerprints on the generated errors, and the
 * server's groups match the 10M events.
 */
final class ErrorGroupSeeder {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private final ApiClient api;
    private final Instant now;
    private int nextEventId;

    ErrorGroupSeeder(ApiClient api, Instant now) {
        this.api = api;
        this.now = now;
    }

    /** Sends the errors to every app (keys by app) and answers each error's fingerprint. */
    Map<ErrorDetails, String> seed(Map<String, String> keysByApp, List<ErrorDetails> errors)
            throws IOException, InterruptedException {
        Map<ErrorDetails, String> fingerprints = new LinkedHashMap<>();
        String firstApp = keysByApp.keySet().iterator().next();
        // One error at a time to the first app: the group whose count grows by 2 is that error's
        // (two errors of the dataset may well share a group).
        for (ErrorDetails error : errors) {
            Map<String, Long> before = counts(firstApp);
            send(firstApp, keysByApp.get(firstApp), List.of(error));
            fingerprints.put(error, awaitGrown(firstApp, before, 2));
        }
        for (var app : keysByApp.entrySet()) {
            if (!app.getKey().equals(firstApp)) {
                Map<String, Long> before = counts(app.getKey());
                send(app.getKey(), app.getValue(), errors);
                awaitGrown(app.getKey(), before, 2L * errors.size());
            }
        }
        return fingerprints;
    }

    private void send(String appId, String key, List<ErrorDetails> errors) throws IOException, InterruptedException {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode events = root.putArray("events");
        for (ErrorDetails error : errors) {
            for (Instant at : List.of(now.minus(Duration.ofDays(29)), now.minus(Duration.ofMinutes(2)))) {
                ObjectNode e = events.addObject();
                e.put("appId", appId);
                e.put("type", "error");
                e.put("timestamp", at.toEpochMilli());
                e.put("eventId", "bench-error-" + nextEventId++);
                e.put("userId", "bench-seeder");
                e.put("url", "https://shop.test/");
                e.put("message", error.message());
                e.put("stack", error.stack());
                e.put("errorType", error.errorType());
                e.put("filename", error.filename());
                if (error.lineno() != null) {
                    e.put("lineno", error.lineno());
                }
                if (error.colno() != null) {
                    e.put("colno", error.colno());
                }
            }
        }
        ApiClient.Answer answer = api.ingest(key, JsonMapper.shared().writeValueAsString(root));
        if (answer.status() != 202 || answer.json().path("accepted").asLong() != events.size()) {
            throw new IOException("seeding errors of " + appId + ": HTTP " + answer.status() + " " + answer.body());
        }
    }

    /** The fingerprint of the group that grew by {@code by} events, waiting for the loader. */
    private String awaitGrown(String appId, Map<String, Long> before, long by) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long grownTotal = 0;
        while (System.nanoTime() < deadline) {
            Map<String, Long> after = counts(appId);
            String grown = null;
            grownTotal = 0;
            for (var group : after.entrySet()) {
                long growth = group.getValue() - before.getOrDefault(group.getKey(), 0L);
                grownTotal += growth;
                if (growth > 0) {
                    grown = group.getKey();
                }
            }
            if (grownTotal >= by) {
                return grown;
            }
            Thread.sleep(200);
        }
        throw new IOException("the error groups of " + appId + " grew by " + grownTotal + " events, not " + by
                + ", within " + WAIT.toSeconds() + " s");
    }

    /** Events per group fingerprint over the dataset's month, as {@code GET /api/errors} answers. */
    private Map<String, Long> counts(String appId) throws IOException, InterruptedException {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("appId", appId);
        params.put("from", Long.toString(now.minus(Duration.ofDays(31)).toEpochMilli()));
        params.put("to", Long.toString(now.plus(Duration.ofMinutes(1)).toEpochMilli()));
        params.put("limit", "100");
        params.put("fresh", "true");
        ApiClient.Answer answer = api.get("/api/errors?" + ApiClient.query(params));
        if (answer.status() != 200) {
            throw new IOException("GET /api/errors answered HTTP " + answer.status() + ": " + answer.body());
        }
        Map<String, Long> counts = new HashMap<>();
        for (JsonNode group : answer.json().path("items")) {
            counts.put(group.path("fingerprint").asString(), group.path("count").asLong());
        }
        return counts;
    }
}
