package dev.traceflow.builds;

import dev.traceflow.support.Requirements;
import dev.traceflow.support.TestAuth;
import org.eclipse.jgit.api.Git;
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
 * A template of two sources where one depends on the other (API.md {@code "dependencies"}, seed 003 "模板与依赖"): the
 * dependency is built first whatever the build orders say, and the dependent source's build reads what it built at
 * {@code ../<name>}, read-only; a source sees no other source's folder unless it depends on it. A real build of two
 * repositories served on 127.0.0.1, run by the in-process worker in the bubblewrap sandbox.
 */
class DependentSourcesBuildTest extends BuildsFixture {

    @BeforeAll
    static void twoRepositories() throws Exception {
        // the library: what it builds, and which folders of the workspace its build can see
        commit("deplib", """
                set -e
                echo "folders: $(ls .. | tr '\\n' ' ')"
                mkdir -p dist
                echo "lib 1.0" > dist/lib.txt
                """);
        // the app: copies the library's output into its own, and tries to change the library's
        commit("depapp", """
                set -e
                echo "folders: $(ls .. | tr '\\n' ' ')"
                mkdir -p dist
                for d in ../*; do
                  [ "$d" = "../$(basename "$PWD")" ] && continue
                  cp "$d/dist/lib.txt" dist/from-dependency.txt
                  if (echo planted > "$d/dist/planted.txt") 2>/dev/null; then echo "WROTE INTO $d"; fi
                  if (rm "$d/dist/lib.txt") 2>/dev/null; then echo "REMOVED FROM $d"; fi
                done
                """);
    }

    private static void commit(String repo, String script) throws Exception {
        try (Git g = git.create(repo, null)) {
            Path dir = g.getRepository().getWorkTree().toPath();
            Files.writeString(dir.resolve("build.sh"), script);
            g.add().addFilepattern(".").call();
            g.commit().setMessage(repo + " 1.0").setSign(false).call();
            g.tag().setName("v1.0.0").call();
        }
    }

    @Test
    void aDependentSource_buildsAfterItsDependency_andReadsItsOutput_withoutWritingIt() throws Exception {
        Requirements.require(Files.isExecutable(Path.of("/usr/bin/bwrap")), "bubblewrap at /usr/bin/bwrap (apt-get install bubblewrap)");
        String lib = source("deplib");
        String app = source("depapp");
        String libName = status(get("/git-sources/" + lib, auth.admin()), 200).path("name").asString();
        String appName = status(get("/git-sources/" + app, auth.admin()), 200).path("name").asString();
        String template = status(post("/templates", Map.of("name", TestAuth.uniqueName("deps"), "deployType", "static"), auth.admin()), 201)
                .path("id").asString();
        // the library's build order is the higher one: only the dependency puts it first
        bind(template, lib, 5, List.of());
        JsonNode bound = bind(template, app, 0, List.of(lib));
        assertThat(bound.path("sources").findValuesAsString("gitSourceId")).containsExactly(lib, app);

        String appId = TestAuth.uniqueName("depsapp");
        auth.createApp(appId);
        String project = status(post("/projects", Map.of("appId", appId, "name", "deps", "templateId", template), auth.admin()), 201)
                .path("id").asString();
        String config = status(post("/configs", Map.of("projectId", project, "config", Map.of()), auth.admin()), 201).path("id").asString();
        status(post("/configs/" + config + "/validate", "", auth.admin()), 200);
        String id = status(post("/builds", Map.of("projectId", project, "configId", config), auth.admin()), 202).path("id").asString();
        JsonNode build = awaitStatus(id, "success");
        assertThat(build.path("failureMessage").isMissingNode()).as(build.toString()).isTrue();

        List<String> log = logLines(id);
        assertThat(log).containsSubsequence("running sh build.sh in " + libName, libName + " built",
                "running sh build.sh in " + appName + ", reading ../" + libName, appName + " built");
        // each build sees its own folder and its dependencies', no other source's
        assertThat(log).contains("folders: " + libName + " ");
        assertThat(log).contains("folders: " + String.join(" ", List.of(appName, libName).stream().sorted().toList()) + " ");
        assertThat(log).noneMatch(l -> l.startsWith("WROTE INTO") || l.startsWith("REMOVED FROM"));

        Map<String, String> files = untar(get("/builds/" + id + "/artifact", auth.admin()).raw().body());
        assertThat(files).containsEntry(appName + "/dist/from-dependency.txt", "lib 1.0\n");
        assertThat(files).containsEntry(libName + "/dist/lib.txt", "lib 1.0\n");
        assertThat(files).doesNotContainKey(libName + "/dist/planted.txt");
    }

    private String source(String repo) {
        String id = status(post("/git-sources", Map.of("name", TestAuth.uniqueName(repo), "repoUrl", git.url(repo)), auth.admin()), 201)
                .path("id").asString();
        status(post("/git-sources/" + id + "/versions", "", auth.admin()), 200);
        return id;
    }

    private JsonNode bind(String template, String source, int buildOrder, List<String> dependencies) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("gitSourceId", source);
        body.put("versionStrategy", Map.of("type", "latest-stable"));
        body.put("buildOrder", buildOrder);
        body.put("dependencies", dependencies);
        body.put("build", Map.of("command", List.of("sh", "build.sh"), "artifacts", List.of("dist/**"), "timeout", "PT1M"));
        return status(post("/templates/" + template + "/sources", body, auth.admin()), 200);
    }
}
