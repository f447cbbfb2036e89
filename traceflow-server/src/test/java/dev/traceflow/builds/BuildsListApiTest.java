package dev.traceflow.builds;

import dev.traceflow.support.TestAuth;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /builds} as the dashboard reads it (issues 21 and 24): who triggered each build (a user, or an API
 * token by its name; a retry names who asked for it), every build of an app's projects in one list, and each
 * item's stages; bad parameters are 400 INVALID_PARAMETER, an app the caller cannot read a 404.
 */
class BuildsListApiTest extends BuildsFixture {

    @Test
    void theList_ofAnApp_holdsEveryProjectsBuilds_withTheirStages_andWhoTriggeredThem() {
        Setup s = setup("build.sh");
        String editorName = TestAuth.uniqueName("editor");
        String editor = auth.newUserToken(editorName);
        auth.grant(s.app(), editorName, "editor");
        String apiToken = status(post("/api/users/me/tokens", Map.of("name", "nightly-ci", "expiresInDays", 1, "apps",
                Map.of(s.app(), "editor")), editor), 201).path("token").asString();

        String byUser = status(post("/builds", Map.of("projectId", s.project(), "configId", s.config()), editor), 202).path("id").asString();
        awaitStatus(byUser, "success");
        String[] second = secondProject(s);
        String byToken = status(post("/builds", Map.of("projectId", second[0], "configId", second[1]), apiToken), 202).path("id").asString();
        awaitStatus(byToken, "success");
        Setup elsewhere = setup("build.sh");
        String otherApp = trigger(elsewhere);
        awaitStatus(otherApp, "success");

        JsonNode items = status(get("/builds?appId=" + s.app(), editor), 200).path("items");
        assertThat(items.findValuesAsString("id")).containsExactly(byToken, byUser);
        assertThat(items.findValuesAsString("projectId")).containsExactly(second[0], s.project());
        JsonNode tokenBuild = items.get(0);
        assertThat(tokenBuild.path("triggeredBy").path("username").asString()).isEqualTo(editorName);
        assertThat(tokenBuild.path("triggeredBy").path("token").asString()).isEqualTo("nightly-ci");
        JsonNode userBuild = items.get(1);
        assertThat(userBuild.path("triggeredBy").path("username").asString()).isEqualTo(editorName);
        assertThat(userBuild.path("triggeredBy").has("token")).isFalse();
        for (JsonNode item : items) {
            assertThat(item.path("stages").findValuesAsString("name")).containsExactly("fetch", "replace", "build", "package", "output",
                    "verify");
            assertThat(item.path("stages").findValuesAsString("status")).containsOnly("success");
            item.path("stages").forEach(st -> assertThat(st.path("startedAt").asString()).isNotEmpty());
            // the list item is the build as GET /builds/{id} answers it (but the log's archive, written just after the end)
            assertThat(withoutLogsRef(item)).isEqualTo(withoutLogsRef(status(get("/builds/" + item.path("id").asString(), editor), 200)));
        }
        // the other filters still narrow the app's list; paging keeps the order
        assertThat(status(get("/builds?appId=" + s.app() + "&projectId=" + s.project(), editor), 200).path("items")
                .findValuesAsString("id")).containsExactly(byUser);
        JsonNode firstPage = status(get("/builds?appId=" + s.app() + "&limit=1", editor), 200);
        assertThat(firstPage.path("items").findValuesAsString("id")).containsExactly(byToken);
        assertThat(status(get("/builds?appId=" + s.app() + "&limit=1&offset=" + firstPage.path("next").asInt(), editor), 200)
                .path("items").findValuesAsString("id")).containsExactly(byUser);
        // without a filter, the editor's list holds only the apps it may read
        assertThat(status(get("/builds?limit=200", editor), 200).path("items").findValuesAsString("id")).contains(byUser, byToken)
                .doesNotContain(otherApp);
    }

    @Test
    void aRetry_namesWhoAskedForIt_notWhoTriggeredItsParent() {
        Setup s = setup("fail.sh");
        String failed = trigger(s);
        awaitStatus(failed, "fail");
        String editorName = TestAuth.uniqueName("retrier");
        String editor = auth.newUserToken(editorName);
        auth.grant(s.app(), editorName, "editor");
        String retry = status(post("/builds/" + failed + "/retry", "", editor), 202).path("id").asString();
        awaitStatus(retry, "fail");
        assertThat(status(get("/builds/" + retry, editor), 200).path("triggeredBy").path("username").asString()).isEqualTo(editorName);
        assertThat(status(get("/builds/" + failed, editor), 200).path("triggeredBy").path("username").asString()).isEqualTo("admin");
    }

    @Test
    void anAppTheCallerCannotRead_isNotFound_andBadParametersAreRefusedByName() {
        Setup s = setup("build.sh");
        String strangerName = TestAuth.uniqueName("stranger");
        String stranger = auth.newUserToken(strangerName);
        refused(get("/builds?appId=" + s.app(), stranger), 404, "NOT_FOUND");
        refused(get("/builds?appId=no-such-app-" + s.app(), auth.admin()), 404, "NOT_FOUND");
        auth.grant(s.app(), strangerName, "viewer");
        assertThat(status(get("/builds?appId=" + s.app(), stranger), 200).path("items").isArray()).isTrue();

        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("appId=", "appId");
        bad.put("appId=Shop%20App", "appId");
        bad.put("appId=" + "a".repeat(65), "appId");
        bad.put("appId=" + s.app() + "&status=broken", "status");
        bad.put("limit=0", "limit");
        bad.put("limit=201", "limit");
        bad.put("offset=-1", "offset");
        bad.forEach((query, parameter) -> {
            JsonNode error = status(get("/builds?" + query, auth.admin()), 400);
            assertThat(error.path("code").asString()).as(query).isEqualTo("INVALID_PARAMETER");
            assertThat(error.path("details").get(0).path("parameter").asString()).as(query).isEqualTo(parameter);
        });
    }

    private static JsonNode withoutLogsRef(JsonNode build) {
        ObjectNode copy = (ObjectNode) build.deepCopy();
        copy.remove("logsRef");
        return copy;
    }

    /** A second project of the setup's app, on the same template, with a validated config: {projectId, configId}. */
    private String[] secondProject(Setup s) {
        String template = status(get("/projects/" + s.project(), auth.admin()), 200).path("templateId").asString();
        String project = status(post("/projects", Map.of("appId", s.app(), "name", "shop-2", "templateId", template), auth.admin()), 201)
                .path("id").asString();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("projectId", project);
        body.put("config", Map.of("apiUrl", "https://api.shop.example"));
        body.put("fileReplacements", List.of(Map.of("path", s.sourceName() + "/public/env.json", "content", "{}")));
        String config = status(post("/configs", body, auth.admin()), 201).path("id").asString();
        status(post("/configs/" + config + "/validate", "", auth.admin()), 200);
        return new String[] {project, config};
    }
}
