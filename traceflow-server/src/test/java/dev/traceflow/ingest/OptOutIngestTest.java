package dev.traceflow.ingest;

import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 16 item 8: opt-outs delete a person's events and drop their future ones; privacy signals per app. */
class OptOutIngestTest extends IngestTestBase {

    private static final String APP = "optout-app";
    private static final String SIGNALS_APP = "optout-signals-app";

    private TestHttp.Response put(String path, String body, String token) {
        return http.send("PUT", path, body.getBytes(StandardCharsets.UTF_8), "Authorization", "Bearer " + token,
                CT, JSON);
    }

    private TestHttp.Response post(String path, String body, String token) {
        return http.post(path, body, "Authorization", "Bearer " + token, CT, JSON);
    }

    @Test
    void optOut_deletesStoredEventsAndDropsFutureOnesAsOptedOut() {
        String key = appKey(APP);
        String admin = auth.admin();
        assertAccepted(postJson("/api/collect/batch", batch(event(APP, "pageview", "userId", "leaver"),
                event(APP, "click", "userId", "leaver", "x", 1, "y", 2, "viewportWidth", 10, "viewportHeight", 10),
                event(APP, "pageview", "userId", "stayer")), key), 3, 0);
        long before = stored(APP);

        TestHttp.Response r = post("/api/apps/" + APP + "/opt-outs", "{\"userId\": \"leaver\"}", admin);

        assertThat(r.status()).as("%s", r).isEqualTo(201);
        assertThat(r.json().path("deletedEvents").asLong()).isEqualTo(2);
        assertThat(r.json().path("alreadyOptedOut").asBoolean()).isFalse();
        assertThat(stored(APP)).isEqualTo(before - 2);

        TestHttp.Response later = postJson("/api/collect/batch", batch(event(APP, "pageview", "userId", "leaver"),
                event(APP, "pageview", "userId", "stayer")), key);
        assertAccepted(later, 1, 1);
        assertErrorAt(later, 0, "OPTED_OUT");
        assertThat(stored(APP)).isEqualTo(before - 1);
        TestHttp.Response stats = http.get("/api/ingest/stats?appId=" + APP, TestAuth.bearer(admin));
        assertThat(stats.json().path("opted_out").asLong()).isEqualTo(1);

        TestHttp.Response again = post("/api/apps/" + APP + "/opt-outs", "{\"userId\": \"leaver\"}", admin);
        assertThat(again.json().path("alreadyOptedOut").asBoolean()).isTrue();
    }

    @Test
    void optOut_byAnonymousId_dropsThatDevicesEvents() {
        String key = appKey(APP);
        String admin = auth.admin();
        assertThat(post("/api/apps/" + APP + "/opt-outs", "{\"anonymousId\": \"device-9\"}", admin).status()).isEqualTo(201);

        TestHttp.Response r = postJson("/api/collect", json(event(APP, "pageview", "anonymousId", "device-9")), key);

        assertAccepted(r, 0, 1);
        assertErrorAt(r, 0, "OPTED_OUT");
    }

    @Test
    void optOut_refusesBadBodiesAndNonOwners() {
        appKey(APP);
        String admin = auth.admin();
        assertApiError(post("/api/apps/" + APP + "/opt-outs", "{\"user\": \"x\"}", admin), 400, "MALFORMED_BODY");
        assertApiError(post("/api/apps/" + APP + "/opt-outs", "{\"userId\": \"a\", \"anonymousId\": \"b\"}", admin), 422,
                "VALIDATION_FAILED");
        assertApiError(post("/api/apps/" + APP + "/opt-outs", "{\"userId\": 5}", admin), 422, "VALIDATION_FAILED");
        assertApiError(post("/api/apps/no-such-app-x/opt-outs", "{\"userId\": \"a\"}", admin), 404, "NOT_FOUND");

        String editorName = TestAuth.uniqueName("editor");
        auth.createUser(editorName, "editor-password-123", false);
        auth.grant(APP, editorName, "editor");
        String editor = auth.login(editorName, "editor-password-123");
        assertApiError(post("/api/apps/" + APP + "/opt-outs", "{\"userId\": \"a\"}", editor), 403, "FORBIDDEN");
    }

    @Test
    void privacySignals_dropEveryEventOfTheRequest_onlyWhereTheAppHonoursThem() {
        String key = appKey(SIGNALS_APP);
        String admin = auth.admin();
        TestHttp.Response off = postJson("/api/collect", json(event(SIGNALS_APP, "pageview")), key, "DNT", "1");
        assertAccepted(off, 1, 0);

        TestHttp.Response set = put("/api/apps/" + SIGNALS_APP + "/privacy", "{\"honorPrivacySignals\": true}", admin);
        assertThat(set.status()).as("%s", set).isEqualTo(200);
        assertThat(set.json().path("honorPrivacySignals").asBoolean()).isTrue();

        TestHttp.Response dnt = postJson("/api/collect/batch", batch(event(SIGNALS_APP, "pageview"), event(SIGNALS_APP, "pageview")),
                key, "DNT", "1");
        TestHttp.Response gpc = postJson("/api/collect", json(event(SIGNALS_APP, "pageview")), key, "Sec-GPC", "1");
        TestHttp.Response none = postJson("/api/collect", json(event(SIGNALS_APP, "pageview")), key);
        assertAccepted(dnt, 0, 2);
        assertErrorAt(dnt, 1, "PRIVACY_SIGNAL");
        assertAccepted(gpc, 0, 1);
        assertAccepted(none, 1, 0);
        assertApiError(put("/api/apps/" + SIGNALS_APP + "/privacy", "{\"honorPrivacySignals\": \"yes\"}", admin), 400,
                "MALFORMED_BODY");
    }
}
