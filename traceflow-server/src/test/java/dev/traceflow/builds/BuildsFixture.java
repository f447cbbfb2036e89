package dev.traceflow.builds;

import dev.traceflow.support.TestAuth;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A repository served on 127.0.0.1 with build scripts, and an app, project and validated config that build it. */
public abstract class BuildsFixture extends BuildsApiSupport {

    protected static LoopbackGitServer git;

    @BeforeAll
    protected static void repositories() throws Exception {
        git = new LoopbackGitServer();
        try (Git repo = git.create("webshop", null)) {
            Path dir = repo.getRepository().getWorkTree().toPath();
            Files.createDirectories(dir.resolve("src"));
            Files.writeString(dir.resolve("src/config.js"), "export const API = 'http://localhost';\n");
            Files.writeString(dir.resolve("build.sh"), """
                    set -e
                    mkdir -p dist
                    cp src/config.js dist/config.js
                    cp public/env.json dist/env.json
                    echo "release $TRACEFLOW_RELEASE"
                    echo "built" > dist/done.txt
                    """);
            Files.writeString(dir.resolve("slow.sh"), "echo started\nsleep 30\necho never\n");
            Files.writeString(dir.resolve("fail.sh"), "echo failing >&2\nexit 3\n");
            // a build whose log is followed while it is written (BuildLogNodeIT): 300 numbered lines over a few seconds
            Files.writeString(dir.resolve("lines.sh"), """
                    set -e
                    i=1
                    while [ $i -le 300 ]; do echo "line $i"; i=$((i + 1)); sleep 0.01; done
                    mkdir -p dist
                    echo done > dist/done.txt
                    """);
            repo.add().addFilepattern(".").call();
            repo.commit().setMessage("webshop 1.0").setSign(false).call();
            repo.tag().setName("v1.0.0").call();
        }
    }

    @AfterAll
    protected static void stop() {
        git.close();
    }

    public record Setup(String app, String source, String sourceName, String project, String config) {
    }

    /** A source, a template that runs {@code script}, a project of a new app and a validated config. */
    protected Setup setup(String script) {
        String app = TestAuth.uniqueName("buildsapp");
        auth.createApp(app);
        String source = status(post("/git-sources", Map.of("name", TestAuth.uniqueName("webshop"), "repoUrl", git.url("webshop")),
                auth.admin()), 201).path("id").asString();
        status(post("/git-sources/" + source + "/versions", "", auth.admin()), 200);
        String name = status(get("/git-sources/" + source, auth.admin()), 200).path("name").asString();
        String template = status(post("/templates", Map.of("name", TestAuth.uniqueName("tpl"), "deployType", "static"), auth.admin()), 201)
                .path("id").asString();
        status(post("/templates/" + template + "/sources", Map.of("gitSourceId", source, "versionStrategy", Map.of("type", "latest-stable"),
                "buildOrder", 0, "dependencies", List.of(), "build", Map.of("command", List.of("sh", script), "artifacts",
                        List.of("dist/**"), "timeout", "PT1M")), auth.admin()), 200);
        String project = status(post("/projects", Map.of("appId", app, "name", "shop", "templateId", template), auth.admin()), 201)
                .path("id").asString();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("projectId", project);
        body.put("config", Map.of("apiUrl", "https://api.shop.example"));
        body.put("fileReplacements", List.of(Map.of("path", name + "/public/env.json",
                "content", "{\"api\": \"{{apiUrl}}\", \"release\": \"{{build.release}}\"}")));
        body.put("textReplacements", List.of(Map.of("path", name + "/src/config.js", "search", "http://localhost",
                "replace", "https://api.shop.example")));
        String config = status(post("/configs", body, auth.admin()), 201).path("id").asString();
        status(post("/configs/" + config + "/validate", "", auth.admin()), 200);
        return new Setup(app, source, name, project, config);
    }

    protected String trigger(Setup s) {
        JsonNode r = status(post("/builds", Map.of("projectId", s.project(), "configId", s.config()), auth.admin()), 202);
        assertThat(r.path("status").asString()).isEqualTo("queued");
        return r.path("id").asString();
    }

    /** The files of a build's artifact (tar.gz), by path, as text. */
    protected static Map<String, String> untar(byte[] gz) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(gz)))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                out.put(e.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** A build and its rollback, both succeeded: two releases of the setup's project, ids and releases older first. */
    public record TwoReleases(String olderBuild, String olderRelease, String newerBuild, String newerRelease) {
    }

    protected TwoReleases twoReleases(Setup s) {
        String first = trigger(s);
        String older = awaitStatus(first, "success").path("release").asString();
        String second = status(post("/builds/" + first + "/rollback", "", auth.admin()), 202).path("id").asString();
        String newer = awaitStatus(second, "success").path("release").asString();
        return new TwoReleases(first, older, second, newer);
    }

    protected JsonNode awaitStatus(String id, String expected) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> get("/builds/" + id, auth.admin()).json().path("status").asString().equals(expected));
        return status(get("/builds/" + id, auth.admin()), 200);
    }

}
