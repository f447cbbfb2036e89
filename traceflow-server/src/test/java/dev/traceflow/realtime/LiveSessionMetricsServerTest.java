package dev.traceflow.realtime;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live session metrics in the running server: events ingested over HTTP in two loads (the
 * second with a late earlier event that moves a session to other dimensions), the
 * {@code metrics_updated} increments received over {@code /ws} and summed, then compared with what
 * {@code GET /api/metrics} answers for the same events, all and by every session dimension.
 */
class LiveSessionMetricsServerTest extends ServerTest {

    private static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/124.0.0.0 Safari/537.36";
    private static final String IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
            + "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
    private static final List<String> DIMENSIONS = List.of("device_type", "traffic_source", "browser", "os", "country");

    private final Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(50));
    private String appId;

    private Map<String, Object> event(String type, long secondsAfterBase, String sessionId, String userId, String userAgent,
                                      Map<String, Object> properties) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("appId", appId);
        e.put("type", type);
        e.put("timestamp", base.plusSeconds(secondsAfterBase).toEpochMilli());
        e.put("eventId", UUID.randomUUID().toString());
        e.put("url", "https://shop.test/p");
        if (sessionId != null) {
            e.put("sessionId", sessionId);
        }
        if (userId != null) {
            e.put("userId", userId);
        }
        if (userAgent != null) {
            e.put("userAgent", userAgent);
        }
        e.put("properties", properties);
        return e;
    }

    private void send(String ingestKey, List<Map<String, Object>> events) {
        TestHttp.Response sent = http.post("/api/collect/batch", TestHttp.JSON.writeValueAsString(Map.of("events", events)),
                "Content-Type", "application/json", "X-TraceFlow-Key", ingestKey);
        assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
        assertThat(sent.json().path("accepted").asInt()).isEqualTo(events.size());
    }

    /** metric, else metric/dimension/value -> the answer of {@code GET /api/metrics} summed over its buckets (zeros left out). */
    private Map<String, Long> answered(String metric, String dimension) {
        String query = "/api/metrics?appId=" + appId + "&metric=" + metric + "&granularity=hour&fresh=true&limit=100"
                + "&from=" + enc(base.minus(Duration.ofHours(2))) + "&to=" + enc(base.plus(Duration.ofHours(2)))
                + (dimension == null ? "" : "&dimension=" + dimension);
        TestHttp.Response r = http.get(query, TestAuth.bearer(auth.admin()));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        Map<String, Long> sums = new HashMap<>();
        for (JsonNode point : r.json().path("series")) {
            String key = dimension == null ? metric : metric + "/" + dimension + "/" + point.path("dimensionValue").asString();
            sums.merge(key, point.path("value").asLong(), Long::sum);
        }
        sums.values().removeIf(v -> v == 0);
        return sums;
    }

    private static String enc(Instant at) {
        return URLEncoder.encode(at.toString(), StandardCharsets.UTF_8);
    }

    @Test
    void theLiveSessionIncrements_addUpToWhatTheMetricsEndpointAnswers_forTheSameEvents() {
        appId = "rt-sessions-" + Long.toHexString(System.nanoTime());
        auth.createApp(appId);
        String ingestKey = auth.createKey(appId);
        WsClient client = WsClient.connect(port, "?app=" + appId + "&token=" + URLEncoder.encode(auth.admin(), StandardCharsets.UTF_8));
        client.send("{\"type\":\"subscribe\",\"topic\":\"traceflow:metrics\"}");
        client.next("subscribed");

        List<Map<String, Object>> first = new ArrayList<>();
        first.add(event("pageview", 600, "s-a", "u-1", CHROME, Map.of("country", "DE", "trafficSource", "google")));
        first.add(event("pageview", 660, "s-a", "u-1", CHROME, Map.of("country", "DE")));
        first.add(event("pageview", 600, "s-b", null, IPHONE, Map.of("country", "FR", "trafficSource", "newsletter")));
        first.add(event("session_start", 700, "s-c", null, CHROME, Map.of("country", "US")));
        first.add(event("pageview", 0, null, "u-9", CHROME, Map.of("country", "AT"))); // without ids: two sessions of u-9
        first.add(event("pageview", 2400, null, "u-9", IPHONE, Map.of("country", "AT")));
        first.add(event("pageview", 100, null, null, CHROME, Map.of())); // in no session
        send(ingestKey, first);
        awaitStored();
        List<Map<String, Object>> second = new ArrayList<>();
        second.add(event("session_start", 590, "s-a", "u-1", IPHONE, Map.of("country", "CH", "trafficSource", "bing"))); // s-a's first event now
        second.add(event("purchase", 620, "s-b", null, IPHONE, Map.of("revenue", 3))); // s-b engaged
        send(ingestKey, second);

        Map<String, Long> live = new HashMap<>(); // metric, else metric/dimension/value -> summed over the rounds
        long events = 0;
        while (events < first.size() + second.size()) {
            JsonNode event = client.next("event");
            for (JsonNode m : event.path("payload").path("metrics")) {
                String metric = m.path("metricType").asString();
                if (metric.equals("events") && m.path("dimension").isNull()) {
                    events += m.path("value").asLong();
                }
                if (metric.equals("sessions") || metric.equals("engaged_sessions")) {
                    String key = m.path("dimension").isNull() ? metric
                            : metric + "/" + m.path("dimension").asString() + "/" + m.path("dimensionValue").asString();
                    live.merge(key, m.path("value").asLong(), Long::sum);
                }
            }
            client.send("{\"type\":\"ack\",\"topic\":\"traceflow:metrics\",\"seq\":" + event.path("seq").asLong() + "}");
        }
        client.close();
        live.values().removeIf(v -> v == 0);

        Map<String, Long> expected = new HashMap<>();
        for (String metric : List.of("sessions", "engaged_sessions")) {
            expected.putAll(answered(metric, null));
            for (String dimension : DIMENSIONS) {
                expected.putAll(answered(metric, dimension));
            }
        }
        assertThat(expected).containsEntry("sessions", 5L).containsEntry("engaged_sessions", 2L)
                .containsEntry("sessions/country/CH", 1L).doesNotContainKey("sessions/country/DE");
        assertThat(live).isEqualTo(expected);
    }
}
