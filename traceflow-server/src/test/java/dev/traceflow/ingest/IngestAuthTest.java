package dev.traceflow.ingest;

import dev.traceflow.apps.IngestKeys;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Who may send (API.md "Ingest"): a valid, unrevoked key, for its own app only. */
class IngestAuthTest extends IngestTestBase {

    private static final String APP = "ingest-auth";
    private static final String OTHER = "ingest-auth-other";

    @Test
    void collectBatch_rejectsMissingKeyWith401() {
        appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = http.post("/api/collect/batch", batch(pageview(APP)), CT, JSON);

        assertApiError(r, 401, "UNAUTHORIZED");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collect_rejectsBlankKeyWith401() {
        appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = http.post("/api/collect", json(pageview(APP)), KEY, " ", CT, JSON);

        assertApiError(r, 401, "UNAUTHORIZED");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_rejectsInvalidKeyWith401() {
        appKey(APP);
        long before = stored(APP);

        assertApiError(postJson("/api/collect/batch", batch(pageview(APP)), "tfk_not_a_real_key"), 401, "UNAUTHORIZED");
        assertApiError(http.post("/api/collect/batch", batch(pageview(APP)), "Authorization", "Bearer tfk_wrong", CT, JSON),
                401, "UNAUTHORIZED");
        assertApiError(http.post("/api/collect/batch?key=tfk_wrong", batch(pageview(APP)), CT, "text/plain"),
                401, "UNAUTHORIZED");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_withAUsersAccessToken_saysAnIngestKeyIsNeeded() {
        appKey(APP);
        String accessToken = auth.admin();

        var r = http.post("/api/collect/batch", batch(pageview(APP)), "Authorization", "Bearer " + accessToken, CT, JSON);

        assertApiError(r, 401, "UNAUTHORIZED");
        assertThat(r.json().path("message").asString()).contains("access token").contains("ingest key");
    }

    @Test
    void collectBatch_rejectsRevokedKeyWith401() {
        appKey(APP);
        String key = IngestKeys.generate();
        apps.addKey(APP, key);
        assertAccepted(postJson("/api/collect/batch", batch(pageview(APP)), key), 1, 0);
        long before = stored(APP);

        assertThat(apps.revokeKey(key)).isTrue();
        TestHttp.Response r = postJson("/api/collect/batch", batch(pageview(APP)), key);

        assertApiError(r, 401, "UNAUTHORIZED");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void telemetryAndEvent_rejectMissingKeyWith401() {
        assertApiError(http.post("/api/telemetry/batch", "{\"app\":\"" + APP + "\",\"events\":[]}", CT, JSON), 401, "UNAUTHORIZED");
        assertApiError(http.post("/api/perf/batch", "{\"app\":\"" + APP + "\",\"events\":[]}", CT, JSON), 401, "UNAUTHORIZED");
        assertApiError(http.post("/api/event", new byte[0], CT, "application/x-protobuf"), 401, "UNAUTHORIZED");
        assertApiError(http.post("/bench/noop", "[]", CT, JSON), 401, "UNAUTHORIZED");
    }

    @Test
    void collectBatch_rejectsEventOfAnotherAppByIndexAndKeepsTheOthers() {
        String key = appKey(APP);
        appKey(OTHER);
        long before = stored(APP);
        long otherBefore = stored(OTHER);

        TestHttp.Response r = postJson("/api/collect/batch", batch(pageview(APP), pageview(OTHER), pageview("demo")), key);

        assertAccepted(r, 1, 2);
        assertErrorAt(r, 1, "APP_MISMATCH");
        assertErrorAt(r, 2, "APP_MISMATCH");
        assertThat(stored(APP)).isEqualTo(before + 1);
        assertThat(stored(OTHER)).isEqualTo(otherBefore);
    }

    @Test
    void collect_rejectsEventOfAnotherAppWith403() {
        String key = appKey(APP);
        appKey(OTHER);
        long otherBefore = stored(OTHER);

        TestHttp.Response r = postJson("/api/collect", json(pageview(OTHER)), key);

        JsonNode error = assertApiError(r, 403, "APP_MISMATCH");
        assertThat(error.path("details").get(0).path("code").asString()).isEqualTo("APP_MISMATCH");
        assertThat(stored(OTHER)).isEqualTo(otherBefore);
    }

    @Test
    void telemetryBatch_rejectsForeignAppWith403() {
        String key = appKey(APP);
        appKey(OTHER);
        long before = stored(APP);
        long otherBefore = stored(OTHER);
        String body = json(Map.of("app", OTHER, "release", "1.0.0", "events",
                List.of(Map.of("type", "page", "name", "/home", "ts", System.currentTimeMillis()))));

        TestHttp.Response r = postJson("/api/telemetry/batch", body, key);

        assertApiError(r, 403, "APP_MISMATCH");
        assertThat(stored(APP)).isEqualTo(before);
        assertThat(stored(OTHER)).isEqualTo(otherBefore);
    }

    @Test
    void errorTraceId_equalsTheXTraceIdHeader() {
        TestHttp.Response r = http.post("/api/collect", json(pageview(APP)), KEY, "tfk_nope", CT, JSON);

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("X-Trace-Id")).isNotBlank();
        assertThat(r.json().path("traceId").asString()).isEqualTo(r.header("X-Trace-Id"));
    }

    @Test
    void errorTraceId_continuesTheCallersTraceparent() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

        TestHttp.Response r = http.post("/api/collect", "{", KEY, appKey(APP), CT, JSON,
                "traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");

        assertApiError(r, 400, "MALFORMED_BODY");
        assertThat(r.json().path("traceId").asString()).isEqualTo(traceId);
    }
}
