package dev.traceflow.builds;

import dev.traceflow.builds.LoopbackSshGitServer.ClientKey;
import dev.traceflow.builds.internal.git.SshKeys;
import dev.traceflow.support.TestAuth;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Builds of an ssh git source, end to end against a real SSH git server on 127.0.0.1: the fetch
 * step goes over ssh with the source's deploy key and checks the server's host key against the
 * one recorded for the source. A build never trusts a key on first sight: a server that shows
 * another key fails the fetch step with the reason, and the build keeps no artifact.
 *
 * <p>The source's bare mirror is removed before each build, as on a server that has not fetched
 * the source yet: a mirror that already holds the frozen commit needs no connection at all.
 */
class SshBuildsApiTest extends BuildsApiSupport {

    static LoopbackSshGitServer ssh;
    static final ClientKey DEPLOY_KEY = ClientKey.create();

    @BeforeAll
    static void repository() throws Exception {
        ssh = new LoopbackSshGitServer();
        ssh.authorize(DEPLOY_KEY.pair().getPublic());
        try (Git repo = ssh.create("ssh-shop")) {
            Path dir = repo.getRepository().getWorkTree().toPath();
            Files.writeString(dir.resolve("build.sh"), "set -e\nmkdir -p dist\necho \"fetched over ssh\" > dist/index.html\necho built\n");
            repo.add().addFilepattern(".").call();
            repo.commit().setMessage("ssh shop 2.0").setSign(false).call();
            repo.tag().setName("v2.0.0").call();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        ssh.close();
    }

    private record Setup(String source, String project, String config) {
    }

    /** An ssh source with a deploy key and its host key pinned, its versions, a template, a project and a validated config. */
    private Setup setup() {
        String app = TestAuth.uniqueName("sshbuilds");
        auth.createApp(app);
        String credential = status(post("/credentials", Map.of("name", TestAuth.uniqueName("deploy"), "type", "ssh-key",
                "secret", DEPLOY_KEY.privateKeyText()), auth.admin()), 201).path("id").asString();
        String source = status(post("/git-sources", Map.of("name", TestAuth.uniqueName("ssh-shop"), "repoUrl", ssh.url("ssh-shop"),
                "credentialId", credential, "sshHostKey", ssh.hostKeyLine()), auth.admin()), 201).path("id").asString();
        status(post("/git-sources/" + source + "/versions", "", auth.admin()), 200);
        String template = status(post("/templates", Map.of("name", TestAuth.uniqueName("tpl"), "deployType", "static"), auth.admin()), 201)
                .path("id").asString();
        status(post("/templates/" + template + "/sources", Map.of("gitSourceId", source, "versionStrategy", Map.of("type", "latest-stable"),
                "buildOrder", 0, "dependencies", List.of(), "build", Map.of("command", List.of("sh", "build.sh"), "artifacts",
                        List.of("dist/**"), "timeout", "PT1M")), auth.admin()), 200);
        String project = status(post("/projects", Map.of("appId", app, "name", "shop", "templateId", template), auth.admin()), 201)
                .path("id").asString();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("projectId", project);
        body.put("config", Map.of());
        String config = status(post("/configs", body, auth.admin()), 201).path("id").asString();
        status(post("/configs/" + config + "/validate", "", auth.admin()), 200);
        return new Setup(source, project, config);
    }

    @Test
    void aBuildOfAnSshSource_fetchesOverSsh_withTheRecordedHostKey() throws Exception {
        Setup s = setup();
        forgetMirror(s.source());
        int before = ssh.connections();
        String id = trigger(s);
        JsonNode b = awaitEnded(id);
        assertThat(b.path("status").asString()).as(b.toString()).isEqualTo("success");
        assertThat(ssh.connections()).as("the fetch step connected over ssh").isGreaterThan(before);
        assertThat(logLines(id)).anyMatch(l -> l.startsWith("checked out ")).contains("built");
        assertThat(b.path("artifactRef").asString()).endsWith(id + "/artifact.tar.gz");
        assertThat(get("/builds/" + id + "/artifact", auth.admin()).status()).isEqualTo(200);
    }

    @Test
    void aServerShowingAnotherHostKey_failsTheFetchStep_withTheReason_andKeepsNothing() throws Exception {
        Setup s = setup();
        // the source's record names another key than the one this server shows (a server replaced, or a
        // man in the middle): what the build's fetch must refuse
        String recorded = SshKeys.line(LoopbackSshGitServer.newKeyPair().getPublic());
        status(patch("/git-sources/" + s.source(), Map.of("sshHostKey", recorded), auth.admin()), 200);
        forgetMirror(s.source());
        int before = ssh.connections();
        String id = trigger(s);
        JsonNode b = awaitEnded(id);
        assertThat(b.path("status").asString()).as(b.toString()).isEqualTo("fail");
        assertThat(b.path("failureReason").asString()).isEqualTo("fetch_failed");
        assertThat(b.path("failureMessage").asString()).contains("host key").contains("not the one recorded");
        assertThat(b.path("stages").findValuesAsString("status")).containsExactly("fail", "fail", "fail", "fail", "fail", "fail");
        assertThat(ssh.connections()).isGreaterThan(before);
        assertThat(b.path("artifactRef").isMissingNode() || b.path("artifactRef").isNull()).as(b.toString()).isTrue();
        assertThat(b.path("release").asString("")).isEmpty();
        refused(get("/builds/" + id + "/artifact", auth.admin()), 404, "NO_ARTIFACT");
        assertThat(logLines(id)).noneMatch(l -> l.startsWith("checked out "));
        // a mismatch never replaces the recorded key
        assertThat(status(get("/git-sources/" + s.source(), auth.admin()), 200).path("sshHostKey").asString()).isEqualTo(recorded);
    }

    private String trigger(Setup s) {
        return status(post("/builds", Map.of("projectId", s.project(), "configId", s.config()), auth.admin()), 202).path("id").asString();
    }

    private JsonNode awaitEnded(String id) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> List.of("success", "fail", "canceled").contains(get("/builds/" + id, auth.admin()).json().path("status").asString()));
        return status(get("/builds/" + id, auth.admin()), 200);
    }

    /** Removes the source's bare mirror ({@code <data-dir>/builds/mirrors/<id>.git}), so the build's fetch has to connect. */
    private static void forgetMirror(String sourceId) throws IOException {
        Path mirror = dataDir().resolve("builds").resolve("mirrors").resolve(sourceId + ".git");
        assertThat(mirror).isDirectory();
        try (Stream<Path> files = Files.walk(mirror)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
