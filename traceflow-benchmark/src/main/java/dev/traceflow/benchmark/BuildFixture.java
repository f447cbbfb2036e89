package dev.traceflow.benchmark;

import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What the builds benchmarks create over the management API before they measure: a git source on
 * the harness's loopback git server with its versions registered, a template building from it, an
 * app and a project, and validated configs of that project (a trigger needs one; each config with
 * its own values has its own snapshot, so triggers of different configs are not refused as a
 * build of the same snapshot in progress).
 */
final class BuildFixture {

    /** the server's limit of configs per project (TOO_MANY_CONFIGS beyond) */
    static final int MAX_CONFIGS_PER_PROJECT = 500;

    final String appId;
    final String projectId;
    private final String templateId;
    private final ApiClient api;

    private BuildFixture(ApiClient api, String appId, String templateId, String projectId) {
        this.api = api;
        this.appId = appId;
        this.templateId = templateId;
        this.projectId = projectId;
    }

    /**
     * Source, template, app and project for the repository at {@code repoUrl} (its tags registered).
     *
     * @param name a prefix for the names, and the app's id
     */
    static BuildFixture create(ApiClient api, String name, String repoUrl, Map<String, Object> exposedSchema)
            throws IOException, InterruptedException {
        Map<String, Object> sourceBody = exposedSchema == null
                ? Map.of("name", name + "-source", "repoUrl", repoUrl)
                : Map.of("name", name + "-source", "repoUrl", repoUrl, "exposedSchema", exposedSchema);
        String source = created(api, "/git-sources", sourceBody);
        expect(api.postJson("/git-sources/" + source + "/versions", ""), 200, "POST versions");
        String template = created(api, "/templates", Map.of("name", name + "-template", "deployType", "static"));
        expect(api.postJson("/templates/" + template + "/sources", json(Map.of("gitSourceId", source, "versionStrategy",
                Map.of("type", "latest-stable"), "build", Map.of("command", List.of("make"), "artifacts", List.of("dist"))))), 200,
                "POST template source");
        BenchmarkSetup.createApp(api, name);
        String project = created(api, "/projects", Map.of("appId", name, "name", name, "templateId", template));
        return new BuildFixture(api, name, template, project);
    }

    /** The same app and project, reached through another client (an {@link ApiClient} is for one thread). */
    BuildFixture withClient(ApiClient other) {
        return new BuildFixture(other, appId, templateId, projectId);
    }

    /** Another project of the same app and template (a project holds at most {@link #MAX_CONFIGS_PER_PROJECT} configs). */
    BuildFixture anotherProject(String name) throws IOException, InterruptedException {
        return new BuildFixture(api, appId, templateId, created(api, "/projects", Map.of("appId", appId, "name", name, "templateId", templateId)));
    }

    /** A new config of the project with {@code config} as its values, not validated. */
    String config(Map<String, Object> config) throws IOException, InterruptedException {
        return created(api, "/configs", Map.of("projectId", projectId, "config", config));
    }

    /** A new config whose values are {@code {"variant": n}}, validated: one snapshot per {@code n}. */
    String validatedConfig(int n) throws IOException, InterruptedException {
        String id = config(Map.of("variant", n));
        expect(api.postJson("/configs/" + id + "/validate", ""), 200, "POST validate");
        return id;
    }

    /** POST /builds of the project's config: the new build's id (202). */
    String trigger(String configId) throws IOException, InterruptedException {
        return expect(api.postJson("/builds", triggerBody(projectId, configId)), 202, "POST /builds").json().path("id").asString();
    }

    static String triggerBody(String projectId, String configId) {
        return json(Map.of("projectId", projectId, "configId", configId));
    }

    /** A user with {@code role} on the fixture's app, created by the admin; answers the user's access token. */
    String userToken(String username, String role, String base) throws IOException, InterruptedException {
        String password = "bench-" + BenchmarkSetup.hex(8);
        expect(api.postJson("/api/users", json(Map.of("username", username, "password", password))), 201, "POST /api/users");
        expect(api.putJson("/api/apps/" + appId + "/members/" + username, json(Map.of("role", role))), 200, "PUT member");
        try (ApiClient user = new ApiClient(base, password, username)) {
            return user.accessToken();
        }
    }

    static String created(ApiClient api, String path, Map<String, Object> body) throws IOException, InterruptedException {
        return expect(api.postJson(path, json(body)), 201, "POST " + path).json().path("id").asString();
    }

    static ApiClient.Answer expect(ApiClient.Answer answer, int status, String what) throws IOException {
        if (answer.status() != status) {
            throw new IOException(what + " answered HTTP " + answer.status() + ": " + answer.body());
        }
        return answer;
    }

    static String json(Object value) {
        return JsonMapper.shared().writeValueAsString(value);
    }
}
