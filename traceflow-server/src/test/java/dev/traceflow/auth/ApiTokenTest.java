package dev.traceflow.auth;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/** Long-lived API tokens (issue 18 item 12): created with a login, limited to their roles, revocable, never on ingest. */
class ApiTokenTest extends ServerTest {

    @Autowired
    JdbcClient jdbc;

    private TestHttp.Response createToken(String bearerToken, String body) {
        return http.post("/api/users/me/tokens", body, "Content-Type", "application/json", "Authorization", "Bearer " + bearerToken);
    }

    /** A user who owns a new app, their login and the app id. */
    private record Owner(String name, String login, String app) {
    }

    private Owner owner(String prefix) {
        String name = TestAuth.uniqueName(prefix);
        String login = auth.newUserToken(name);
        String app = TestAuth.uniqueName(prefix + "-app");
        auth.createApp(app);
        auth.grant(app, name, "owner");
        String keeper = TestAuth.uniqueName(prefix + "-keeper");
        auth.createUser(keeper, "password-" + keeper, false);
        auth.grant(app, keeper, "owner"); // so that the user can be demoted: an app keeps an owner
        return new Owner(name, login, app);
    }

    private String token(String login, String app, String role) {
        TestHttp.Response r = createToken(login, "{\"name\":\"ci\",\"expiresInDays\":90,\"apps\":{\"" + app + "\":\"" + role + "\"}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().path("token").asString();
    }

    @Test
    void created_shownOnce_readsItsApp_listedWithoutTheSecret_andAudited() {
        Owner o = owner("tok");
        TestHttp.Response created = createToken(o.login(),
                "{\"name\":\"ci\",\"expiresInDays\":90,\"apps\":{\"" + o.app() + "\":\"viewer\"}}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String token = created.json().path("token").asString();
        String id = created.json().path("id").asString();
        assertThat(token).startsWith("tft_").hasSize(4 + 43);
        assertThat(created.json().path("prefix").asString()).isEqualTo(token.substring(0, 12));
        assertThat(created.json().path("apps").path(o.app()).asString()).isEqualTo("viewer");

        TestHttp.Response app = http.get("/api/apps/" + o.app(), bearer(token));
        assertThat(app.status()).as(app.toString()).isEqualTo(200);
        assertThat(app.json().path("role").asString()).as("the token's role, not the owner's").isEqualTo("viewer");
        TestHttp.Response apps = http.get("/api/apps", bearer(token));
        assertThat(apps.json().path("items")).hasSize(1);
        assertThat(http.get("/api/users/me", bearer(token)).json().path("apps").get(0).path("role").asString()).isEqualTo("viewer");

        TestHttp.Response list = http.get("/api/users/me/tokens", bearer(o.login()));
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).doesNotContain(token).doesNotContain(token.substring(12));
        JsonNode listed = list.json().path("items").get(0);
        assertThat(listed.path("id").asString()).isEqualTo(id);
        assertThat(listed.path("name").asString()).isEqualTo("ci");
        assertThat(listed.path("lastUsedAt").isNull()).as("used above: " + listed).isFalse();
        assertThat(listed.has("expiresAt")).isTrue();
        assertThat(listed.has("token")).isFalse();

        assertThat(jdbc.sql("SELECT count(*) FROM audits WHERE action = 'api_token.create' AND resource_id = ?")
                .param(id).query(Integer.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("SELECT details FROM audits WHERE resource_id = ?").param(id).query(String.class).single())
                .doesNotContain(token.substring(12));
        assertThat(jdbc.sql("SELECT count(*) FROM api_tokens WHERE token_hash = ?").param(SecretTokens.hash(token))
                .query(Integer.class).single()).as("stored hashed").isEqualTo(1);
    }

    @Test
    void roleCeiling_viewerTokenCannotEdit_andLosingTheAppLosesItForTheToken() {
        Owner o = owner("tok-ceil");
        String viewer = token(o.login(), o.app(), "viewer");
        TestHttp.Response patch = http.send("PATCH", "/api/apps/" + o.app(), "{\"name\":\"renamed\"}".getBytes(),
                "Content-Type", "application/json", "Authorization", "Bearer " + viewer);
        assertThat(patch.status()).as(patch.toString()).isEqualTo(403);
        String ownerToken = token(o.login(), o.app(), "owner");
        TestHttp.Response renamed = http.send("PATCH", "/api/apps/" + o.app(), "{\"name\":\"renamed\"}".getBytes(),
                "Content-Type", "application/json", "Authorization", "Bearer " + ownerToken);
        assertThat(renamed.status()).isEqualTo(200);
        String ownerTokenId = jdbc.sql("SELECT id FROM api_tokens WHERE token_hash = ?").param(SecretTokens.hash(ownerToken))
                .query(String.class).single();
        assertThat(jdbc.sql("SELECT details FROM audits WHERE app_id = ? AND action = 'app.update' ORDER BY id DESC")
                .param(o.app()).query(String.class).list().getFirst())
                .as("the audit row says which token acted").contains(ownerTokenId);

        String other = TestAuth.uniqueName("tok-other");
        auth.createApp(other);
        assertThat(http.get("/api/apps/" + other, bearer(ownerToken)).status()).as("an app the token does not name").isEqualTo(404);

        auth.grant(o.app(), o.name(), "viewer");
        assertThat(http.send("PATCH", "/api/apps/" + o.app(), "{\"name\":\"again\"}".getBytes(),
                "Content-Type", "application/json", "Authorization", "Bearer " + ownerToken).status())
                .as("the user was demoted: so is the token").isEqualTo(403);
        assertThat(http.send("DELETE", "/api/apps/" + o.app() + "/members/" + o.name(), null, bearer(auth.admin())).status())
                .isEqualTo(204);
        assertThat(http.get("/api/apps/" + o.app(), bearer(ownerToken)).status()).as("the user lost the app").isEqualTo(404);
    }

    @Test
    void aRoleAboveYourOwn_anUnknownApp_orAdminForANonAdmin_isRefused() {
        Owner o = owner("tok-bad");
        auth.grant(o.app(), o.name(), "editor");
        assertThat(createToken(o.login(), "{\"name\":\"x\",\"expiresInDays\":9,\"apps\":{\"" + o.app() + "\":\"owner\"}}").status())
                .isEqualTo(422);
        assertThat(createToken(o.login(), "{\"name\":\"x\",\"expiresInDays\":9,\"apps\":{\"no-such-app-tok\":\"viewer\"}}").status())
                .isEqualTo(422);
        assertThat(createToken(o.login(), "{\"name\":\"x\",\"expiresInDays\":9,\"admin\":true}").status()).isEqualTo(403);
        for (String bad : new String[] {
                "{\"name\":\"x\",\"apps\":{\"" + o.app() + "\":\"viewer\"}}",
                "{\"name\":\"x\",\"expiresInDays\":366,\"apps\":{\"" + o.app() + "\":\"viewer\"}}",
                "{\"name\":\"x\",\"expiresInDays\":0,\"apps\":{\"" + o.app() + "\":\"viewer\"}}",
                "{\"name\":\"\",\"expiresInDays\":9,\"apps\":{\"" + o.app() + "\":\"viewer\"}}",
                "{\"name\":\"x\",\"expiresInDays\":9,\"apps\":{\"" + o.app() + "\":\"boss\"}}",
                "{\"name\":\"x\",\"expiresInDays\":9}"}) {
            TestHttp.Response r = createToken(o.login(), bad);
            assertThat(r.status()).as(bad + " -> " + r).isEqualTo(422);
        }
    }

    @Test
    void adminToken_actsAsAdmin_onlyWhileTheUserIsOne() {
        String name = TestAuth.uniqueName("tok-adm");
        String id = auth.createUser(name, "password-" + name, true);
        String login = auth.login(name, "password-" + name);
        TestHttp.Response r = createToken(login, "{\"name\":\"ops\",\"expiresInDays\":30,\"admin\":true}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String token = r.json().path("token").asString();
        assertThat(http.get("/api/users", bearer(token)).status()).isEqualTo(200);

        String plain = token(login, "demo", "viewer");
        assertThat(http.get("/api/users", bearer(plain)).status()).as("a non-admin token of an admin").isEqualTo(403);

        assertThat(http.send("PATCH", "/api/users/" + id, "{\"admin\":false}".getBytes(),
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin()).status()).isEqualTo(200);
        assertThat(http.get("/api/users", bearer(token)).status()).isEqualTo(403);
    }

    @Test
    void expired_revoked_andDisabledUsersTokens_get401() {
        Owner o = owner("tok-end");
        String expiring = token(o.login(), o.app(), "viewer");
        jdbc.sql("UPDATE api_tokens SET expires_at = ? WHERE token_hash = ?")
                .params(OffsetDateTime.now(ZoneOffset.UTC).minusDays(400), SecretTokens.hash(expiring)).update();
        TestHttp.Response expired = http.get("/api/apps/" + o.app(), bearer(expiring));
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.json().path("code").asString()).isEqualTo("UNAUTHORIZED");

        TestHttp.Response created = createToken(o.login(), "{\"name\":\"r\",\"expiresInDays\":1,\"apps\":{\"" + o.app() + "\":\"viewer\"}}");
        String revoked = created.json().path("token").asString();
        String revokedId = created.json().path("id").asString();
        assertThat(http.get("/api/apps/" + o.app(), bearer(revoked)).status()).isEqualTo(200);
        assertThat(http.send("DELETE", "/api/users/me/tokens/" + revokedId, null, bearer(o.login())).status()).isEqualTo(204);
        assertThat(http.get("/api/apps/" + o.app(), bearer(revoked)).status()).isEqualTo(401);
        assertThat(http.send("DELETE", "/api/users/me/tokens/" + revokedId, null, bearer(o.login())).status()).isEqualTo(404);
        assertThat(jdbc.sql("SELECT count(*) FROM audits WHERE action = 'api_token.revoke' AND resource_id = ?")
                .param(revokedId).query(Integer.class).single()).isEqualTo(1);

        String live = token(o.login(), o.app(), "viewer");
        String userId = http.get("/api/users/me", bearer(o.login())).json().path("user").path("id").asString();
        assertThat(http.send("PATCH", "/api/users/" + userId, "{\"enabled\":false}".getBytes(),
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin()).status()).isEqualTo(200);
        assertThat(http.get("/api/apps/" + o.app(), bearer(live)).status()).as("disabled user").isEqualTo(401);

        Owner gone = owner("tok-gone");
        String orphan = token(gone.login(), gone.app(), "viewer");
        String goneId = http.get("/api/users/me", bearer(gone.login())).json().path("user").path("id").asString();
        assertThat(http.send("DELETE", "/api/users/" + goneId, null, bearer(auth.admin())).status()).isEqualTo(204);
        assertThat(http.get("/api/apps/" + gone.app(), bearer(orphan)).status()).as("deleted user").isEqualTo(401);
        assertThat(jdbc.sql("SELECT count(*) FROM api_tokens WHERE user_id = ?").param(goneId).query(Integer.class).single())
                .as("their tokens went with them").isZero();
    }

    @Test
    void aTokenCannotCreateTokensNorChangeThePassword_norRevokeAnotherUsersToken() {
        Owner o = owner("tok-self");
        String token = token(o.login(), o.app(), "owner");
        TestHttp.Response r = createToken(token, "{\"name\":\"y\",\"expiresInDays\":9,\"apps\":{\"" + o.app() + "\":\"viewer\"}}");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json().path("code").asString()).isEqualTo("LOGIN_REQUIRED");
        TestHttp.Response pw = http.post("/api/users/me/password",
                "{\"oldPassword\":\"password-" + o.name() + "\",\"newPassword\":\"another-password-1\"}",
                "Content-Type", "application/json", "Authorization", "Bearer " + token);
        assertThat(pw.status()).isEqualTo(403);
        assertThat(pw.json().path("code").asString()).isEqualTo("LOGIN_REQUIRED");

        String id = http.get("/api/users/me/tokens", bearer(token)).json().path("items").get(0).path("id").asString();
        Owner stranger = owner("tok-stranger");
        assertThat(http.send("DELETE", "/api/users/me/tokens/" + id, null, bearer(stranger.login())).status()).isEqualTo(404);
        assertThat(http.get("/api/apps/" + o.app(), bearer(token)).status()).isEqualTo(200);
    }

    @Test
    void viewerTokenReadsErrors_butGets403OnAnEditorAction_whichAnEditorTokenMay() {
        Owner o = owner("tok-err");
        String key = auth.createKey(o.app());
        long now = System.currentTimeMillis();
        String event = "{\"events\":[{\"appId\":\"" + o.app() + "\",\"type\":\"error\",\"timestamp\":" + now
                + ",\"eventId\":\"" + UUID.randomUUID() + "\",\"url\":\"https://shop.test/\",\"message\":\"boom\","
                + "\"errorType\":\"TypeError\"}]}";
        assertThat(http.post("/api/collect/batch", event, "Content-Type", "application/json", "X-TraceFlow-Key", key).status())
                .isEqualTo(202);
        String viewer = token(o.login(), o.app(), "viewer");
        TestHttp.Response errors = http.get("/api/errors?appId=" + o.app() + "&from=" + (now - 3_600_000) + "&to="
                + (now + 3_600_000) + "&fresh=true", bearer(viewer));
        assertThat(errors.status()).as(errors.toString()).isEqualTo(200);
        String group = errors.json().path("items").get(0).path("id").asString();

        byte[] resolve = "{\"status\":\"resolved\"}".getBytes();
        assertThat(http.send("PATCH", "/api/errors/" + group, resolve, "Content-Type", "application/json",
                "Authorization", "Bearer " + viewer).status()).isEqualTo(403);
        String editor = token(o.login(), o.app(), "editor");
        assertThat(http.send("PATCH", "/api/errors/" + group, resolve, "Content-Type", "application/json",
                "Authorization", "Bearer " + editor).status()).isEqualTo(200);
    }

    @Test
    void lastUse_isWrittenAtMostOnceAMinute() {
        Owner o = owner("tok-use");
        String token = token(o.login(), o.app(), "viewer");
        String hash = SecretTokens.hash(token);
        OffsetDateTime recent = OffsetDateTime.ofInstant(CLOCK.instant().minusSeconds(30), ZoneOffset.UTC)
                .truncatedTo(ChronoUnit.SECONDS); // the database keeps microseconds
        jdbc.sql("UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?").params(recent, hash).update();
        assertThat(http.get("/api/apps/" + o.app(), bearer(token)).status()).isEqualTo(200);
        assertThat(lastUse(hash)).as("used 30 s ago: not written again").isEqualTo(recent.toInstant());

        OffsetDateTime old = OffsetDateTime.ofInstant(CLOCK.instant().minusSeconds(120), ZoneOffset.UTC);
        jdbc.sql("UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?").params(old, hash).update();
        assertThat(http.get("/api/apps/" + o.app(), bearer(token)).status()).isEqualTo(200);
        assertThat(lastUse(hash)).isAfter(old.plusSeconds(60).toInstant());
    }

    private Instant lastUse(String hash) {
        return jdbc.sql("SELECT last_used_at FROM api_tokens WHERE token_hash = ?").param(hash)
                .query(OffsetDateTime.class).single().toInstant();
    }

    @Test
    void ingestRefusesApiTokens() {
        Owner o = owner("tok-ingest");
        String token = token(o.login(), o.app(), "owner");
        TestHttp.Response r = http.post("/api/collect/batch", "{\"events\":[]}", "Content-Type", "application/json",
                "Authorization", "Bearer " + token);
        assertThat(r.status()).as(r.toString()).isEqualTo(401);
        assertThat(r.json().path("message").asString()).contains("ingest key");
        assertThat(http.post("/api/collect/batch", "{\"events\":[]}", "Content-Type", "application/json",
                "X-TraceFlow-Key", token).status()).isEqualTo(401);
    }
}
