package dev.traceflow.ingest;

import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An app's ingest rate limit, set through the apps API: bursts of ten seconds' worth pass, beyond
 * that the request is refused whole with 429 RATE_LIMITED and Retry-After, nothing of it stored and
 * all its events counted as rate_limited; the limit can be changed and removed at once. The
 * server's clock is held still and moved by hand, so what refills between two requests is what
 * the test says, not what a busy machine's pace lets in.
 */
class IngestRateLimitTest extends IngestTestBase {

    @BeforeEach
    void holdTheClock() {
        CLOCK.hold();
    }

    @AfterEach
    void releaseTheClock() {
        CLOCK.release();
    }

    /** Creates an app with the limit through the API (as an owner would) and returns an ingest key. */
    private String limitedApp(String appId, int eventsPerSecond) {
        TestHttp.Response r = http.post("/api/apps", "{\"id\":\"" + appId + "\",\"ingestRateLimit\":" + eventsPerSecond + "}",
                CT, JSON, "Authorization", "Bearer " + auth.admin());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().path("ingestRateLimit").asInt()).isEqualTo(eventsPerSecond);
        return auth.createKey(appId);
    }

    private static String events(String appId, int n) {
        List<Map<String, Object>> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            events.add(pageview(appId));
        }
        return json(events);
    }

    private TestHttp.Response patch(String appId, String body) {
        return http.send("PATCH", "/api/apps/" + appId, body.getBytes(), CT, JSON, "Authorization", "Bearer " + auth.admin());
    }

    @Test
    void aBurstOfTenSecondsWorthPasses_thenTheRequestIsRefusedWhole_andCountedAsRateLimited() {
        String appId = TestAuth.uniqueName("limited");
        String key = limitedApp(appId, 100);

        TestHttp.Response burst = postJson("/api/collect/batch", events(appId, 1000), key);
        TestHttp.Response over = postJson("/api/collect/batch", events(appId, 20), key);

        assertAccepted(burst, 1000, 0);
        assertApiError(over, 429, "RATE_LIMITED");
        int retryAfter = Integer.parseInt(over.header("Retry-After"));
        assertThat(retryAfter).isEqualTo(1); // 20 events at 100/s: 200 ms, rounded up
        assertThat(over.json().path("message").asString()).contains("100 events per second");
        assertThat(stored(appId)).as("nothing of the refused request").isEqualTo(1000);

        assertApiError(postJson("/api/collect/batch", events(appId, 20), key), 429, "RATE_LIMITED");
        CLOCK.advance(Duration.ofSeconds(retryAfter));
        assertAccepted(postJson("/api/collect/batch", events(appId, 20), key), 20, 0);
        assertThat(stored(appId)).isEqualTo(1020);

        TestHttp.Response stats = http.get("/api/ingest/stats?appId=" + appId, bearer(auth.admin()));
        assertThat(stats.json().path("rate_limited").asLong()).as(stats.toString()).isEqualTo(40);
        assertThat(stats.json().path("accepted").asLong()).isEqualTo(1020);
        String metrics = http.get("/actuator/prometheus", bearer(auth.admin())).body();
        assertThat(metrics).containsPattern("traceflow_ingest_events_total\\{app=\"" + appId + "\",[^}]*outcome=\"rate_limited\"[^}]*} 40\\.0");
        assertThat(metrics).containsPattern("traceflow_ingest_requests_rejected_total\\{app=\"" + appId + "\",[^}]*code=\"RATE_LIMITED\"[^}]*} 2\\.0");
    }

    @Test
    void batchEndpointsOfBothFormats_areLimited_andTheLimitCanBeRemovedAtOnce() {
        // every endpoint goes through Ingestion.ingest, where the limit is
        String appId = TestAuth.uniqueName("limited");
        String key = limitedApp(appId, 100);
        assertAccepted(postJson("/api/collect/batch", events(appId, 1000), key), 1000, 0);

        StringBuilder telemetry = new StringBuilder("{\"app\":\"" + appId + "\",\"events\":[");
        for (int i = 0; i < 500; i++) {
            telemetry.append(i == 0 ? "" : ",").append("{\"type\":\"page\",\"name\":\"/\",\"ts\":").append(System.currentTimeMillis()).append('}');
        }
        assertApiError(postJson("/api/telemetry/batch", telemetry.append("]}").toString(), key), 429, "RATE_LIMITED");

        TestHttp.Response removed = patch(appId, "{\"ingestRateLimit\":0}");
        assertThat(removed.status()).as(removed.toString()).isEqualTo(200);
        assertThat(removed.json().path("ingestRateLimit").asInt()).isZero();
        assertAccepted(postJson("/api/collect/batch", events(appId, 1000), key), 1000, 0);
        assertAccepted(postJson("/api/collect/batch", events(appId, 1000), key), 1000, 0);
        assertAccepted(postJson("/api/collect", json(pageview(appId)), key), 1, 0);
    }

    @Test
    void aChangedLimit_takesEffectAtOnce() {
        String appId = TestAuth.uniqueName("limited");
        String key = limitedApp(appId, 100);
        assertAccepted(postJson("/api/collect/batch", events(appId, 1000), key), 1000, 0);
        assertApiError(postJson("/api/collect/batch", events(appId, 1000), key), 429, "RATE_LIMITED");

        assertThat(patch(appId, "{\"ingestRateLimit\":200}").status()).isEqualTo(200);

        // a new bucket of the new size (2000), full
        assertAccepted(postJson("/api/collect/batch", events(appId, 1000), key), 1000, 0);
        assertAccepted(postJson("/api/collect/batch", events(appId, 1000), key), 1000, 0);
        assertApiError(postJson("/api/collect/batch", events(appId, 10), key), 429, "RATE_LIMITED");
    }

    @Test
    void limitsThatCouldNeverPassAFullBatch_orAreNotNumbers_areRefused() {
        String appId = TestAuth.uniqueName("limits");
        for (String bad : new String[] {"-1", "99", "10000001", "\"fast\"", "1.5"}) {
            TestHttp.Response r = http.post("/api/apps", "{\"id\":\"" + appId + "\",\"ingestRateLimit\":" + bad + "}",
                    CT, JSON, "Authorization", "Bearer " + auth.admin());
            // out of range: 422; not an integer at all: 400, the body does not bind
            assertApiError(r, bad.matches("-?\\d+") ? 422 : 400, bad.matches("-?\\d+") ? "VALIDATION_FAILED" : "MALFORMED_BODY");
        }
        assertThat(http.get("/api/apps/" + appId, bearer(auth.admin())).status()).as("nothing half-stored").isEqualTo(404);

        limitedApp(appId, 0);
        TestHttp.Response r = patch(appId, "{\"ingestRateLimit\":50}");
        assertApiError(r, 422, "VALIDATION_FAILED");
        assertThat(r.json().path("message").asString()).contains("100-10000000");
        assertThat(http.get("/api/apps/" + appId, bearer(auth.admin())).json().path("ingestRateLimit").asInt()).isZero();
    }
}
