package dev.traceflow.audit;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

import java.util.List;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/** Writes leave audit rows (actor, action, resource, IP, trace id, no secrets); GET /audits filters and pages by role. */
class AuditTrailTest extends ServerTest {

    @Autowired
    JdbcClient jdbc;

    private List<JsonNode> items(TestHttp.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().path("items").valueStream().toList();
    }

    @Test
    void writes_areAuditedWithActorIpTraceIdAndNoSecret() {
        String app = TestAuth.uniqueName("audit");
        auth.createApp(app);
        String ip = TestAuth.randomIp();
        TestHttp.Response key = http.post("/api/apps/" + app + "/keys", "", "Authorization", "Bearer " + auth.admin(), "X-Forwarded-For", ip);
        String secret = key.json().path("key").asString();

        List<JsonNode> rows = items(http.get("/audits?appId=" + app + "&action=key.create", bearer(auth.admin())));
        assertThat(rows).hasSize(1);
        JsonNode row = rows.getFirst();
        assertThat(row.path("actorName").asString()).isEqualTo("admin");
        assertThat(row.path("resourceType").asString()).isEqualTo("ingest_key");
        assertThat(row.path("resourceId").asString()).isEqualTo(key.json().path("id").asString());
        assertThat(row.path("clientIp").asString()).isEqualTo(ip);
        assertThat(row.path("traceId").asString()).isEqualTo(key.header("X-Trace-Id"));
        assertThat(row.path("time").asString()).endsWith("Z");
        assertThat(row.toString()).doesNotContain(secret);

        List<String> actions = items(http.get("/audits?appId=" + app, bearer(auth.admin()))).stream()
                .map(r -> r.path("action").asString()).toList();
        assertThat(actions).containsExactly("key.create", "app.create"); // newest first
    }

    /**
     * README: rows are "written in the same transaction as the change". A key rotation changes the
     * old key, adds a key, writes that key's key.create row and then its key.rotate row; when the
     * last insert fails, the key.create row written before it goes too, and so do both changes.
     */
    @Test
    void aFailureAfterAnAuditRow_rollsBackTheRowAndTheChangeTogether() {
        String app = TestAuth.uniqueName("audtx");
        auth.createApp(app);
        TestHttp.Response created = http.post("/api/apps/" + app + "/keys", "", bearer(auth.admin()));
        String key = created.json().path("key").asString();
        String keyId = created.json().path("id").asString();
        List<String> before = actions(app);

        FailingAuditInsert.failOn("key.rotate", app);
        jdbc.sql("CREATE TRIGGER audits_fail_for_test BEFORE INSERT ON audits FOR EACH ROW CALL \""
                + FailingAuditInsert.class.getName() + "\"").update();
        TestHttp.Response rotated;
        try {
            rotated = http.post("/api/apps/" + app + "/keys/" + keyId + "/rotate", "{\"overlapSeconds\":0}",
                    "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        } finally {
            jdbc.sql("DROP TRIGGER audits_fail_for_test").update();
            FailingAuditInsert.reset();
        }

        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(500);
        assertThat(actions(app)).as("no key.create row of the new key").isEqualTo(before);
        assertThat(items(http.get("/api/apps/" + app + "/keys", bearer(auth.admin())))).as("no new key")
                .extracting(k -> k.path("id").asString()).containsExactly(keyId);
        assertThat(http.post("/api/collect", "{\"appId\":\"" + app + "\",\"type\":\"pageview\",\"timestamp\":"
                        + System.currentTimeMillis() + "}", "Content-Type", "application/json", "X-TraceFlow-Key", key).status())
                .as("the old key was not ended (overlap 0 would have ended it at once)").isEqualTo(202);
    }

    private List<String> actions(String app) {
        return items(http.get("/audits?appId=" + app, bearer(auth.admin()))).stream().map(r -> r.path("action").asString()).toList();
    }

    @Test
    void loginSuccessAndFailure_areAudited() {
        String name = TestAuth.uniqueName("audlogin");
        auth.createUser(name, "password-" + name, false);
        auth.loginResponse(name, "wrong-password-x");
        auth.login(name, "password-" + name);
        List<String> actions = items(http.get("/audits?actor=" + name, bearer(auth.admin()))).stream()
                .map(r -> r.path("action").asString()).toList();
        assertThat(actions).containsExactly("auth.login", "auth.login_failed");
        JsonNode failed = items(http.get("/audits?actor=" + name + "&action=auth.login_failed", bearer(auth.admin()))).getFirst();
        assertThat(failed.path("details").path("reason").asString()).isEqualTo("bad_credentials");
        assertThat(failed.toString()).doesNotContain("wrong-password-x");
    }

    @Test
    void owners_seeTheirAppsRowsOnly_viewersNone() {
        String app = TestAuth.uniqueName("audown");
        String other = TestAuth.uniqueName("audother");
        auth.createApp(app);
        auth.createApp(other);
        String ownerName = TestAuth.uniqueName("audowner");
        String viewerName = TestAuth.uniqueName("audviewer");
        String owner = auth.newUserToken(ownerName);
        String viewer = auth.newUserToken(viewerName);
        auth.grant(app, ownerName, "owner");
        auth.grant(app, viewerName, "viewer");
        auth.createKey(other);

        List<JsonNode> rows = items(http.get("/audits?limit=200", bearer(owner)));
        assertThat(rows).isNotEmpty().allSatisfy(r -> assertThat(r.path("appId").asString()).isEqualTo(app));
        assertThat(http.get("/audits?appId=" + other, bearer(owner)).status()).isEqualTo(404);
        assertThat(http.get("/audits", bearer(viewer)).status()).isEqualTo(403);
        assertThat(http.get("/audits?appId=" + app, bearer(viewer)).status()).isEqualTo(403);
    }

    @Test
    void pagesWithACursorAndFiltersByTime() {
        String app = TestAuth.uniqueName("audpage");
        auth.createApp(app);
        for (int i = 0; i < 3; i++) {
            auth.createKey(app);
        }
        TestHttp.Response first = http.get("/audits?appId=" + app + "&limit=2", bearer(auth.admin()));
        assertThat(items(first)).hasSize(2);
        String cursor = first.json().path("nextCursor").asString();
        TestHttp.Response second = http.get("/audits?appId=" + app + "&limit=2&cursor=" + cursor, bearer(auth.admin()));
        assertThat(items(second)).hasSize(2); // 3 key.create + 1 app.create
        assertThat(second.json().has("nextCursor")).isFalse();

        assertThat(items(http.get("/audits?appId=" + app + "&from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z", bearer(auth.admin()))))
                .isEmpty();
        assertThat(http.get("/audits?limit=0", bearer(auth.admin())).status()).isEqualTo(422);
        assertThat(http.get("/audits?from=yesterday", bearer(auth.admin())).status()).isEqualTo(422);
        assertThat(http.get("/audits?cursor=abc", bearer(auth.admin())).status()).isEqualTo(422);
    }

    /** People type their password into the name field: a name no account could have is not kept. */
    @Test
    void aFailedLoginWithAPasswordLikeUsername_isRecordedWithoutIt() {
        String typed = "Tr0ub4dor&3 " + TestAuth.uniqueName("x");
        TestHttp.Response r = http.post("/auth/login", "{\"username\":\"" + typed + "\",\"password\":\"whatever-pass\"}",
                "Content-Type", "application/json", "X-Forwarded-For", TestAuth.randomIp());
        assertThat(r.status()).isEqualTo(401);
        assertThat(jdbc.sql("SELECT count(*) FROM audits WHERE actor_name LIKE ? OR details LIKE ?")
                .params("%tr0ub4dor%", "%tr0ub4dor%").query(Long.class).single()).isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM audits WHERE action = 'auth.login_failed' AND details LIKE '%[not a username]%'")
                .query(Long.class).single()).isPositive();
    }
}
