package dev.traceflow.builds;

import dev.traceflow.support.TestAuth;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.traceflow.support.TestHttp;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credentials and git sources over HTTP: who may do what, the URL guard at the route, secrets
 * that never come back, and versions fetched from a git server on 127.0.0.1 (which the test
 * server allows through TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS=127.0.0.1/32).
 */
class GitSourcesApiTest extends BuildsApiSupport {

    static final String TOKEN = "tfgit-test-token-4f8a2c";
    static LoopbackGitServer git;

    @BeforeAll
    static void repositories() throws Exception {
        git = new LoopbackGitServer();
        try (Git repo = git.create("web", null)) {
            commit(repo, "init");
            repo.tag().setName("v1.0.0").call();
            commit(repo, "feature");
            repo.tag().setName("v1.2.0").call();
        }
        try (Git repo = git.create("locked", TOKEN)) {
            commit(repo, "private init");
            repo.tag().setName("v0.1.0").call();
        }
    }

    static void commit(Git repo, String message) throws Exception {
        repo.commit().setMessage(message).setAllowEmpty(true).setSign(false).call();
    }

    @AfterAll
    static void stop() {
        git.close();
    }

    private String credential(String name) {
        return status(post("/credentials", Map.of("name", name, "type", "https-token", "username", "ci", "secret", TOKEN),
                auth.admin()), 201).path("id").asString();
    }

    private JsonNode source(String name, String url, String credentialId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("repoUrl", url);
        if (credentialId != null) {
            body.put("credentialId", credentialId);
        }
        return status(post("/git-sources", body, auth.admin()), 201);
    }

    @Test
    void credentials_areAdminOnly_andTheSecretNeverComesBack() {
        String name = TestAuth.uniqueName("cred");
        JsonNode created = status(post("/credentials", Map.of("name", name, "type", "https-token", "secret", TOKEN), auth.admin()), 201);
        String id = created.path("id").asString();
        assertThat(created.toString()).doesNotContain(TOKEN).doesNotContain("secret");
        assertThat(created.path("username").asString()).isEqualTo("git");
        assertThat(get("/credentials", auth.admin()).body()).doesNotContain(TOKEN);

        String editor = auth.newUserToken(TestAuth.uniqueName("editor"));
        refused(get("/credentials", editor), 403, "FORBIDDEN");
        refused(get("/credentials/" + id, editor), 403, "FORBIDDEN");
        refused(post("/credentials", Map.of("name", name + "x", "type", "https-token", "secret", TOKEN), editor), 403, "FORBIDDEN");

        JsonNode rotated = status(patch("/credentials/" + id, Map.of("secret", "a-new-token-value"), auth.admin()), 200);
        assertThat(rotated.path("rotatedAt").asString()).isNotEqualTo(created.path("rotatedAt").asString());
        String audits = get("/audits?resourceType=credential&resourceId=" + id, auth.admin()).body();
        assertThat(audits).contains("credential.create").contains("credential.rotate").doesNotContain(TOKEN)
                .doesNotContain("a-new-token-value");
    }

    @Test
    void credentials_refuseBadInput_andStoreNothing() {
        String name = TestAuth.uniqueName("bad");
        refused(post("/credentials", Map.of("name", name, "type", "password", "secret", "x"), auth.admin()), 422, "VALIDATION_FAILED");
        refused(post("/credentials", Map.of("name", name, "type", "https-token", "secret", "has space"), auth.admin()), 422,
                "VALIDATION_FAILED");
        refused(post("/credentials", Map.of("name", name, "type", "ssh-key", "secret", "not a key"), auth.admin()), 422,
                "VALIDATION_FAILED");
        refused(post("/credentials", Map.of("name", "../x", "type", "https-token", "secret", TOKEN), auth.admin()), 422,
                "VALIDATION_FAILED");
        assertThat(get("/credentials", auth.admin()).body()).doesNotContain(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"file:///etc/passwd", "git://github.com/a/b.git", "ext::sh -c id", "https://u:p@github.com/a/b.git",
            "http://2130706434/a.git", "http://[::ffff:127.0.0.2]/a.git", "https://10.0.0.8/a.git", "https://169.254.169.254/a.git", "/srv/repo.git",
            "https://github.com/a/b.bundle"})
    void gitSources_refuseUrlsPastTheGuard(String url) { // 127.0.0.1 alone is allowed in tests: 127.0.0.2 stands for loopback
        String name = TestAuth.uniqueName("bad-url");
        TestHttp.Response r = post("/git-sources", Map.of("name", name, "repoUrl", url), auth.admin());
        refused(r, 422, "VALIDATION_FAILED");
        assertThat(r.json().path("message").asString()).startsWith("repoUrl is refused: URL refused: ").doesNotContain(":p@");
        assertThat(get("/git-sources", auth.admin()).body()).doesNotContain(name);
    }

    @Test
    void gitSources_areWrittenByAdminsAndReadBySignedInUsers() {
        String name = TestAuth.uniqueName("web");
        JsonNode s = source(name, git.url("web"), null);
        String id = s.path("id").asString();
        String user = auth.newUserToken(TestAuth.uniqueName("reader"));
        assertThat(status(get("/git-sources/" + id, user), 200).path("repoUrl").asString()).isEqualTo(git.url("web"));
        refused(patch("/git-sources/" + id, Map.of("defaultBranch", "dev"), user), 403, "FORBIDDEN");
        refused(post("/git-sources/" + id + "/test", "", user), 403, "FORBIDDEN");
        refused(delete("/git-sources/" + id, user), 403, "FORBIDDEN");
        refused(get("/git-sources/nope", user), 404, "NOT_FOUND");
        refused(http.get("/git-sources"), 401, "UNAUTHORIZED");

        JsonNode changed = status(patch("/git-sources/" + id, Map.of("defaultBranch", "main"), auth.admin()), 200);
        assertThat(changed.path("defaultBranch").asString()).isEqualTo("main");
        refused(patch("/git-sources/" + id, Map.of("repoUrl", "https://127.0.0.2/x.git"), auth.admin()), 422, "VALIDATION_FAILED");
        refused(post("/git-sources", Map.of("name", name, "repoUrl", git.url("web")), auth.admin()), 409, "CONFLICT");
        status(delete("/git-sources/" + id, auth.admin()), 204);
        refused(get("/git-sources/" + id, auth.admin()), 404, "NOT_FOUND");
        assertThat(get("/audits?resourceType=git_source&resourceId=" + id, auth.admin()).body())
                .contains("git_source.create", "git_source.update", "git_source.delete");
    }

    @Test
    void test_reportsReachableAuthenticatedAndTheDefaultBranch() {
        JsonNode open = status(post("/git-sources/" + source(TestAuth.uniqueName("web"), git.url("web"), null).path("id").asString()
                + "/test", "", auth.admin()), 200);
        assertThat(open.path("ok").asBoolean()).as(open.toString()).isTrue();
        assertThat(open.path("defaultBranch").asString()).isEqualTo("main");

        JsonNode noCredential = status(post("/git-sources/" + source(TestAuth.uniqueName("locked"), git.url("locked"), null)
                .path("id").asString() + "/test", "", auth.admin()), 200);
        assertThat(noCredential.path("reachable").asBoolean()).isTrue();
        assertThat(noCredential.path("authenticated").asBoolean()).isFalse();

        String withCredential = source(TestAuth.uniqueName("locked"), git.url("locked"), credential(TestAuth.uniqueName("tok")))
                .path("id").asString();
        JsonNode ok = status(post("/git-sources/" + withCredential + "/test", "", auth.admin()), 200);
        assertThat(ok.path("ok").asBoolean()).as(ok.toString()).isTrue();
        assertThat(ok.toString()).doesNotContain(TOKEN);
    }

    @Test
    void versions_areFetchedFromTheRepository_andCanBeMarkedUnusable() {
        String id = source(TestAuth.uniqueName("web"), git.url("web"), null).path("id").asString();
        assertThat(status(get("/git-sources/" + id + "/versions", auth.admin()), 200).path("items")).isEmpty();
        JsonNode items = status(post("/git-sources/" + id + "/versions", "", auth.admin()), 200).path("items");
        List<String> refs = items.findValuesAsString("tagOrCommit");
        assertThat(refs).startsWith("v1.0.0", "v1.2.0").hasSize(4);
        JsonNode v12 = items.get(1);
        assertThat(v12.path("commit").asString()).hasSize(40);
        assertThat(v12.path("summary").asString()).isEqualTo("feature");
        assertThat(v12.path("changelog").asString()).contains("feature").doesNotContain("init");
        assertThat(v12.path("usable").asBoolean()).isTrue();

        JsonNode marked = status(post("/git-sources/" + id + "/versions", Map.of("tagOrCommit", "v1.2.0", "usable", false), auth.admin()),
                200).path("items");
        assertThat(marked.get(1).path("usable").asBoolean()).isFalse();
        // fetched again: the admin's mark stays
        JsonNode again = status(post("/git-sources/" + id + "/versions", "", auth.admin()), 200).path("items");
        assertThat(again.get(1).path("usable").asBoolean()).isFalse();
    }

    @Test
    void versions_comeInPages_inAStableOrder_evenWhenVersionsAreRegisteredBetweenPages() throws Exception {
        try (Git repo = git.create("paged", null)) {
            for (int i = 0; i < 7; i++) {
                commit(repo, "change " + i);
                repo.tag().setName("v1." + i + ".0").call();
            }
            String id = source(TestAuth.uniqueName("paged"), git.url("paged"), null).path("id").asString();
            JsonNode fetched = status(post("/git-sources/" + id + "/versions", "", auth.admin()), 200);
            assertThat(fetched.path("total").asInt()).isEqualTo(14); // 7 tags, 7 commits
            List<String> all = status(get("/git-sources/" + id + "/versions?limit=1000", auth.admin()), 200).path("items")
                    .findValuesAsString("tagOrCommit");
            assertThat(all).hasSize(14).startsWith("v1.0.0", "v1.1.0");

            List<String> paged = new java.util.ArrayList<>();
            String reader = auth.newUserToken(TestAuth.uniqueName("reader"));
            JsonNode page = status(get("/git-sources/" + id + "/versions?limit=5", reader), 200);
            assertThat(page.path("items")).hasSize(5);
            assertThat(page.path("total").asInt()).isEqualTo(14);
            paged.addAll(page.path("items").findValuesAsString("tagOrCommit"));
            // a new release is registered between two pages: the listing goes on without repeating or skipping a row
            commit(repo, "hotfix");
            repo.tag().setName("v1.7.0").call();
            status(post("/git-sources/" + id + "/versions", "", auth.admin()), 200);
            while (page.has("nextCursor")) {
                page = status(get("/git-sources/" + id + "/versions?limit=5&cursor=" + page.path("nextCursor").asString(), reader), 200);
                paged.addAll(page.path("items").findValuesAsString("tagOrCommit"));
            }
            assertThat(paged).doesNotHaveDuplicates().containsAll(all).contains("v1.7.0");
            List<String> after = status(get("/git-sources/" + id + "/versions?limit=1000", auth.admin()), 200).path("items")
                    .findValuesAsString("tagOrCommit");
            assertThat(paged).isEqualTo(after);
            // a page of the default size
            assertThat(status(get("/git-sources/" + id + "/versions", reader), 200).has("nextCursor")).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"limit=0", "limit=1001", "limit=abc", "limit=", "limit=2.5", "cursor=not-a-cursor", "cursor="})
    void badPagingParameters_are400(String query) {
        String id = source(TestAuth.uniqueName("web"), git.url("web"), null).path("id").asString();
        TestHttp.Response r = get("/git-sources/" + id + "/versions?" + query, auth.admin());
        refused(r, 400, "INVALID_PARAMETER");
        assertThat(r.json().path("details").get(0).path("parameter").asString()).isEqualTo(query.substring(0, query.indexOf('=')));
    }

    @Test
    void aCursorOfAnotherSource_is400() {
        String one = source(TestAuth.uniqueName("web"), git.url("web"), null).path("id").asString();
        String other = source(TestAuth.uniqueName("web"), git.url("web"), null).path("id").asString();
        status(post("/git-sources/" + one + "/versions", "", auth.admin()), 200);
        String cursor = status(get("/git-sources/" + one + "/versions?limit=1", auth.admin()), 200).path("nextCursor").asString();
        assertThat(cursor).isNotBlank();
        refused(get("/git-sources/" + other + "/versions?cursor=" + cursor, auth.admin()), 400, "INVALID_PARAMETER");
        assertThat(status(get("/git-sources/" + one + "/versions?limit=1&cursor=" + cursor, auth.admin()), 200).path("items")).hasSize(1);
    }

    @Test
    void aCredentialTheServerRefuses_isA422_notA502() {
        String id = source(TestAuth.uniqueName("locked"), git.url("locked"), null).path("id").asString();
        refused(post("/git-sources/" + id + "/versions", "", auth.admin()), 422, "GIT_AUTH_FAILED");
        String gone = source(TestAuth.uniqueName("gone"), git.url("no-such-repository"), null).path("id").asString();
        refused(post("/git-sources/" + gone + "/versions", "", auth.admin()), 502, "GIT_UNAVAILABLE");
    }
}
