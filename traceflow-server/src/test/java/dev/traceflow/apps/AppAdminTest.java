package dev.traceflow.apps;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/** /api/apps and ingest keys: create, show once, revoke, rotate with overlap, delete with events. */
class AppAdminTest extends ServerTest {

    private TestHttp.Response send(String appId, String key) {
        return http.post("/api/collect", "{\"appId\":\"" + appId + "\",\"type\":\"pageview\",\"url\":\"https://x.example/\",\"timestamp\":"
                + System.currentTimeMillis() + "}", "Content-Type", "application/json", "X-TraceFlow-Key", key);
    }

    @Test
    void create_validatesAndRefusesDuplicates() {
        String admin = auth.admin();
        String id = TestAuth.uniqueName("adm");
        TestHttp.Response created = http.post("/api/apps", "{\"id\":\"" + id + "\",\"name\":\"Shop\",\"retentionDays\":30,"
                + "\"allowedOrigins\":[\"https://shop.example\"]}", "Content-Type", "application/json", "Authorization", "Bearer " + admin);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().path("retentionDays").asInt()).isEqualTo(30);
        assertThat(created.json().path("allowedOrigins").get(0).asString()).isEqualTo("https://shop.example");

        assertThat(http.post("/api/apps", "{\"id\":\"" + id + "\"}", "Content-Type", "application/json", "Authorization", "Bearer " + admin)
                .status()).isEqualTo(409);
        for (String bad : new String[] {"{\"id\":\"Bad Id!\"}", "{\"id\":\"ok-" + id + "\",\"retentionDays\":0}",
                "{\"id\":\"ok2-" + id + "\",\"allowedOrigins\":[\"javascript:alert(1)\"]}", "{}"}) {
            TestHttp.Response r = http.post("/api/apps", bad, "Content-Type", "application/json", "Authorization", "Bearer " + admin);
            assertThat(r.status()).as(bad + " -> " + r).isEqualTo(422);
            assertThat(r.json().path("code").asString()).isEqualTo("VALIDATION_FAILED");
        }
        assertThat(http.get("/api/apps/ok-" + id, bearer(admin)).status()).as("nothing half-stored").isEqualTo(404);
    }

    /** A fraction where a whole number of days belongs is a client error, not silently 30 (application.yml). */
    @Test
    void retentionDaysWithAFraction_isRefusedWith400_andChangesNothing() {
        String id = TestAuth.uniqueName("frac");
        TestHttp.Response created = http.post("/api/apps", "{\"id\":\"" + id + "\",\"retentionDays\":30.5}",
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(created.status()).as(created.toString()).isEqualTo(400);
        assertThat(created.json().path("code").asString()).isEqualTo("MALFORMED_BODY");
        assertThat(http.get("/api/apps/" + id, bearer(auth.admin())).status()).as("not created").isEqualTo(404);

        auth.createApp(id);
        TestHttp.Response patched = http.send("PATCH", "/api/apps/" + id, "{\"retentionDays\":30.5}".getBytes(),
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(patched.status()).as(patched.toString()).isEqualTo(400);
        assertThat(patched.json().path("code").asString()).isEqualTo("MALFORMED_BODY");
        assertThat(http.get("/api/apps/" + id, bearer(auth.admin())).json().path("retentionDays").asInt()).isEqualTo(90);
    }

    @Test
    void list_showsEachAppWithItsOwnOrigins() {
        String admin = auth.admin();
        String a = TestAuth.uniqueName("lsa");
        String b = TestAuth.uniqueName("lsb");
        String c = TestAuth.uniqueName("lsc");
        for (String body : new String[] {
                "{\"id\":\"" + a + "\",\"allowedOrigins\":[\"https://b.example\",\"https://a.example\"]}",
                "{\"id\":\"" + b + "\",\"allowedOrigins\":[\"https://other.example\"]}",
                "{\"id\":\"" + c + "\"}"}) {
            assertThat(http.post("/api/apps", body, "Content-Type", "application/json", "Authorization", "Bearer " + admin).status())
                    .isEqualTo(201);
        }

        TestHttp.Response list = http.get("/api/apps", bearer(admin));

        assertThat(list.status()).as(list.toString()).isEqualTo(200);
        java.util.Map<String, java.util.List<String>> origins = new java.util.HashMap<>();
        for (var item : list.json().path("items")) {
            java.util.List<String> values = new java.util.ArrayList<>();
            item.path("allowedOrigins").forEach(o -> values.add(o.asString()));
            origins.put(item.path("id").asString(), values);
        }
        assertThat(origins.get(a)).containsExactlyInAnyOrder("https://a.example", "https://b.example");
        assertThat(origins.get(b)).containsExactly("https://other.example");
        assertThat(origins.get(c)).isEmpty();
    }

    @Test
    void key_isShownOnceAndWorksUntilRevoked() {
        String app = TestAuth.uniqueName("keys");
        auth.createApp(app);
        TestHttp.Response created = http.post("/api/apps/" + app + "/keys", "", bearer(auth.admin()));
        String key = created.json().path("key").asString();
        String keyId = created.json().path("id").asString();
        assertThat(key).startsWith("tfk_");
        assertThat(send(app, key).status()).isEqualTo(202);

        TestHttp.Response list = http.get("/api/apps/" + app + "/keys", bearer(auth.admin()));
        assertThat(list.body()).doesNotContain(key).contains(keyId, key.substring(0, 10));
        assertThat(list.body()).doesNotContain(IngestKeys.hash(key));

        assertThat(http.send("DELETE", "/api/apps/" + app + "/keys/" + keyId, null, bearer(auth.admin())).status()).isEqualTo(204);
        assertThat(send(app, key).status()).isEqualTo(401);
        assertThat(http.send("DELETE", "/api/apps/" + app + "/keys/" + keyId, null, bearer(auth.admin())).status()).isEqualTo(404);
    }

    @Test
    void rotate_keepsTheOldKeyDuringTheOverlap() {
        String app = TestAuth.uniqueName("rotate");
        auth.createApp(app);
        TestHttp.Response created = http.post("/api/apps/" + app + "/keys", "", bearer(auth.admin()));
        String oldKey = created.json().path("key").asString();
        String oldId = created.json().path("id").asString();

        TestHttp.Response rotated = http.post("/api/apps/" + app + "/keys/" + oldId + "/rotate", "{\"overlapSeconds\":3600}",
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(201);
        String newKey = rotated.json().path("key").path("key").asString();
        String newId = rotated.json().path("key").path("id").asString();
        assertThat(send(app, oldKey).status()).as("old key during the overlap").isEqualTo(202);
        assertThat(send(app, newKey).status()).isEqualTo(202);

        TestHttp.Response now = http.post("/api/apps/" + app + "/keys/" + newId + "/rotate", "{\"overlapSeconds\":0}",
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(now.status()).isEqualTo(201);
        assertThat(send(app, newKey).status()).as("overlap 0 ends the key at once").isEqualTo(401);

        TestHttp.Response tooLong = http.post("/api/apps/" + app + "/keys/" + oldId + "/rotate", "{\"overlapSeconds\":99999999}",
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(tooLong.status()).isEqualTo(422);
    }

    @Test
    void patch_changesOriginsAndRetention() {
        String app = TestAuth.uniqueName("patch");
        auth.createApp(app);
        TestHttp.Response r = http.send("PATCH", "/api/apps/" + app, "{\"retentionDays\":7,\"allowedOrigins\":[\"https://a.example\"]}".getBytes(),
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("retentionDays").asInt()).isEqualTo(7);
        assertThat(http.get("/api/apps/" + app, bearer(auth.admin())).json().path("allowedOrigins").get(0).asString())
                .isEqualTo("https://a.example");
        TestHttp.Response empty = http.send("PATCH", "/api/apps/" + app, "{}".getBytes(), "Content-Type", "application/json",
                "Authorization", "Bearer " + auth.admin());
        assertThat(empty.status()).isEqualTo(422);
    }

    @Test
    void delete_removesTheAppItsKeysAndItsEvents() {
        String app = TestAuth.uniqueName("gone");
        auth.createApp(app);
        String key = auth.createKey(app);
        assertThat(send(app, key).status()).isEqualTo(202);
        assertThat(storedCount(app)).isEqualTo(1);

        assertThat(http.send("DELETE", "/api/apps/" + app, null, bearer(auth.admin())).status()).isEqualTo(204);
        assertThat(storedCount(app)).isZero();
        assertThat(send(app, key).status()).isEqualTo(401);
        assertThat(http.get("/api/apps/" + app, bearer(auth.admin())).status()).isEqualTo(404);
    }
}
