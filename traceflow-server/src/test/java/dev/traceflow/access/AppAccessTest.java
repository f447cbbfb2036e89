package dev.traceflow.access;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * RBAC over HTTP: viewers read, editors cannot manage, owners manage their app, nobody sees an
 * app they have no role on (404, never its data), and only admins manage users.
 */
class AppAccessTest extends ServerTest {

    String appA;
    String appB;
    String viewer;
    String editor;
    String owner;
    String ownerOfB;

    @BeforeEach
    void twoAppsAndTheirPeople() {
        appA = TestAuth.uniqueName("rbac-a");
        appB = TestAuth.uniqueName("rbac-b");
        auth.createApp(appA);
        auth.createApp(appB);
        String v = TestAuth.uniqueName("viewer");
        String e = TestAuth.uniqueName("editor");
        String o = TestAuth.uniqueName("owner");
        String ob = TestAuth.uniqueName("ownerb");
        viewer = auth.newUserToken(v);
        editor = auth.newUserToken(e);
        owner = auth.newUserToken(o);
        ownerOfB = auth.newUserToken(ob);
        auth.grant(appA, v, "viewer");
        auth.grant(appA, e, "editor");
        auth.grant(appA, o, "owner");
        auth.grant(appB, ob, "owner");
    }

    private TestHttp.Response patchApp(String app, String token) {
        return http.send("PATCH", "/api/apps/" + app, "{\"name\":\"renamed\"}".getBytes(), "Content-Type", "application/json",
                "Authorization", "Bearer " + token);
    }

    @Test
    void viewer_readsButCannotWrite() {
        assertThat(http.get("/api/apps/" + appA, bearer(viewer)).json().path("role").asString()).isEqualTo("viewer");
        assertThat(http.get("/api/ingest/stats?appId=" + appA, bearer(viewer)).status()).isEqualTo(200);
        TestHttp.Response patch = patchApp(appA, viewer);
        assertThat(patch.status()).isEqualTo(403);
        assertThat(patch.json().path("code").asString()).isEqualTo("FORBIDDEN");
        assertThat(http.post("/api/apps/" + appA + "/keys", "", bearer(viewer)).status()).isEqualTo(403);
        assertThat(http.get("/api/apps/" + appA + "/members", bearer(viewer)).status()).isEqualTo(403);
    }

    @Test
    void editor_cannotManageKeysMembersOrSettings() {
        assertThat(http.get("/api/apps/" + appA + "/keys", bearer(editor)).status()).isEqualTo(403);
        assertThat(patchApp(appA, editor).status()).isEqualTo(403);
        assertThat(http.send("DELETE", "/api/apps/" + appA, null, bearer(editor)).status()).isEqualTo(403);
    }

    @Test
    void owner_managesTheApp() {
        TestHttp.Response patch = patchApp(appA, owner);
        assertThat(patch.status()).as(patch.toString()).isEqualTo(200);
        assertThat(patch.json().path("name").asString()).isEqualTo("renamed");
        TestHttp.Response key = http.post("/api/apps/" + appA + "/keys", "", bearer(owner));
        assertThat(key.status()).isEqualTo(201);
        assertThat(http.get("/api/apps/" + appA + "/members", bearer(owner)).json().path("items")).hasSize(3);
    }

    @Test
    void aMemberOfAppA_getsNotFoundForAppB() {
        for (String token : new String[] {viewer, editor, owner}) {
            assertNotFound(http.get("/api/apps/" + appB, bearer(token)));
            assertNotFound(http.get("/api/ingest/stats?appId=" + appB, bearer(token)));
            assertNotFound(http.get("/api/apps/" + appB + "/keys", bearer(token)));
            assertNotFound(http.get("/api/apps/" + appB + "/members", bearer(token)));
            assertNotFound(http.get("/audits?appId=" + appB, bearer(token)));
            assertNotFound(patchApp(appB, token));
            assertNotFound(http.post("/api/apps/" + appB + "/keys", "", bearer(token)));
        }
        // the answer is the same as for an app that does not exist: ids do not leak
        TestHttp.Response missing = http.get("/api/apps/no-such-app-" + appB, bearer(owner));
        TestHttp.Response other = http.get("/api/apps/" + appB, bearer(owner));
        assertThat(other.json().path("code").asString()).isEqualTo(missing.json().path("code").asString());
    }

    private static void assertNotFound(TestHttp.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(404);
        assertThat(r.json().path("code").asString()).isEqualTo("NOT_FOUND");
        assertThat(r.body()).doesNotContain("\"items\"", "\"accepted\"");
    }

    @Test
    void appList_showsOnlyTheCallersApps() {
        TestHttp.Response list = http.get("/api/apps", bearer(viewer));
        assertThat(list.json().path("items").valueStream().map(a -> a.path("id").asString()).toList()).containsExactly(appA);
        TestHttp.Response all = http.get("/api/apps", bearer(auth.admin()));
        assertThat(all.json().path("items").valueStream().map(a -> a.path("id").asString()).toList()).contains(appA, appB, "demo");
    }

    @Test
    void removingAMember_takesEffectOnTheirNextRequest() {
        String name = http.get("/api/users/me", bearer(viewer)).json().path("user").path("username").asString();
        assertThat(http.send("DELETE", "/api/apps/" + appA + "/members/" + name, null, bearer(owner)).status()).isEqualTo(204);
        assertThat(http.get("/api/apps/" + appA, bearer(viewer)).status()).isEqualTo(404);
    }

    @Test
    void onlyAdmins_manageUsersAndCreateApps() {
        assertThat(http.get("/api/users", bearer(owner)).status()).isEqualTo(403);
        assertThat(http.post("/api/users", "{\"username\":\"x-user\",\"password\":\"long-enough-pw\"}", "Content-Type",
                "application/json", "Authorization", "Bearer " + owner).status()).isEqualTo(403);
        assertThat(http.post("/api/apps", "{\"id\":\"sneaky\"}", "Content-Type", "application/json", "Authorization", "Bearer " + owner)
                .status()).isEqualTo(403);
        assertThat(http.post("/api/auth/signing-keys/rotate", "", bearer(owner)).status()).isEqualTo(403);
        assertThat(http.get("/actuator/prometheus", bearer(owner)).status()).isEqualTo(403);
    }

    @Test
    void ownerMayNotGrantUnknownRolesOrUsers() {
        TestHttp.Response badRole = http.send("PUT", "/api/apps/" + appA + "/members/admin", "{\"role\":\"superuser\"}".getBytes(),
                "Content-Type", "application/json", "Authorization", "Bearer " + owner);
        assertThat(badRole.status()).isEqualTo(422);
        TestHttp.Response noUser = http.send("PUT", "/api/apps/" + appA + "/members/nobody-here", "{\"role\":\"viewer\"}".getBytes(),
                "Content-Type", "application/json", "Authorization", "Bearer " + owner);
        assertThat(noUser.status()).isEqualTo(404);
    }
}
