package dev.traceflow.metrics;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code /api/metrics} and {@code /api/metrics/overview} over HTTP: events ingested through the
 * real API, read back with {@code fresh=true}; access; every kind of bad input a 400 in API.md's
 * shape.
 */
class MetricsApiTest extends ServerTest {

    static final String UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/124.0.0.0 Safari/537.36";
    private static final String APP = "metrics-api";
    /** Midnight UTC two days ago: the dataset's first day. */
    private static final Instant DAY0 = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(2));
    private static boolean loaded;

    @BeforeEach
    void dataset() {
        synchronized (MetricsApiTest.class) {
            if (loaded) {
                return;
            }
            auth.createApp(APP);
            String key = auth.createKey(APP);
            List<Map<String, Object>> events = List.of(
                    event("pageview", 10 * 3600, "s1", "u1", "/home", Map.of()),
                    event("pageview", 10 * 3600 + 20, "s1", "u1", "/pricing", Map.of()),
                    event("pageview", 11 * 3600, "s2", "u2", "/home", Map.of()),
                    event("purchase", 11 * 3600 + 5, "s2", "u2", "/checkout", Map.of("revenue", 20, "conversionType", "order")),
                    event("pageview", 86_400 + 9 * 3600, "s3", "u3", "/home", Map.of()));
            TestHttp.Response r = http.post("/api/collect/batch", TestHttp.JSON.writeValueAsString(Map.of("events", events)),
                    "X-TraceFlow-Key", key, "Content-Type", "application/json");
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            assertThat(r.json().path("accepted").asInt()).isEqualTo(5);
            loaded = true;
        }
    }

    static Map<String, Object> event(String type, long secondsAfterDay0, String session, String user, String path,
                                     Map<String, Object> properties) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("appId", APP);
        e.put("type", type);
        e.put("timestamp", DAY0.plusSeconds(secondsAfterDay0).toEpochMilli());
        e.put("eventId", UUID.randomUUID().toString());
        e.put("sessionId", session);
        e.put("userId", user);
        e.put("url", "https://shop.test" + path + "?utm_campaign=x");
        e.put("userAgent", UA);
        e.put("properties", properties);
        return e;
    }

    private TestHttp.Response get(String path, String query) {
        return getAs(auth.admin(), path, query);
    }

    private TestHttp.Response getAs(String token, String path, String query) {
        return http.get(path + "?appId=" + APP + "&from=" + DAY0 + "&to=" + DAY0.plus(Duration.ofDays(3)) + "&fresh=true" + query,
                TestAuth.bearer(token));
    }

    private static List<String> points(TestHttp.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        for (JsonNode p : r.json().path("series")) {
            out.add(p.path("value").asString() + (p.has("dimensionValue") ? " " + p.path("dimensionValue").asString() : ""));
        }
        return out;
    }

    @Test
    void pageViewsPerDay_everyDayListed() {
        TestHttp.Response r = get("/api/metrics", "&metric=page_views&granularity=day");

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.path("metric").asString()).isEqualTo("page_views");
        assertThat(body.path("granularity").asString()).isEqualTo("day");
        assertThat(body.path("series").get(0).path("ts").asString()).isEqualTo(DAY0.toString());
        assertThat(body.path("series").get(2).path("ts").asString()).isEqualTo(DAY0.plus(Duration.ofDays(2)).toString());
        assertThat(points(r)).containsExactly("3", "1", "0");
    }

    @Test
    void sessionMetrics_andADimension() {
        assertThat(points(get("/api/metrics", "&metric=sessions&granularity=day"))).containsExactly("2", "1", "0");
        assertThat(points(get("/api/metrics", "&metric=bounce_rate&granularity=day"))).containsExactly("0.0", "1.0", "0.0");
        assertThat(points(get("/api/metrics", "&metric=revenue&granularity=day&dimension=conversion_type")))
                .containsExactly("20.0 order", "0.0 order", "0.0 order");
        assertThat(points(get("/api/metrics", "&metric=sessions&granularity=day&dimension=browser&limit=1")))
                .containsExactly("2 Chrome", "1 Chrome", "0 Chrome");
        assertThat(points(get("/api/metrics", "&metric=page_views&granularity=day&dimension=path&limit=2")))
                .containsExactly("2 /home", "1 /pricing", "1 /home", "0 /pricing", "0 /home", "0 /pricing");
    }

    @Test
    void overview() {
        TestHttp.Response r = get("/api/metrics/overview", "");

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode o = r.json();
        assertThat(o.path("visitors").asLong()).isEqualTo(3);
        assertThat(o.path("sessions").asLong()).isEqualTo(3);
        assertThat(o.path("pageViews").asLong()).isEqualTo(4);
        assertThat(o.path("bounceRate").asDouble()).isCloseTo(1.0 / 3, within(1e-9));
        assertThat(o.path("avgSessionDuration").asDouble()).isCloseTo(25.0 / 3, within(1e-9));
        assertThat(o.path("pagesPerSession").asDouble()).isCloseTo(4.0 / 3, within(1e-9));
        assertThat(o.path("engagedSessions").asLong()).isEqualTo(2);
        assertThat(o.path("newUsers").asLong()).isEqualTo(3);
        assertThat(o.path("returningUsers").asLong()).isEqualTo(0);
        assertThat(o.path("conversions").asLong()).isEqualTo(1);
        assertThat(o.path("revenue").asDouble()).isEqualTo(20.0);
    }

    @Test
    void access_aStrangerGets404_aViewerReads() {
        String name = TestAuth.uniqueName("metrics-viewer");
        String token = auth.newUserToken(name);

        assertError(getAs(token, "/api/metrics", "&metric=sessions"), 404);
        assertError(getAs(token, "/api/metrics/overview", ""), 404);
        auth.grant(APP, name, "viewer");
        assertThat(getAs(token, "/api/metrics", "&metric=sessions").status()).isEqualTo(200);
        assertThat(getAs(token, "/api/metrics/overview", "").status()).isEqualTo(200);
        assertThat(http.get("/api/metrics?appId=" + APP + "&metric=sessions").status()).isEqualTo(401);
    }

    @Test
    void badInput_isA400NamingTheParameter() {
        assertInvalid(get("/api/metrics", ""), "metric");
        assertInvalid(get("/api/metrics", "&metric=pageviews"), "metric");
        assertInvalid(get("/api/metrics", "&metric=sessions&dimension=city"), "dimension");
        assertInvalid(get("/api/metrics", "&metric=sessions&granularity=fortnight"), "granularity");
        assertInvalid(get("/api/metrics", "&metric=sessions&tz=Mars/Olympus"), "tz");
        assertInvalid(get("/api/metrics", "&metric=sessions&limit=0&dimension=path"), "limit");
        assertInvalid(get("/api/metrics", "&metric=sessions&limit=101&dimension=path"), "limit");
        assertInvalid(get("/api/metrics", "&metric=sessions&limit=ten&dimension=path"), "limit");
        assertInvalid(get("/api/metrics", "&metric=sessions&colour=red"), "colour");
        assertInvalid(get("/api/metrics/overview", "&metric=sessions"), "metric");
        assertInvalid(http.get("/api/metrics?appId=" + APP + "&metric=sessions&from=" + DAY0.plusSeconds(60) + "&to=" + DAY0,
                TestAuth.bearer(auth.admin())), "from");
        assertInvalid(http.get("/api/metrics?appId=" + APP + "&metric=sessions&granularity=minute&from=" + DAY0.minus(Duration.ofDays(365))
                + "&to=" + DAY0, TestAuth.bearer(auth.admin())), "granularity");
        assertInvalid(http.get("/api/metrics?appId=" + APP + "&metric=sessions&from=yesterday", TestAuth.bearer(auth.admin())), "from");

        TestHttp.Response combo = get("/api/metrics", "&metric=sessions&dimension=event_type");
        assertInvalid(combo, "dimension");
        assertThat(combo.json().path("message").asString()).contains("sessions").contains("event_type");
    }

    static void assertInvalid(TestHttp.Response r, String parameter) {
        JsonNode body = assertError(r, 400);
        assertThat(body.path("code").asString()).isEqualTo("INVALID_PARAMETER");
        assertThat(body.path("details").toString()).as(r.toString()).contains("\"" + parameter + "\"");
    }

    static JsonNode assertError(TestHttp.Response r, int status) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        JsonNode body = r.json();
        assertThat(body.path("code").asString()).isNotBlank();
        assertThat(body.path("message").asString()).isNotBlank();
        assertThat(body.path("details").isArray()).isTrue();
        assertThat(body.path("traceId").asString()).isNotBlank();
        return body;
    }
}
