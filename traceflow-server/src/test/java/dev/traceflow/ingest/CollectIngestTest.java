package dev.traceflow.ingest;

import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
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

    /**
     * README: a repeated eventId counts as accepted (a client that retries must not see an error
     * for what is already stored), is stored once, and is counted as duplicate in the outcomes.
     * Each retry comes after the first copy is stored, through every JSON endpoint.
     */
    @Test
    void repeatedEventId_isAnsweredAsAccepted_storedOnce_andCountedAsDuplicate() {
        String app = TestAuth.uniqueName("ingest-repeat");
        String key = appKey(app);
        String eventId = UUID.randomUUID().toString();
        Map<String, Object> event = event(app, "pageview", "eventId", eventId);
        assertAccepted(postJson("/api/collect", json(event), key), 1, 0);
        awaitStored();

        assertAccepted(postJson("/api/collect", json(event), key), 1, 0);
        assertAccepted(postJson("/api/collect/batch", batch(event), key), 1, 0);
        String telemetry = "{\"app\":\"" + app + "\",\"events\":[{\"type\":\"page\",\"name\":\"/\",\"ts\":"
                + System.currentTimeMillis() + ",\"props\":{\"eventId\":\"" + eventId + "\"}}]}";
        assertAccepted(postJson("/api/telemetry/batch", telemetry, key), 1, 0);

        assertThat(stored(app)).isEqualTo(1);
        JsonNode stats = http.get("/api/ingest/stats?appId=" + app, TestAuth.bearer(auth.admin())).json();
        assertThat(stats.path("accepted").asLong()).as(stats.toString()).isEqualTo(1);
        assertThat(stats.path("duplicate").asLong()).as(stats.toString()).isEqualTo(3);
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
    void collect_usesTheRequestUserAgentWhenTheEventHasNone() throws Exception {
        String key = appKey(APP);
        String without = UUID.randomUUID().toString();
        String with = UUID.randomUUID().toString();

        assertAccepted(http.post("/api/collect", json(event(APP, "pageview", "userAgent", ABSENT, "eventId", without)),
                KEY, key, CT, JSON, "User-Agent", FIREFOX_UA), 1, 0);
        assertAccepted(http.post("/api/collect", json(event(APP, "pageview", "eventId", with)),
                KEY, key, CT, JSON, "User-Agent", FIREFOX_UA), 1, 0);

        assertThat(storedUserAgentAndBrowser(without)).as("the request's").containsExactly(FIREFOX_UA, "Firefox");
        assertThat(storedUserAgentAndBrowser(with)).as("the event's own wins").containsExactly(CHROME_UA, "Chrome");
    }

    private static final String FIREFOX_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    /**
     * The stored user agent of the event with this id, and the browser derived from it, read from
     * a copy of the server's DuckDB file and its write-ahead log (the storage SPI has no read of
     * single events yet, and the server holds the file itself). Once the loader has stored every
     * acknowledged event nothing writes to it until the next request, so the copy is whole.
     */
    private List<String> storedUserAgentAndBrowser(String eventId) throws Exception {
        awaitStored();
        Path copy = Files.createTempDirectory("traceflow-ua-");
        try {
            for (String name : new String[] {"events.duckdb", "events.duckdb.wal"}) {
                if (Files.exists(dataDir().resolve(name))) {
                    Files.copy(dataDir().resolve(name), copy.resolve(name));
                }
            }
            try (var c = DriverManager.getConnection("jdbc:duckdb:" + copy.resolve("events.duckdb"));
                 var st = c.prepareStatement("SELECT json_extract_string(data, '$.userAgent'), browser FROM events "
                         + "WHERE app_id = ? AND event_id = ?")) {
                st.setString(1, APP);
                st.setString(2, eventId);
                try (var rs = st.executeQuery()) {
                    assertThat(rs.next()).as("event " + eventId + " stored").isTrue();
                    return Arrays.asList(rs.getString(1), rs.getString(2)); // either may be null
                }
            }
        } finally {
            FileSystemUtils.deleteRecursively(copy);
        }
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

        JsonNode stats = http.get("/api/ingest/stats?appId=" + app, TestAuth.bearer(auth.admin())).json();

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
