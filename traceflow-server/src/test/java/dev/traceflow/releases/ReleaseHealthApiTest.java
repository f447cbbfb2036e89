package dev.traceflow.releases;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code GET /api/releases/health} over HTTP: who may read it, its parameters, and the numbers of
 * session updates sent to {@code /api/collect} (what the Sentry items become is the ingest tests').
 */
class ReleaseHealthApiTest extends ServerTest {

    private String range() {
        Instant now = Instant.now();
        return "&from=" + now.minusSeconds(3600) + "&to=" + now.plusSeconds(3600) + "&fresh=true";
    }

    private void update(String appId, String key, String sid, String status, boolean init, String environment) {
        TestHttp.Response r = http.post("/api/collect", "{\"appId\":\"" + appId + "\",\"type\":\"session_update\",\"timestamp\":"
                        + System.currentTimeMillis() + ",\"release\":\"web@7\",\"environment\":\"" + environment + "\",\"userId\":\"u-" + sid
                        + "\",\"properties\":{\"sid\":\"" + sid + "\",\"status\":\"" + status + "\",\"init\":" + init + "}}",
                "Content-Type", "application/json", "X-TraceFlow-Key", key);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
    }

    @Test
    void sessionUpdatesSentToCollect_giveTheReleasesHealth_filteredByEnvironment() {
        String appId = TestAuth.uniqueName("health");
        auth.createApp(appId);
        String key = auth.createKey(appId);
        update(appId, key, "a", "ok", true, "production");
        update(appId, key, "a", "crashed", false, "production");
        update(appId, key, "b", "ok", true, "production");
        update(appId, key, "c", "ok", true, "staging");

        TestHttp.Response all = http.get("/api/releases/health?appId=" + appId + range(), bearer(auth.admin()));
        TestHttp.Response production = http.get("/api/releases/health?appId=" + appId + "&environment=production" + range(),
                bearer(auth.admin()));

        assertThat(all.status()).as(all.toString()).isEqualTo(200);
        assertThat(all.json().path("items").get(0).path("sessions").asLong()).isEqualTo(3);
        assertThat(all.json().path("items").get(0).path("crashFreeUserRate").asDouble()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(production.json().path("items").get(0).path("sessions").asLong()).isEqualTo(2);
        assertThat(production.json().path("items").get(0).path("crashFreeSessionRate").asDouble()).isEqualTo(0.5);
    }

    @Test
    void aSessionUpdateWithoutARelease_isRefused() {
        String appId = TestAuth.uniqueName("health-norel");
        auth.createApp(appId);
        TestHttp.Response r = http.post("/api/collect", "{\"appId\":\"" + appId + "\",\"type\":\"session_update\",\"timestamp\":"
                + System.currentTimeMillis() + ",\"properties\":{\"sid\":\"x\",\"init\":true}}",
                "Content-Type", "application/json", "X-TraceFlow-Key", auth.createKey(appId));
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
    }

    @Test
    void anAppWithoutARole_is404_andBadParametersAre400() {
        String appId = TestAuth.uniqueName("health-acl");
        auth.createApp(appId);
        String stranger = TestAuth.uniqueName("stranger");
        auth.createUser(stranger, "a-long-password-1", false);

        assertThat(http.get("/api/releases/health?appId=" + appId, bearer(auth.login(stranger, "a-long-password-1"))).status())
                .isEqualTo(404);
        TestHttp.Response badLimit = http.get("/api/releases/health?appId=" + appId + "&limit=0", bearer(auth.admin()));
        assertThat(badLimit.status()).isEqualTo(400);
        assertThat(badLimit.json().path("code").asString()).isEqualTo("INVALID_PARAMETER");
        assertThat(http.get("/api/releases/health?appId=" + appId + "&granularity=day", bearer(auth.admin())).status())
                .as("no series here").isEqualTo(400);
        assertThat(http.get("/api/releases/health?appId=" + appId).status()).isEqualTo(401);
    }
}
