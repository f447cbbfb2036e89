package dev.traceflow.benchmark;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Phase D of the alert benchmark: how long after an error event of a new group is accepted (its
 * 202 received) the {@code new_error_group} rule's webhook arrives, and, for the same event, how
 * long until {@code GET /api/errors?fresh=true} lists the group (the baseline: the group being
 * readable at all). Trials run one after the other, each with an error type and stack never seen
 * before, after a random pause so they do not fall into step with the loader's linger.
 */
final class NewErrorGroupTrials {

    /** Trial markers are letters only: the fingerprinter may normalise digits away. */
    static final Pattern MARKER = Pattern.compile("AlertBench[a-z]+N[a-z]+");
    private static final Duration POLL = Duration.ofMillis(20);

    private final ApiClient api;
    private final String appId;
    private final String ingestKey;
    private final WebhookReceiver receiver;
    private final String runTag;
    private final PrintStream out;
    private final Random random = new Random();

    /**
     * Timings in milliseconds from the 202.
     *
     * @param webhook  to the webhook's arrival
     * @param readable to the answer of {@code GET /api/errors?fresh=true} that first listed the group
     * @param failures trials without a webhook or a listing in time, or with a refused event
     */
    record Result(LatencySamples webhook, LatencySamples readable, List<String> failures) {
    }

    /** @param runTag letters that make this run's error types unlike any earlier run's */
    NewErrorGroupTrials(ApiClient api, String appId, String ingestKey, WebhookReceiver receiver, String runTag, PrintStream out) {
        this.api = api;
        this.appId = appId;
        this.ingestKey = ingestKey;
        this.receiver = receiver;
        this.runTag = runTag;
        this.out = out;
    }

    Result run(int trials, Duration timeout, Duration maxPause) throws IOException, InterruptedException {
        LatencySamples webhook = new LatencySamples();
        LatencySamples readable = new LatencySamples();
        List<String> failures = new ArrayList<>();
        for (int n = 0; n < trials; n++) {
            Thread.sleep(random.nextLong(maxPause.toMillis() + 1));
            String marker = marker(runTag, n);
            long timestamp = System.currentTimeMillis();
            ApiClient.Answer answer = api.ingest(ingestKey, event(marker, timestamp));
            long accepted = System.nanoTime();
            if (answer.status() != 202 || answer.json().path("accepted").asLong() != 1) {
                failures.add(marker + ": ingest answered HTTP " + answer.status() + " " + answer.body());
                continue;
            }
            long listed = awaitListed(marker, timestamp, accepted + timeout.toNanos());
            if (listed < 0) {
                failures.add(marker + ": not listed by GET /api/errors within " + timeout.toSeconds() + " s");
            } else {
                readable.add(Math.max(0, listed - accepted) / 1e6);
            }
            long left = Math.max(0, accepted + timeout.toNanos() - System.nanoTime());
            WebhookReceiver.Arrival arrival = receiver.await(marker, Duration.ofNanos(left));
            if (arrival == null) {
                failures.add(marker + ": no webhook within " + timeout.toSeconds() + " s");
            } else {
                // the loader may store the event before this thread has read the 202: that counts as 0
                webhook.add(Math.max(0, arrival.nanos() - accepted) / 1e6);
            }
            if ((n + 1) % 20 == 0) {
                out.printf(Locale.ROOT, "  %d trials: webhook p50 %s ms, listed p50 %s ms, failures %d%n", n + 1,
                        webhook.count() == 0 ? "-" : BenchmarkReport.millis(webhook.percentile(50)),
                        readable.count() == 0 ? "-" : BenchmarkReport.millis(readable.percentile(50)), failures.size());
            }
        }
        return new Result(webhook, readable, failures);
    }

    /** {@code AlertBench<tag>N<n in letters>}: unique per run and trial, and found again in the webhook's body. */
    static String marker(String runTag, int n) {
        StringBuilder letters = new StringBuilder();
        int rest = n;
        do {
            letters.append((char) ('a' + rest % 26));
            rest /= 26;
        } while (rest > 0);
        return "AlertBench" + runTag + "N" + letters;
    }

    private String event(String marker, long timestamp) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("appId", appId);
        e.put("type", "error");
        e.put("timestamp", timestamp);
        e.put("eventId", "alert-bench-" + marker);
        e.put("userId", "alert-bench");
        e.put("url", "https://shop.test/checkout");
        e.put("errorType", marker + "Error");
        e.put("message", "benchmark trial " + marker + " failed");
        e.put("stack", marker + "Error: benchmark trial " + marker + " failed\n    at " + marker
                + " (https://shop.test/app.js:1:1)\n    at main (https://shop.test/app.js:2:1)");
        e.put("filename", "https://shop.test/app.js");
        return JsonMapper.shared().writeValueAsString(Map.of("events", List.of(e)));
    }

    /** When an answer first listed the group of {@code marker}, or -1 after {@code deadline}. */
    private long awaitListed(String marker, long timestamp, long deadline) throws IOException, InterruptedException {
        String query = "/api/errors?" + ApiClient.query(Map.of("appId", appId, "from", Long.toString(timestamp),
                "to", Long.toString(timestamp + 1), "fresh", "true", "limit", "100"));
        String type = marker + "Error";
        while (System.nanoTime() < deadline) {
            ApiClient.Answer answer = api.get(query);
            long at = System.nanoTime();
            if (answer.status() != 200) {
                throw new IOException("GET /api/errors answered HTTP " + answer.status() + ": " + answer.body());
            }
            for (JsonNode group : answer.json().path("items")) {
                if (type.equals(group.path("type").asString())) {
                    return at;
                }
            }
            Thread.sleep(POLL.toMillis());
        }
        return -1;
    }
}
