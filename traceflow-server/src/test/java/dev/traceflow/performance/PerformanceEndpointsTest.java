package dev.traceflow.performance;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The performance endpoints over HTTP: events sent through the ingest API, answers read back with
 * {@code fresh=true}; shapes, access and bad input. The numbers themselves are the contract suite's
 * ({@code PerformanceQueriesContract}); here a few are checked end to end.
 */
class PerformanceEndpointsTest extends ServerTest {

    private static final String CHROME_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/124.0.0.0 Safari/537.36";
    private static final String IPHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
            + "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";

    /** Interpolation in floating point: DuckDB answers 4699.999999999999 where the exact p95 is 4700. */
    private static final Offset<Double> CLOSE = Offset.offset(1e-9);

    /** A whole minute an hour ago: every event of a test is at or after it, within the next minute. */
    private final Instant base = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MINUTES);

    private String newApp() {
        String app = TestAuth.uniqueName("perf");
        auth.createApp(app);
        return app;
    }

    private Map<String, Object> event(String app, String type, int second, String path, String userAgent, Object... kv) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("appId", app);
        e.put("type", type);
        e.put("timestamp", base.plusSeconds(second).toEpochMilli());
        e.put("userAgent", userAgent);
        if (path != null) {
            e.put("url", "https://shop.test" + path + "?q=1");
        }
        for (int i = 0; i < kv.length; i += 2) {
            e.put((String) kv[i], kv[i + 1]);
        }
        return e;
    }

    private void send(String app, List<Map<String, Object>> events) {
        String key = auth.createKey(app);
        TestHttp.Response r = http.post("/api/collect/batch", TestHttp.JSON.writeValueAsString(Map.of("events", events)),
                "X-TraceFlow-Key", key, "Content-Type", "application/json");
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().path("accepted").asInt()).as(r.toString()).isEqualTo(events.size());
    }

    private String range(String app) {
        return "?appId=" + app + "&from=" + base.minusSeconds(60) + "&to=" + base.plusSeconds(3600) + "&fresh=true";
    }

    private TestHttp.Response get(String path) {
        return http.get(path, TestAuth.bearer(auth.admin()));
    }

    private static JsonNode assertOk(TestHttp.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static void assertInvalid(TestHttp.Response r, String parameter) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        JsonNode body = r.json();
        assertThat(body.path("code").asString()).isEqualTo("INVALID_PARAMETER");
        assertThat(body.path("message").asString()).isNotBlank();
        assertThat(body.path("details").get(0).path("parameter").asString()).isEqualTo(parameter);
        assertThat(body.path("traceId").asString()).isNotBlank();
        assertThat(r.body()).doesNotContain("Exception", "\tat ");
    }

    @Test
    void performance_answersPercentilesOfEachMetric_inApiOrder() {
        String app = newApp();
        send(app, List.of(
                event(app, "performance", 1, "/", CHROME_UA, "metrics", Map.of("fcp", 1000, "load", 3000)),
                event(app, "performance", 2, "/", CHROME_UA, "metrics", Map.of("fcp", 2000, "ttfb", 90.5)),
                event(app, "performance", 3, "/", CHROME_UA, "metrics", Map.of("fcp", 3000)),
                event(app, "performance", 4, "/", CHROME_UA, "metrics", Map.of("fcp", 5000)),
                event(app, "web-vital", 5, "/", CHROME_UA, "name", "FCP", "value", 1, "id", "v1-1")));

        JsonNode metrics = assertOk(get("/api/performance" + range(app))).path("metrics");

        assertThat(metrics.size()).isEqualTo(3);
        JsonNode fcp = metrics.get(0);
        assertThat(fcp.path("name").asString()).isEqualTo("fcp");
        assertThat(fcp.path("count").asLong()).isEqualTo(4);
        assertThat(fcp.path("p50").asDouble()).isCloseTo(2500.0, CLOSE);
        assertThat(fcp.path("p75").asDouble()).isCloseTo(3500.0, CLOSE);
        assertThat(fcp.path("p95").asDouble()).isCloseTo(4700.0, CLOSE);
        assertThat(metrics.get(1).path("name").asString()).isEqualTo("ttfb");
        assertThat(metrics.get(1).path("p50").asDouble()).isCloseTo(90.5, CLOSE);
        assertThat(metrics.get(2).path("name").asString()).isEqualTo("load");
    }

    @Test
    void webVitals_keepTheLastReportPerId_rateByP75_andGroupOnlyWhenAsked() {
        String app = newApp();
        send(app, List.of(
                event(app, "web-vital", 1, "/a", CHROME_UA, "name", "LCP", "value", 1000, "id", "v4-a", "rating", "good"),
                event(app, "web-vital", 9, "/a", CHROME_UA, "name", "LCP", "value", 3000, "id", "v4-a"),
                event(app, "web-vital", 2, "/a", IPHONE_UA, "name", "LCP", "value", 2000, "id", "v4-b"),
                event(app, "web-vital", 3, "/b", CHROME_UA, "name", "LCP", "value", 4500, "id", "v4-c"),
                event(app, "web-vital", 4, null, CHROME_UA, "name", "LCP", "value", 2500, "id", "v4-d"),
                event(app, "performance", 5, "/b", CHROME_UA, "metrics", Map.of("cls", 0.1, "domLoad", 700))));

        JsonNode rows = assertOk(get("/api/performance/web-vitals" + range(app))).path("metrics");

        assertThat(names(rows)).containsExactly("LCP", "CLS");
        JsonNode lcp = rows.get(0);
        assertThat(lcp.has("group")).as("no group without groupBy: %s", lcp).isFalse();
        assertThat(lcp.path("count").asLong()).isEqualTo(4);
        assertThat(lcp.path("p75").asDouble()).isCloseTo(3375.0, CLOSE);
        assertThat(lcp.path("rating").asString()).isEqualTo("needs-improvement");
        assertThat(List.of(lcp.path("good").asLong(), lcp.path("needsImprovement").asLong(), lcp.path("poor").asLong()))
                .containsExactly(2L, 1L, 1L);
        assertThat(rows.get(1).path("rating").asString()).isEqualTo("good");

        JsonNode byPath = assertOk(get("/api/performance/web-vitals" + range(app) + "&groupBy=path")).path("metrics");
        List<String> groups = new ArrayList<>();
        byPath.forEach(r -> groups.add(r.path("name").asString() + " " + (r.path("group").isNull() ? "null" : r.path("group").asString())));
        assertThat(groups).containsExactly("LCP /a", "LCP /b", "LCP null", "CLS /b");
        assertThat(byPath.get(2).has("group")).as("a missing dimension is an explicit null").isTrue();

        JsonNode byDevice = assertOk(get("/api/performance/web-vitals" + range(app) + "&groupBy=deviceType")).path("metrics");
        assertThat(byDevice.get(0).path("group").asString()).isEqualTo("desktop");
        assertThat(byDevice.get(0).path("count").asLong()).isEqualTo(3);
        assertThat(byDevice.get(1).path("group").asString()).isEqualTo("mobile");

        JsonNode filtered = assertOk(get("/api/performance/web-vitals" + range(app) + "&path=/b&groupBy=browser")).path("metrics");
        assertThat(names(filtered)).containsExactly("LCP", "CLS");
        assertThat(filtered.get(0).path("group").asString()).isEqualTo("Chrome");
        assertThat(filtered.get(0).path("count").asLong()).isEqualTo(1);
    }

    @Test
    void resources_combineResourceEventsAndPerformanceEntries_slowestFirst() {
        String app = newApp();
        send(app, List.of(
                event(app, "resource", 1, "/", CHROME_UA, "name", "https://cdn.test/app.js", "initiatorType", "script",
                        "duration", 100, "transferSize", 1000),
                event(app, "resource", 2, "/", CHROME_UA, "name", "https://cdn.test/app.js", "initiatorType", "script",
                        "duration", 300),
                event(app, "performance", 3, "/", CHROME_UA, "metrics", Map.of("load", 900), "resources", List.of(
                        Map.of("name", "https://cdn.test/app.js", "initiatorType", "script", "startTime", 5, "duration", 200,
                                "transferSize", 3000),
                        Map.of("name", "https://cdn.test/a.css", "initiatorType", "link", "startTime", 1, "duration", 50)))));

        JsonNode answer = assertOk(get("/api/performance/resources" + range(app)));
        JsonNode top = assertOk(get("/api/performance/resources" + range(app) + "&limit=1"));

        assertThat(answer.path("total").asLong()).isEqualTo(2);
        JsonNode items = answer.path("items");
        assertThat(items.size()).isEqualTo(2);
        JsonNode js = items.get(0);
        assertThat(js.path("name").asString()).isEqualTo("https://cdn.test/app.js");
        assertThat(js.path("initiatorType").asString()).isEqualTo("script");
        assertThat(js.path("count").asLong()).isEqualTo(3);
        assertThat(js.path("p50").asDouble()).isCloseTo(200.0, CLOSE);
        assertThat(js.path("p75").asDouble()).isCloseTo(250.0, CLOSE);
        assertThat(js.path("p95").asDouble()).isCloseTo(290.0, CLOSE);
        assertThat(js.path("avgTransferSize").asDouble()).isCloseTo(2000.0, CLOSE);
        JsonNode css = items.get(1);
        assertThat(css.has("avgTransferSize") && css.path("avgTransferSize").isNull())
                .as("no transfer size is an explicit null: %s", css).isTrue();
        assertThat(top.path("items").size()).isEqualTo(1);
        assertThat(top.path("total").asLong()).isEqualTo(2);
    }

    @Test
    void emptyRange_answersEmptyLists() {
        String app = newApp();

        assertThat(assertOk(get("/api/performance?appId=" + app)).path("metrics").isEmpty()).isTrue();
        assertThat(assertOk(get("/api/performance/web-vitals?appId=" + app + "&groupBy=browser")).path("metrics").isEmpty()).isTrue();
        JsonNode resources = assertOk(get("/api/performance/resources?appId=" + app));
        assertThat(resources.path("items").isEmpty()).isTrue();
        assertThat(resources.path("total").asLong()).isZero();
    }

    @Test
    void access_viewerReads_othersGet404_anonymousGets401() {
        String app = newApp();
        String viewer = TestAuth.uniqueName("viewer");
        String viewerToken = auth.newUserToken(viewer);
        auth.grant(app, viewer, "viewer");
        String strangerToken = auth.newUserToken(TestAuth.uniqueName("stranger"));

        for (String path : List.of("/api/performance", "/api/performance/web-vitals", "/api/performance/resources")) {
            assertThat(http.get(path + "?appId=" + app, TestAuth.bearer(viewerToken)).status()).as(path).isEqualTo(200);
            TestHttp.Response stranger = http.get(path + "?appId=" + app, TestAuth.bearer(strangerToken));
            assertThat(stranger.status()).as(path).isEqualTo(404);
            assertThat(http.get(path + "?appId=no-such-app-" + app, TestAuth.bearer(auth.admin())).status()).as(path).isEqualTo(404);
            assertThat(http.get(path + "?appId=" + app).status()).as(path).isEqualTo(401);
        }
    }

    @Test
    void badInput_is400InvalidParameter() {
        String app = newApp();

        assertInvalid(get("/api/performance/web-vitals?appId=" + app + "&groupBy=os"), "groupBy");
        assertInvalid(get("/api/performance/web-vitals?appId=" + app + "&groupBy="), "groupBy");
        assertInvalid(get("/api/performance/resources?appId=" + app + "&limit=0"), "limit");
        assertInvalid(get("/api/performance/resources?appId=" + app + "&limit=10001"), "limit");
        assertInvalid(get("/api/performance/resources?appId=" + app + "&limit=ten"), "limit");
        assertInvalid(get("/api/performance?appId=" + app + "&groupBy=path"), "groupBy");
        assertInvalid(get("/api/performance?appId=" + app + "&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"), "from");
        assertInvalid(get("/api/performance?appId=" + app + "&from=yesterday"), "from");
        assertInvalid(get("/api/performance/resources"), "appId");
    }

    @Test
    void openApi_describesTheParametersAndTheRole() {
        JsonNode doc = assertOk(http.get("/openapi.json"));
        JsonNode vitals = doc.path("paths").path("/api/performance/web-vitals").path("get");

        List<String> params = new ArrayList<>();
        vitals.path("parameters").forEach(p -> params.add(p.path("name").asString()));
        assertThat(params).contains("appId", "from", "to", "path", "deviceType", "groupBy").doesNotContain("params");
        assertThat(vitals.path("description").asString()).contains("Role: viewer");
    }

    private static List<String> names(JsonNode rows) {
        List<String> names = new ArrayList<>();
        rows.forEach(r -> names.add(r.path("name").asString()));
        return names;
    }
}
