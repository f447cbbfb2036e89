package dev.traceflow.ingest;

import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Happy paths of {@code POST /api/collect} and {@code /api/collect/batch} (API.md "TraceFlow events"). */
class CollectIngestTest extends IngestTestBase {

    private static final String APP = "ingest-collect";

    @Test
    void collect_storesOneEventAndAnswers202() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect", json(pageview(APP)), key);

        assertAccepted(r, 1, 0);
        assertThat(r.json().path("errors").size()).isZero();
        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    @Test
    void collect_acceptsTheBootstrapDemoAppWithItsKey() {
        long before = storedCount("demo");

        TestHttp.Response r = postJson("/api/collect", json(pageview("demo")), DEMO_KEY);

        assertAccepted(r, 1, 0);
        assertThat(storedCount("demo")).isEqualTo(before + 1);
    }

    @Test
    void collectBatch_acceptsEventsObject() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect/batch", batch(pageview(APP), pageview(APP), event(APP, "session_start")), key);

        assertAccepted(r, 3, 0);
        assertThat(stored(APP)).isEqualTo(before + 3);
    }

    @Test
    void collectBatch_acceptsBareArray() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect/batch", json(List.of(pageview(APP), pageview(APP))), key);

        assertAccepted(r, 2, 0);
        assertThat(stored(APP)).isEqualTo(before + 2);
    }

    @Test
    void collectBatch_acceptsEveryEventTypeWithItsFields() {
        String app = "ingest-collect-types";
        String key = appKey(app);
        List<Map<String, Object>> events = new ArrayList<>();
        events.add(event(app, "pageview", "title", "Products", "referrer", "https://www.google.com/", "sessionId", "s-1",
                "userId", "u-1", "anonymousId", "a-1", "release", "1.2.3", "environment", "production",
                "properties", Map.of("plan", "pro"), "metadata", Map.of("sdk", "traceflow-js")));
        events.add(event(app, "error", "message", "Cannot read properties of undefined (reading 'x')",
                "stack", "TypeError: Cannot read properties of undefined\n    at render (https://shop.test/app.js:10:5)",
                "errorType", "TypeError", "filename", "https://shop.test/app.js", "lineno", 10, "colno", 5,
                "fingerprint", List.of("checkout", "render")));
        events.add(event(app, "performance", "metrics", metrics(), "resources", List.of(Map.of("name",
                "https://shop.test/app.js", "initiatorType", "script", "startTime", 12.5, "duration", 80, "transferSize", 2048))));
        events.add(event(app, "web-vital", "name", "LCP", "value", 2100.5, "rating", "good", "delta", 2100.5,
                "id", "v4-1700000000000-123", "navigationType", "navigate"));
        events.add(event(app, "resource", "name", "https://shop.test/logo.png", "initiatorType", "img", "duration", 35.2,
                "transferSize", 1200));
        events.add(event(app, "click", "x", 120, "y", 340, "viewportWidth", 1280, "viewportHeight", 800,
                "selector", "button#buy"));
        events.add(event(app, "event", "name", "add_to_cart", "properties", Map.of("sku", "A-1", "qty", 2)));
        events.add(event(app, "session_start"));
        events.add(event(app, "session_end"));
        events.add(event(app, "conversion", "properties", Map.of("conversionType", "signup")));
        events.add(event(app, "purchase", "properties", Map.of("revenue", 49.9, "conversionType", "order")));
        events.add(event(app, "api", "properties", Map.of("method", "GET", "url", "https://api.shop.test/cart",
                "status", 200, "duration", 123.4)));

        TestHttp.Response r = postJson("/api/collect/batch", json(Map.of("events", events)), key);

        assertAccepted(r, 12, 0);
        assertThat(storedByType(app)).containsOnlyKeys("pageview", "error", "performance", "web-vital", "resource", "click",
                "event", "session_start", "session_end", "conversion", "purchase", "api");
        assertThat(storedByType(app).values()).allMatch(n -> n == 1L);
    }

    private static Map<String, Object> metrics() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fcp", 800);
        m.put("lcp", 1900);
        m.put("fid", 12);
        m.put("inp", 150);
        m.put("cls", 0.05);
        m.put("ttfb", 200);
        m.put("domLoad", 1200);
        m.put("load", 2300);
        return m;
    }

    @Test
    void collect_acceptsKeyAsBearerToken() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = http.post("/api/collect", json(pageview(APP)), "Authorization", "Bearer " + key, CT, JSON);

        assertAccepted(r, 1, 0);
        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    @Test
    void collectBatch_acceptsKeyInQueryWithTextPlain_asSendBeaconSends() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = http.post("/api/collect/batch?key=" + key, batch(pageview(APP), pageview(APP)),
                CT, "text/plain;charset=UTF-8");

        assertAccepted(r, 2, 0);
        assertThat(stored(APP)).isEqualTo(before + 2);
    }

    @Test
    void collectBatch_acceptsGzipBody() {
        String key = appKey(APP);
        long before = stored(APP);
        byte[] body = gzip(batch(pageview(APP), pageview(APP), pageview(APP)).getBytes(StandardCharsets.UTF_8));

        TestHttp.Response r = http.post("/api/collect/batch", body, KEY, key, CT, JSON, "Content-Encoding", "gzip");

        assertAccepted(r, 3, 0);
        assertThat(stored(APP)).isEqualTo(before + 3);
    }

    @Test
    void collectBatch_acceptsDeflateBody() {
        String key = appKey(APP);
        long before = stored(APP);
        byte[] body = deflate(batch(pageview(APP), pageview(APP)).getBytes(StandardCharsets.UTF_8));

        TestHttp.Response r = http.post("/api/collect/batch", body, KEY, key, CT, JSON, "Content-Encoding", "deflate");

        assertAccepted(r, 2, 0);
        assertThat(stored(APP)).isEqualTo(before + 2);
    }

    @Test
    void collect_acceptsGzipBodyForSingleEvent() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = http.post("/api/collect", gzip(json(pageview(APP)).getBytes(StandardCharsets.UTF_8)),
                KEY, key, CT, JSON, "Content-Encoding", "gzip");

        assertAccepted(r, 1, 0);
        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    @Test
    void collectBatch_storesRepeatedEventIdOnce() {
        String key = appKey(APP);
        String eventId = UUID.randomUUID().toString();
        long before = stored(APP);

        TestHttp.Response first = postJson("/api/collect/batch", batch(event(APP, "pageview", "eventId", eventId)), key);
        TestHttp.Response second = postJson("/api/collect/batch", batch(event(APP, "pageview", "eventId", eventId)), key);

        assertAccepted(first, 1, 0);
        assertAccepted(second, 1, 0);
        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    @Test
    void collectBatch_storesEventIdRepeatedWithinOneBatchOnce() {
        String key = appKey(APP);
        String eventId = UUID.randomUUID().toString();
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect/batch",
                batch(event(APP, "pageview", "eventId", eventId), event(APP, "pageview", "eventId", eventId)), key);

        assertThat(r.status()).isEqualTo(202);
        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    @Test
    void collectBatch_acceptsIso8601Timestamps() {
        String key = appKey(APP);
        long before = stored(APP);
        Instant oneHourAgo = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);
        String utc = oneHourAgo.toString();
        String withOffset = OffsetDateTime.ofInstant(oneHourAgo, ZoneOffset.ofHours(2)).toString();

        TestHttp.Response r = postJson("/api/collect/batch",
                batch(event(APP, "pageview", "timestamp", utc), event(APP, "pageview", "timestamp", withOffset)), key);

        assertAccepted(r, 2, 0);
        assertThat(stored(APP)).isEqualTo(before + 2);
    }

    @Test
    void collectBatch_acceptsTimestamp23HoursAheadAnd29DaysBehind() {
        String key = appKey(APP);
        long before = stored(APP);
        long now = System.currentTimeMillis();

        TestHttp.Response r = postJson("/api/collect/batch", batch(
                event(APP, "pageview", "timestamp", now + 23L * 3_600_000),
                event(APP, "pageview", "timestamp", now - 29L * 86_400_000)), key);

        assertAccepted(r, 2, 0);
        assertThat(stored(APP)).isEqualTo(before + 2);
    }

    @Test
    void collectBatch_acceptsPropertiesNested8Levels() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect/batch", batch(event(APP, "event", "name", "deep",
                "properties", nested(8))), key);

        assertAccepted(r, 1, 0);
        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    /** An object {@code levels} deep: nested(1) = {"leaf": 1}, nested(2) = {"level2": {"leaf": 1}}. */
    static Map<String, Object> nested(int levels) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("leaf", 1);
        for (int level = 2; level <= levels; level++) {
            Map<String, Object> outer = new LinkedHashMap<>();
            outer.put("level" + level, inner);
            inner = outer;
        }
        return inner;
    }

    @Test
    void collect_usesTheRequestUserAgentWhenTheEventHasNone() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = http.post("/api/collect", json(event(APP, "pageview", "userAgent", ABSENT)),
                KEY, key, CT, JSON, "User-Agent", CHROME_UA);

        assertAccepted(r, 1, 0);
        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    @Test
    void collectBatch_dropsBotTrafficAsRejectedAndDoesNotStoreIt() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect/batch", batch(pageview(APP),
                event(APP, "pageview", "userAgent", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")), key);

        assertAccepted(r, 1, 1);
        assertErrorAt(r, 1, "BOT");
        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    @Test
    void ingestStats_rightAfterThe202_countsAcceptedAndDuplicates() {
        // accepted/duplicate are counted when the loader stores the events (up to its linger
        // after the 202); the stats endpoint waits for the loader, so it reads its writes
        String app = "ingest-collect-stats-now";
        String key = appKey(app);
        TestHttp.Response r = postJson("/api/collect/batch", batch(event(app, "pageview", "eventId", "s-1"),
                event(app, "pageview", "eventId", "s-1"), event(app, "pageview", "eventId", "s-2")), key);
        assertAccepted(r, 3, 0);

        tools.jackson.databind.JsonNode stats = http.get("/api/ingest/stats?appId=" + app, dev.traceflow.support.TestAuth.bearer(auth.admin())).json();

        assertThat(stats.path("accepted").asLong()).isEqualTo(2);
        assertThat(stats.path("duplicate").asLong()).isEqualTo(1);
    }

    @Test
    void prometheus_countsIngestOutcomesByAppAndReason() {
        String app = "ingest-collect-metrics";
        String key = appKey(app);

        TestHttp.Response r = postJson("/api/collect/batch", batch(pageview(app), event(app, "nope")), key);
        assertAccepted(r, 1, 1);
        awaitStored(); // "accepted" is counted when the loader has stored the event

        String metrics = http.get("/actuator/prometheus", dev.traceflow.support.TestAuth.bearer(auth.admin())).body();
        assertThat(metrics.lines()
                .filter(l -> l.startsWith("traceflow_ingest_events_total{"))
                .filter(l -> l.contains("app=\"" + app + "\"")))
                .anySatisfy(l -> assertThat(l).contains("outcome=\"invalid\"").endsWith(" 1.0"))
                .anySatisfy(l -> assertThat(l).contains("outcome=\"accepted\"").endsWith(" 1.0"));
    }

    @Test
    void benchNoop_answersParsedCountAndStoresNothing() {
        String app = "ingest-collect-noop";
        String key = appKey(app);

        TestHttp.Response r = postJson("/bench/noop", batch(pageview(app), pageview(app), pageview(app)), key);

        assertThat(r.status()).isEqualTo(202);
        assertThat(r.json().path("accepted").asInt()).isEqualTo(3);
        assertThat(r.json().path("rejected").asInt()).isZero();
        assertThat(stored(app)).isZero();
    }

    @Test
    void benchNoop_rejectsInvalidEventsByIndexAsTheBatchEndpointDoes() {
        String app = "ingest-collect-noop-invalid";
        String key = appKey(app);

        TestHttp.Response r = postJson("/bench/noop", batch(pageview(app), event(app, "nope"), event(app, "click", "x", 1)), key);

        assertAccepted(r, 1, 2);
        assertErrorAt(r, 1, "UNKNOWN_TYPE");
        assertErrorAt(r, 2, "MISSING_FIELD");
        assertThat(stored(app)).isZero();
    }
}
