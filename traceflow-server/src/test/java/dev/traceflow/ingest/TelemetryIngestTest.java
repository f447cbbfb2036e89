package dev.traceflow.ingest;

import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Seed 001's platform telemetry: {@code POST /api/telemetry/batch} and {@code /api/perf/batch}. */
class TelemetryIngestTest extends IngestTestBase {

    private static final String APP = "ingest-telemetry";

    private static Map<String, Object> item(String type, String name, Object... props) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("type", type);
        if (name != null) {
            e.put("name", name);
        }
        e.put("ts", System.currentTimeMillis());
        Map<String, Object> p = new LinkedHashMap<>();
        for (int i = 0; i < props.length; i += 2) {
            p.put((String) props[i], props[i + 1]);
        }
        e.put("props", p);
        return e;
    }

    private static String envelope(String app, List<Map<String, Object>> events) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("app", app);
        body.put("release", "2.4.0");
        body.put("events", events);
        return json(body);
    }

    @Test
    void telemetryBatch_mapsEveryKindOntoTraceFlowTypes() {
        String app = "ingest-telemetry-kinds";
        String key = appKey(app);

        TestHttp.Response r = postJson("/api/telemetry/batch", envelope(app, List.of(
                item("page", "/dashboard", "url", "https://app.test/dashboard", "sessionId", "s-1", "userAgent", CHROME_UA),
                item("event", "export_clicked", "format", "csv", "userAgent", CHROME_UA),
                item("error", "TypeError: x is undefined", "stack", "TypeError: x is undefined\n    at f (app.js:1:1)",
                        "userAgent", CHROME_UA),
                item("api", "/api/items", "method", "GET", "status", 200, "duration", 87.5, "userAgent", CHROME_UA))), key);

        assertAccepted(r, 4, 0);
        assertThat(storedByType(app)).containsExactlyInAnyOrderEntriesOf(
                Map.of("pageview", 1L, "event", 1L, "error", 1L, "api", 1L));
    }

    @Test
    void perfBatch_mapsLcpToWebVitalAndDomLoadToPerformance() {
        String app = "ingest-telemetry-perf";
        String key = appKey(app);

        TestHttp.Response r = postJson("/api/perf/batch", envelope(app, List.of(
                item("perf", "LCP", "value", 2300, "userAgent", CHROME_UA),
                item("perf", "domLoad", "value", 1200, "userAgent", CHROME_UA),
                item("perf", "page-metrics", "metrics", Map.of("fcp", 900, "ttfb", 120), "userAgent", CHROME_UA))), key);

        assertAccepted(r, 3, 0);
        assertThat(storedByType(app)).containsExactlyInAnyOrderEntriesOf(Map.of("web-vital", 1L, "performance", 2L));
    }

    @Test
    void telemetryBatch_acceptsPageAndPerfAsSeed001Sends() {
        String key = appKey(APP);
        Map<String, Long> before = storedByType(APP);

        TestHttp.Response r = postJson("/api/telemetry/batch", envelope(APP, List.of(
                item("page", "/home", "userAgent", CHROME_UA),
                item("perf", "LCP", "value", 1800, "userAgent", CHROME_UA),
                item("perf", "domLoad", "value", 950, "userAgent", CHROME_UA))), key);

        assertAccepted(r, 3, 0);
        Map<String, Long> after = storedByType(APP);
        assertThat(after.getOrDefault("pageview", 0L)).isEqualTo(before.getOrDefault("pageview", 0L) + 1);
        assertThat(after.getOrDefault("web-vital", 0L)).isEqualTo(before.getOrDefault("web-vital", 0L) + 1);
        assertThat(after.getOrDefault("performance", 0L)).isEqualTo(before.getOrDefault("performance", 0L) + 1);
    }

    @Test
    void telemetryBatch_acceptsAppAfterTheEvents() {
        String key = appKey(APP);
        long before = stored(APP);
        String body = "{\"events\":[" + json(item("page", "/late-app", "userAgent", CHROME_UA)) + "],\"app\":\"" + APP + "\"}";

        TestHttp.Response r = postJson("/api/telemetry/batch", body, key);

        assertAccepted(r, 1, 0);
        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    @Test
    void telemetryBatch_rejectsBadEventsByIndexAndKeepsTheOthers() {
        String key = appKey(APP);
        long before = stored(APP);
        Map<String, Object> noTs = item("page", "/no-ts", "userAgent", CHROME_UA);
        noTs.remove("ts");
        Map<String, Object> future = item("page", "/future", "userAgent", CHROME_UA);
        future.put("ts", System.currentTimeMillis() + 3L * 86_400_000);

        TestHttp.Response r = postJson("/api/telemetry/batch", envelope(APP, List.of(
                item("page", "/ok", "userAgent", CHROME_UA),
                item("metric", "x"),
                noTs,
                item("perf", "LCP", "userAgent", CHROME_UA),
                item("event", null, "userAgent", CHROME_UA),
                future,
                item("page", "/bad-url", "url", 5),
                item("api", null, "duration", 12.5),
                item("api", "/api/items", "status", 200))), key);

        assertAccepted(r, 1, 8);
        assertErrorAt(r, 1, "UNKNOWN_TYPE");
        assertErrorAt(r, 2, "MISSING_FIELD");
        assertErrorAt(r, 3, "MISSING_FIELD");
        assertErrorAt(r, 4, "MISSING_FIELD");
        assertErrorAt(r, 5, "TIMESTAMP_OUT_OF_RANGE");
        assertErrorAt(r, 6, "INVALID_FIELD");
        assertErrorAt(r, 7, "MISSING_FIELD");
        assertErrorAt(r, 8, "MISSING_FIELD");
        assertThat(r.json().path("errors").get(6).path("message").asString()).contains("props.url");
        assertThat(r.json().path("errors").get(7).path("message").asString()).contains("duration");
        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    @Test
    void telemetryBatch_withoutApp_answers422AndStoresNothing() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/telemetry/batch", json(Map.of("events", List.of(item("page", "/x")))), key);

        assertApiError(r, 422, "VALIDATION_FAILED");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void telemetryBatch_malformedJson_answers400() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/telemetry/batch", "{\"app\":\"" + APP + "\",\"events\":[{]}", key);

        assertApiError(r, 400, "MALFORMED_BODY");
        assertThat(stored(APP)).isEqualTo(before);
    }
}
