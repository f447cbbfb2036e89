package dev.traceflow.builds;

import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Typed settings, the builds routes' body limit, and the OpenAPI grouping of the builds routes. */
class SettingsApiTest extends BuildsApiSupport {

    private static JsonNode setting(JsonNode list, String name) {
        for (JsonNode s : list.path("items")) {
            if (s.path("name").asString().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no setting " + name + " in " + list);
    }

    @Test
    void settings_areTyped_checkedOnWrite_andAllOrNothing() {
        JsonNode before = status(get("/settings", auth.admin()), 200);
        assertThat(setting(before, "build.concurrency").path("default").asInt()).isEqualTo(2);

        TestHttp.Response bad = patch("/settings", Map.of("build.concurrency", 8, "artifacts.store", "ftp"), auth.admin());
        refused(bad, 422, "VALIDATION_FAILED");
        assertThat(bad.json().path("details").get(0).path("name").asString()).isEqualTo("artifacts.store");
        assertThat(setting(status(get("/settings", auth.admin()), 200), "build.concurrency").path("value"))
                .isEqualTo(setting(before, "build.concurrency").path("value"));
        refused(patch("/settings", Map.of("build.concurrency", 1.5), auth.admin()), 422, "VALIDATION_FAILED");
        refused(patch("/settings", Map.of("build.concurrency", "4"), auth.admin()), 422, "VALIDATION_FAILED");
        refused(patch("/settings", Map.of("build.defaultTimeout", "PT100H"), auth.admin()), 422, "VALIDATION_FAILED");
        refused(patch("/settings", Map.of("no.such", 1), auth.admin()), 422, "VALIDATION_FAILED");
        refused(patch("/settings", "{\"build.concurrency\": null}", auth.admin()), 422, "VALIDATION_FAILED");

        String user = auth.newUserToken(TestAuth.uniqueName("reader"));
        refused(patch("/settings", Map.of("build.concurrency", 3), user), 403, "FORBIDDEN");
        status(get("/settings", user), 200);

        JsonNode after = status(patch("/settings", Map.of("build.concurrency", 6, "build.defaultTimeout", "PT20M"), auth.admin()), 200);
        assertThat(setting(after, "build.concurrency").path("value").asInt()).isEqualTo(6);
        assertThat(setting(after, "build.defaultTimeout").path("value").asString()).isEqualTo("PT20M");
        JsonNode reset = status(delete("/settings/build.concurrency", auth.admin()), 200);
        assertThat(setting(reset, "build.concurrency").path("value").asInt()).isEqualTo(2);
        assertThat(get("/audits?resourceType=settings", auth.admin()).body()).contains("settings.update", "settings.reset");
    }

    @Test
    void bodiesOverTheLimit_areRefusedWith413() {
        String huge = "{\"name\":\"x\",\"deployType\":\"static\",\"description\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}";
        refused(post("/templates", huge, auth.admin()), 413, "PAYLOAD_TOO_LARGE");
    }

    @Test
    void openapi_groupsTheBuildsRoutesByModule_withRoles() {
        JsonNode doc = http.get("/openapi.json").json();
        Map<String, String> tags = Map.of("/git-sources", "Sources", "/templates/{id}/sources", "Templates", "/projects", "Projects",
                "/configs/{id}/validate", "Configs", "/settings", "Settings", "/credentials", "Credentials");
        tags.forEach((path, tag) -> {
            JsonNode op = doc.path("paths").path(path).path("post");
            assertThat(op.path("tags").get(0).asString()).as(path).isEqualTo(tag);
            assertThat(op.path("description").asString()).as(path).containsPattern("Role: (admin|editor|viewer)");
            assertThat(op.path("security").get(0).has("BearerAuth")).as(path).isTrue();
        });
    }
}
