package dev.traceflow.auth;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/** /api/users: validation, conflicts, and the guards that keep an install administrable. */
class UserAdminTest extends ServerTest {

    private TestHttp.Response create(String body) {
        return http.post("/api/users", body, "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
    }

    @Test
    void create_validatesUsernameAndPassword() {
        String name = TestAuth.uniqueName("valid");
        assertThat(create("{\"username\":\"" + name + "\",\"password\":\"long-enough-pw\"}").status()).isEqualTo(201);
        assertThat(create("{\"username\":\"" + name.toUpperCase() + "\",\"password\":\"long-enough-pw\"}").status())
                .as("usernames are unique whatever the case").isEqualTo(409);
        for (String bad : new String[] {
                "{\"username\":\"ab\",\"password\":\"long-enough-pw\"}",
                "{\"username\":\"has space\",\"password\":\"long-enough-pw\"}",
                "{\"username\":\"" + TestAuth.uniqueName("pw") + "\",\"password\":\"short\"}",
                "{\"username\":\"" + TestAuth.uniqueName("pw") + "\",\"password\":\"" + "x".repeat(73) + "\"}",
                "{\"username\":\"" + TestAuth.uniqueName("pw") + "\"}",
                "{}"}) {
            TestHttp.Response r = create(bad);
            assertThat(r.status()).as(bad + " -> " + r).isEqualTo(422);
            assertThat(r.json().path("code").asString()).isEqualTo("VALIDATION_FAILED");
        }
        assertThat(create("{\"username\":").status()).isEqualTo(400);
    }

    @Test
    void me_listsTheAppsAnAdminCanRead_asApiAppsDoes() {
        String admin = auth.admin();
        String app = TestAuth.uniqueName("me-app");
        auth.createApp(app);

        TestHttp.Response me = http.get("/api/users/me", bearer(admin));
        TestHttp.Response apps = http.get("/api/apps", bearer(admin));

        java.util.Set<String> fromMe = new java.util.TreeSet<>();
        me.json().path("apps").forEach(a -> {
            fromMe.add(a.path("appId").asString());
            assertThat(a.path("role").asString()).isEqualTo("owner");
        });
        java.util.Set<String> fromApps = new java.util.TreeSet<>();
        apps.json().path("items").forEach(a -> fromApps.add(a.path("id").asString()));
        assertThat(fromMe).contains(app).isEqualTo(fromApps);
    }

    @Test
    void adminsCannotLockThemselvesOut() {
        String me = http.get("/api/users/me", bearer(auth.admin())).json().path("user").path("id").asString();
        assertThat(http.send("DELETE", "/api/users/" + me, null, bearer(auth.admin())).status()).isEqualTo(409);
        TestHttp.Response demote = http.send("PATCH", "/api/users/" + me, "{\"admin\":false}".getBytes(),
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(demote.status()).isEqualTo(409);
    }

    @Test
    void promotedUser_getsAdminOnTheirNextLogin_andDeletedUsersTokensEnd() {
        String name = TestAuth.uniqueName("promote");
        String id = auth.createUser(name, "password-" + name, false);
        String before = auth.login(name, "password-" + name);
        assertThat(http.get("/api/users", bearer(before)).status()).isEqualTo(403);

        TestHttp.Response promote = http.send("PATCH", "/api/users/" + id, "{\"admin\":true}".getBytes(),
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(promote.status()).isEqualTo(200);
        assertThat(promote.json().path("admin").asBoolean()).isTrue();
        assertThat(http.get("/api/users/me", bearer(before)).status()).as("tokens carrying the old roles end").isEqualTo(401);
        String after = auth.login(name, "password-" + name);
        assertThat(http.get("/api/users", bearer(after)).status()).isEqualTo(200);

        assertThat(http.send("DELETE", "/api/users/" + id, null, bearer(auth.admin())).status()).isEqualTo(204);
        assertThat(http.get("/api/users", bearer(after)).status()).isEqualTo(401);
        assertThat(http.get("/api/users/" + id, bearer(auth.admin())).status()).isEqualTo(404);
    }

    @Test
    void adminPasswordReset_endsTheUsersSessions() {
        String name = TestAuth.uniqueName("reset");
        String id = auth.createUser(name, "password-" + name, false);
        String token = auth.login(name, "password-" + name);
        TestHttp.Response reset = http.send("PATCH", "/api/users/" + id, "{\"password\":\"brand-new-password\"}".getBytes(),
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(reset.status()).isEqualTo(200);
        assertThat(http.get("/api/users/me", bearer(token)).status()).isEqualTo(401);
        assertThat(auth.loginResponse(name, "brand-new-password").status()).isEqualTo(200);
    }
}
