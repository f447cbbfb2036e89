package dev.traceflow.builds;

import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Templates, projects and configs over HTTP: version strategies resolved against versions fetched
 * from a git server on 127.0.0.1, dependency cycles, the app's roles on projects, schema and
 * replacement problems, the snapshot hash and duplicate configs.
 */
class ConfigsApiTest extends BuildsApiSupport {

    static LoopbackGitServer git;

    static final Map<String, Object> SCHEMA = Map.of(
            "type", "object",
            "required", List.of("apiUrl"),
            "properties", Map.of(
                    "apiUrl", Map.of("type", "string", "pattern", "^https://"),
                    "retries", Map.of("type", "integer", "minimum", 0, "maximum", 5)),
            "additionalProperties", false);

    @BeforeAll
    static void repositories() throws Exception {
        git = new LoopbackGitServer();
        try (Git repo = git.create("storefront", null)) {
            Path dir = repo.getRepository().getWorkTree().toPath();
            Files.createDirectories(dir.resolve("src"));
            Files.writeString(dir.resolve("src/config.js"), "export const API = 'http://localhost';\nexport const RETRIES = 1;\n");
            Files.createSymbolicLink(dir.resolve("linked"), Path.of("/etc"));
            repo.add().addFilepattern(".").call();
            repo.commit().setMessage("storefront 1.0").setSign(false).call();
            repo.tag().setName("v1.0.0").call();
            repo.commit().setMessage("storefront 1.2").setAllowEmpty(true).setSign(false).call();
            repo.tag().setName("v1.2.0").call();
            repo.commit().setMessage("storefront 2 beta").setAllowEmpty(true).setSign(false).call();
            repo.tag().setName("v2.0.0-beta.1").call();
        }
        try (Git repo = git.create("ui-kit", null)) {
            repo.commit().setMessage("ui").setAllowEmpty(true).setSign(false).call();
            repo.tag().setName("v3.1.0").call();
        }
    }

    @AfterAll
    static void stop() {
        git.close();
    }

    record Setup(String app, String storefront, String uiKit, String storefrontName, String template, String project) {
    }

    private String source(String repo, Object schema) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", TestAuth.uniqueName(repo));
        body.put("repoUrl", git.url(repo));
        if (schema != null) {
            body.put("exposedSchema", schema);
        }
        String id = status(post("/git-sources", body, auth.admin()), 201).path("id").asString();
        status(post("/git-sources/" + id + "/versions", "", auth.admin()), 200);
        return id;
    }

    private static Map<String, Object> binding(String sourceId, Map<String, Object> strategy, int order, List<String> deps) {
        return Map.of("gitSourceId", sourceId, "versionStrategy", strategy, "buildOrder", order, "dependencies", deps,
                "build", Map.of("command", List.of("npm", "run", "build"), "artifacts", List.of("dist/**"), "timeout", "PT5M"));
    }

    private Setup setup() {
        String app = TestAuth.uniqueName("buildapp");
        auth.createApp(app);
        String storefront = source("storefront", SCHEMA);
        String uiKit = source("ui-kit", null);
        String storefrontName = status(get("/git-sources/" + storefront, auth.admin()), 200).path("name").asString();
        String template = status(post("/templates", Map.of("name", TestAuth.uniqueName("tpl"), "deployType", "static"), auth.admin()), 201)
                .path("id").asString();
        status(post("/templates/" + template + "/sources", binding(uiKit, Map.of("type", "latest-stable"), 0, List.of()), auth.admin()), 200);
        JsonNode t = status(post("/templates/" + template + "/sources", binding(storefront, Map.of("type", "range", "range", "^1.0"), 0,
                List.of(uiKit)), auth.admin()), 200);
        assertThat(t.path("sources").findValuesAsString("gitSourceId")).containsExactly(uiKit, storefront);
        String project = status(post("/projects", Map.of("appId", app, "name", "acme", "customer", "ACME", "templateId", template),
                auth.admin()), 201).path("id").asString();
        return new Setup(app, storefront, uiKit, storefrontName, template, project);
    }

    private Map<String, Object> config(Setup s, Map<String, Object> values) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("projectId", s.project());
        body.put("config", values);
        body.put("fileReplacements", List.of(Map.of("path", s.storefrontName() + "/public/env.json", "content", "{\"api\": \"{{apiUrl}}\"}")));
        body.put("textReplacements", List.of(Map.of("path", s.storefrontName() + "/src/config.js", "search", "http://localhost",
                "replace", "https://api.acme.example")));
        return body;
    }

    @Test
    void validate_answersTheSnapshotHash_whichKeyOrderDoesNotChange() {
        Setup s = setup();
        String id = status(post("/configs", config(s, Map.of("apiUrl", "https://api.acme.example", "retries", 3)), auth.admin()), 201)
                .path("id").asString();
        JsonNode valid = status(post("/configs/" + id + "/validate", "", auth.admin()), 200);
        assertThat(valid.path("valid").asBoolean()).isTrue();
        String hash = valid.path("snapshotHash").asString();
        assertThat(hash).matches("[0-9a-f]{64}");
        JsonNode resolved = valid.path("resolvedVersions");
        assertThat(resolved.findValuesAsString("ref")).containsExactly("v3.1.0", "v1.2.0");
        assertThat(resolved.get(1).path("commit").asString()).hasSize(40);
        assertThat(status(get("/configs/" + id, auth.admin()), 200).path("snapshotHash").asString()).isEqualTo(hash);

        // the same config written in another key order and spacing is the same config: 409 with its id
        String reordered = "{ \"config\" : {\"retries\":3,   \"apiUrl\":\"https://api.acme.example\"}, \"projectId\": \"" + s.project()
                + "\", \"textReplacements\": [{\"replace\": \"https://api.acme.example\", \"search\": \"http://localhost\", \"path\": \""
                + s.storefrontName() + "/src/config.js\"}], \"fileReplacements\": [{\"content\": \"{\\\"api\\\": \\\"{{apiUrl}}\\\"}\", "
                + "\"path\": \"" + s.storefrontName() + "/public/env.json\"}]}";
        TestHttp.Response dup = post("/configs", reordered, auth.admin());
        refused(dup, 409, "DUPLICATE_CONFIG");
        assertThat(dup.json().path("details").get(0).path("id").asString()).isEqualTo(id);

        // a second project with the same template and config validates to the same hash (nothing project-specific in it)
        String other = status(post("/projects", Map.of("appId", s.app(), "name", "acme-2", "templateId", s.template()), auth.admin()), 201)
                .path("id").asString();
        Map<String, Object> body = config(s, Map.of("retries", 3, "apiUrl", "https://api.acme.example"));
        body.put("projectId", other);
        String id2 = status(post("/configs", body, auth.admin()), 201).path("id").asString();
        assertThat(status(post("/configs/" + id2 + "/validate", "", auth.admin()), 200).path("snapshotHash").asString()).isEqualTo(hash);

        // a changed value changes the hash, and the change clears the stored one
        JsonNode changed = status(patch("/configs/" + id2, Map.of("config", Map.of("apiUrl", "https://api.acme.example", "retries", 4)),
                auth.admin()), 200);
        assertThat(changed.path("validated").asBoolean()).isFalse();
        assertThat(changed.has("snapshotHash")).isFalse();
        assertThat(status(post("/configs/" + id2 + "/validate", "", auth.admin()), 200).path("snapshotHash").asString()).isNotEqualTo(hash);
    }

    @Test
    void validateAgain_toTheStoredAnswer_writesNothing_butANewAnswerIsStoredAndAudited() {
        Setup s = setup();
        String id = status(post("/configs", config(s, Map.of("apiUrl", "https://api.acme.example", "retries", 3)), auth.admin()), 201)
                .path("id").asString();
        String hash = status(post("/configs/" + id + "/validate", "", auth.admin()), 200).path("snapshotHash").asString();
        JsonNode stored = status(get("/configs/" + id, auth.admin()), 200);
        assertThat(validations(id)).isEqualTo(1);

        JsonNode again = status(post("/configs/" + id + "/validate", "", auth.admin()), 200);
        assertThat(again.path("snapshotHash").asString()).isEqualTo(hash);
        assertThat(again.path("resolvedVersions")).isEqualTo(stored.path("resolvedVersions"));
        assertThat(status(get("/configs/" + id, auth.admin()), 200).path("updatedAt")).isEqualTo(stored.path("updatedAt"));
        assertThat(validations(id)).isEqualTo(1);

        // the template now pins an older tag: a new answer, stored and audited as before
        status(post("/templates/" + s.template() + "/sources", binding(s.storefront(), Map.of("type", "fixed", "ref", "v1.0.0"), 0,
                List.of(s.uiKit())), auth.admin()), 200);
        JsonNode pinned = status(post("/configs/" + id + "/validate", "", auth.admin()), 200);
        assertThat(pinned.path("snapshotHash").asString()).isNotEqualTo(hash);
        assertThat(pinned.path("resolvedVersions").findValuesAsString("ref")).containsExactly("v3.1.0", "v1.0.0");
        JsonNode restored = status(get("/configs/" + id, auth.admin()), 200);
        assertThat(restored.path("snapshotHash").asString()).isEqualTo(pinned.path("snapshotHash").asString());
        assertThat(restored.path("resolvedVersions")).isEqualTo(pinned.path("resolvedVersions"));
        assertThat(validations(id)).isEqualTo(2);
    }

    private long validations(String configId) {
        JsonNode items = status(get("/audits?resourceType=config&resourceId=" + configId, auth.admin()), 200).path("items");
        return items.valueStream().filter(a -> a.path("action").asString().equals("config.validate")).count();
    }

    @Test
    void validate_answersSchemaProblemsWithPointers_andStoresNothing() {
        Setup s = setup();
        String id = status(post("/configs", config(s, Map.of("apiUrl", "ftp://x", "retries", 9, "extra", true)), auth.admin()), 201)
                .path("id").asString();
        TestHttp.Response r = post("/configs/" + id + "/validate", "", auth.admin());
        refused(r, 422, "VALIDATION_FAILED");
        List<String> pointers = r.json().path("details").findValuesAsString("pointer");
        assertThat(pointers).contains("/apiUrl", "/retries");
        assertThat(r.json().path("details").toString()).contains("extra");
        assertThat(status(get("/configs/" + id, auth.admin()), 200).path("validated").asBoolean()).isFalse();
    }

    @Test
    void validate_findsReplacementConflicts() {
        Setup s = setup();
        String sf = s.storefrontName();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("projectId", s.project());
        body.put("config", Map.of("apiUrl", "https://a.example"));
        body.put("fileReplacements", List.of(Map.of("path", sf + "/linked/passwd", "content", "x"),
                Map.of("path", "nosuchsource/a.txt", "content", "x")));
        body.put("textReplacements", List.of(
                Map.of("path", sf + "/src/config.js", "search", "API = 'http", "replace", "x"),
                Map.of("path", sf + "/src/config.js", "search", "'http://localhost'", "replace", "y"),
                Map.of("path", sf + "/src/missing.js", "search", "a", "replace", "b"),
                Map.of("path", sf + "/src/config.js", "search", "NOT THERE", "replace", "b")));
        String id = status(post("/configs", body, auth.admin()), 201).path("id").asString();
        TestHttp.Response r = post("/configs/" + id + "/validate", "", auth.admin());
        refused(r, 422, "VALIDATION_FAILED");
        String details = r.json().path("details").toString();
        assertThat(details).contains("symbolic link").contains("first folder must name").contains("overlaps textReplacements/0")
                .contains("no such file").contains("not found in");
    }

    @Test
    void configs_refuseBadPaths_onSave() {
        Setup s = setup();
        for (String path : List.of("../etc/passwd", "/etc/passwd", s.storefrontName() + "/a/../../b", "a\u0000b")) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("projectId", s.project());
            body.put("config", Map.of());
            body.put("fileReplacements", List.of(Map.of("path", path, "content", "x")));
            refused(post("/configs", body, auth.admin()), 422, "VALIDATION_FAILED");
        }
        assertThat(status(get("/configs?projectId=" + s.project(), auth.admin()), 200).path("items")).isEmpty();
    }

    @Test
    void bind_refusesACycleWithItsPath_andARangeThatMatchesNoTag() {
        Setup s = setup();
        TestHttp.Response cycle = post("/templates/" + s.template() + "/sources",
                binding(s.uiKit(), Map.of("type", "latest-stable"), 0, List.of(s.storefront())), auth.admin());
        refused(cycle, 422, "DEPENDENCY_CYCLE");
        assertThat(cycle.json().path("details").get(0).path("cycle").findValuesAsString("")).isEmpty();
        assertThat(cycle.json().path("details").get(0).path("cycle").toString()).contains(s.uiKit()).contains(s.storefront());
        TestHttp.Response none = post("/templates/" + s.template() + "/sources",
                binding(s.storefront(), Map.of("type", "range", "range", "^7"), 0, List.of()), auth.admin());
        refused(none, 422, "VALIDATION_FAILED");
        assertThat(none.json().path("message").asString()).contains("no usable tag matches");
        refused(post("/templates/" + s.template() + "/sources", Map.of("gitSourceId", s.storefront(), "versionStrategy",
                Map.of("type", "latest-stable"), "build", Map.of("command", "npm run build", "artifacts", List.of("dist"))), auth.admin()),
                422, "VALIDATION_FAILED");
        // nothing changed
        JsonNode t = status(get("/templates/" + s.template(), auth.admin()), 200);
        assertThat(t.path("sources").get(1).path("versionStrategy").path("range").asString()).isEqualTo("^1.0");
        assertThat(t.path("sources").get(0).path("dependencies")).isEmpty();
    }

    @Test
    void projects_followTheAppsRoles() {
        Setup s = setup();
        String viewerName = TestAuth.uniqueName("viewer");
        String viewer = auth.newUserToken(viewerName);
        auth.grant(s.app(), viewerName, "viewer");
        String editorName = TestAuth.uniqueName("editor");
        String editor = auth.newUserToken(editorName);
        auth.grant(s.app(), editorName, "editor");
        String stranger = auth.newUserToken(TestAuth.uniqueName("stranger"));

        assertThat(status(get("/projects/" + s.project(), viewer), 200).path("appId").asString()).isEqualTo(s.app());
        refused(patch("/projects/" + s.project(), Map.of("customer", "x"), viewer), 403, "FORBIDDEN");
        refused(post("/configs", config(s, Map.of("apiUrl", "https://v.example")), viewer), 403, "FORBIDDEN");
        refused(get("/projects/" + s.project(), stranger), 404, "NOT_FOUND");
        assertThat(status(get("/projects", stranger), 200).path("items").toString()).doesNotContain(s.project());
        refused(post("/templates", Map.of("name", TestAuth.uniqueName("t"), "deployType", "static"), editor), 403, "FORBIDDEN");

        String id = status(post("/configs", config(s, Map.of("apiUrl", "https://e.example")), editor), 201).path("id").asString();
        refused(get("/configs/" + id, stranger), 404, "NOT_FOUND");
        assertThat(status(get("/configs/" + id, viewer), 200).path("id").asString()).isEqualTo(id);
        refused(post("/configs/" + id + "/validate", "", viewer), 403, "FORBIDDEN");
        assertThat(status(post("/configs/" + id + "/validate", "", editor), 200).path("valid").asBoolean()).isTrue();
        assertThat(get("/audits?resourceType=config&resourceId=" + id, auth.admin()).body()).contains("config.create", "config.validate");
    }

    @Test
    void schemas_withRemoteRefsDeepNestingOrCatastrophicPatterns_areRefused() {
        Object deep = Map.of();
        for (int i = 0; i < 40; i++) {
            deep = Map.of("properties", Map.of("a", deep));
        }
        List<Object> bad = List.of(
                Map.of("$ref", "https://evil.example/schema.json"),
                Map.of("properties", Map.of("a", Map.of("$ref", "http://127.0.0.1:1/x"))),
                deep,
                Map.of("properties", Map.of("a", Map.of("type", "string", "pattern", "("))),
                Map.of("$schema", "https://evil.example/meta"),
                Map.of("description", "x".repeat(300_000)));
        for (Object schema : bad) {
            TestHttp.Response r = post("/git-sources", Map.of("name", TestAuth.uniqueName("schema"), "repoUrl", git.url("ui-kit"),
                    "exposedSchema", schema), auth.admin());
            assertThat(r.status()).as(r.toString()).isIn(413, 422);
        }
        // a catastrophic pattern compiles, and is stopped on the value that would take forever
        Setup s = setup();
        status(patch("/git-sources/" + s.storefront(), Map.of("exposedSchema", Map.of("type", "object", "properties",
                Map.of("apiUrl", Map.of("type", "string", "pattern", "^(.*a){12}$")))), auth.admin()), 200);
        // polynomial of degree 12 in the JDK's backtracking engine (its memo defuses (a+)+, not this): hours without a budget
        String id = status(post("/configs", config(s, Map.of("apiUrl", "a".repeat(80) + "!")), auth.admin()), 201).path("id").asString();
        long started = System.nanoTime();
        TestHttp.Response r = post("/configs/" + id + "/validate", "", auth.admin());
        refused(r, 422, "VALIDATION_FAILED");
        assertThat(r.json().path("details").toString()).contains("too long");
        assertThat(System.nanoTime() - started).isLessThan(10_000_000_000L);
    }
}
