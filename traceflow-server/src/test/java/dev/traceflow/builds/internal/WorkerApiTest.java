package dev.traceflow.builds.internal;

import dev.traceflow.builds.BuildsFixture;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The worker API as a remote worker uses it (this test is the client): claim, heartbeat, stages, logs
 * without duplicates on resend, the artifact checked by the server, finish; a worker whose lease ran
 * out is taken over and every late write of its attempt answers 409. The in-process workers pause
 * meanwhile, so the test's client is the only worker.
 */
class WorkerApiTest extends BuildsFixture {

    static final String TOKEN = WORKER_TOKEN;


    @Autowired
    BuildWorkers workers;

    /** The test's client is the only worker: the in-process ones stop claiming meanwhile. */
    @BeforeEach
    void pauseInProcessWorkers() {
        workers.stop();
    }

    @AfterEach
    void resumeInProcessWorkers() {
        workers.start();
    }

    private TestHttp.Response worker(String method, String path, Object body) {
        byte[] bytes = body == null ? null : body instanceof byte[] b ? b : TestHttp.JSON.writeValueAsBytes(body);
        return http.send(method, path, bytes, "Content-Type", body instanceof byte[] ? "application/gzip" : "application/json",
                "X-TraceFlow-Worker-Token", TOKEN);
    }

    @Test
    void withoutTheToken_nothingIsClaimed() {
        refused(http.post("/api/workers/claim", "{\"worker\":\"w\"}", "Content-Type", "application/json"), 401, "UNAUTHORIZED");
        refused(http.post("/api/workers/claim", "{\"worker\":\"w\"}", "Content-Type", "application/json", "X-TraceFlow-Worker-Token",
                TOKEN + "x"), 401, "UNAUTHORIZED");
        refused(http.post("/api/workers/claim", "{\"worker\":\"w\"}", "Content-Type", "application/json", "Authorization",
                "Bearer " + auth.admin()), 401, "UNAUTHORIZED");
    }

    /** The token is checked before Spring MVC reads anything: a caller without it never learns what the body or parameters lacked. */
    @Test
    void withoutTheToken_theRequestIsRefusedBeforeItsBodyContentTypeOrParametersAreRead() {
        refused(http.post("/api/workers/claim", "{not json", "Content-Type", "application/json"), 401, "UNAUTHORIZED");
        refused(http.post("/api/workers/builds/x/logs", "{\"lines\": 5}", "Content-Type", "text/plain"), 401, "UNAUTHORIZED");
        refused(http.send("PUT", "/api/workers/builds/x/artifact", "not gzip".getBytes(StandardCharsets.UTF_8), "Content-Type",
                "application/x-www-form-urlencoded"), 401, "UNAUTHORIZED");
        refused(http.send("PUT", "/api/workers/builds/x/artifact?attempt=oops", new byte[0], "X-TraceFlow-Worker-Token", "wrong"), 401,
                "UNAUTHORIZED");
        refused(http.get("/api/workers/no-such-route"), 401, "UNAUTHORIZED");
        refused(http.post("/api/%77orkers/claim", "{\"worker\":\"w\"}", "Content-Type", "application/json"), 401, "UNAUTHORIZED");
        // with the token, the same requests reach the API and get its own answers
        refused(worker("POST", "/api/workers/claim", "{not json".getBytes(StandardCharsets.UTF_8), "application/json"), 400,
                "MALFORMED_BODY");
        refused(worker("PUT", "/api/workers/builds/x/artifact?attempt=1&sha256=" + "0".repeat(64), "x".getBytes(StandardCharsets.UTF_8),
                "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE");
        refused(worker("PUT", "/api/workers/builds/x/artifact?sha256=" + "0".repeat(64), new byte[] {1}, "application/gzip"), 400,
                "BAD_REQUEST");
    }

    /**
     * A claim hands the worker the credential of its build's private source (it must fetch it) and no
     * other; the server masks it in the log lines the worker sends.
     */
    @Test
    void aClaim_carriesTheCredentialOfItsOwnSourceOnly_andTheLogMasksIt() throws Exception {
        String secret = "tf-private-token-" + TestAuth.uniqueName("s");
        String otherSecret = "tf-other-token-" + TestAuth.uniqueName("s");
        String repo = TestAuth.uniqueName("private");
        try (Git g = git.create(repo, secret)) {
            Path dir = g.getRepository().getWorkTree().toPath();
            Files.writeString(dir.resolve("build.sh"), "mkdir -p dist && echo ok > dist/ok.txt\n");
            g.add().addFilepattern(".").call();
            g.commit().setMessage("private 1.0").setSign(false).call();
            g.tag().setName("v1.0.0").call();
        }
        String credential = status(post("/credentials", Map.of("name", TestAuth.uniqueName("cred"), "type", "https-token", "username", "ci",
                "secret", secret), auth.admin()), 201).path("id").asString();
        // another source's credential, which this build's worker must never receive
        String other = status(post("/credentials", Map.of("name", TestAuth.uniqueName("cred"), "type", "https-token", "username", "ci",
                "secret", otherSecret), auth.admin()), 201).path("id").asString();
        status(post("/git-sources", Map.of("name", TestAuth.uniqueName("other"), "repoUrl", git.url("webshop"), "credentialId", other),
                auth.admin()), 201);
        String source = status(post("/git-sources", Map.of("name", TestAuth.uniqueName("private"), "repoUrl", git.url(repo),
                "credentialId", credential), auth.admin()), 201).path("id").asString();
        status(post("/git-sources/" + source + "/versions", "", auth.admin()), 200);
        String app = TestAuth.uniqueName("privateapp");
        auth.createApp(app);
        String template = status(post("/templates", Map.of("name", TestAuth.uniqueName("tpl"), "deployType", "static"), auth.admin()), 201)
                .path("id").asString();
        status(post("/templates/" + template + "/sources", Map.of("gitSourceId", source, "versionStrategy", Map.of("type", "latest-stable"),
                "buildOrder", 0, "dependencies", List.of(), "build", Map.of("command", List.of("sh", "build.sh"), "artifacts",
                        List.of("dist/**"), "timeout", "PT1M")), auth.admin()), 200);
        String project = status(post("/projects", Map.of("appId", app, "name", "private", "templateId", template), auth.admin()), 201)
                .path("id").asString();
        String config = status(post("/configs", Map.of("projectId", project, "config", Map.of()), auth.admin()), 201).path("id").asString();
        status(post("/configs/" + config + "/validate", "", auth.admin()), 200);
        String id = status(post("/builds", Map.of("projectId", project, "configId", config), auth.admin()), 202).path("id").asString();

        TestHttp.Response answer = worker("POST", "/api/workers/claim", Map.of("worker", "box-private"));
        JsonNode claim = status(answer, 200);
        assertThat(claim.path("id").asString()).isEqualTo(id);
        assertThat(claim.path("sources")).hasSize(1);
        JsonNode given = claim.path("sources").get(0);
        assertThat(given.path("repoUrl").asString()).isEqualTo(git.url(repo));
        assertThat(given.path("credential").path("username").asString()).isEqualTo("ci");
        assertThat(given.path("credential").path("secret").asString()).isEqualTo(secret);
        assertThat(answer.body()).doesNotContain(otherSecret);

        status(worker("POST", "/api/workers/builds/" + id + "/logs", Map.of("attempt", 1, "firstSeq", 1, "lines",
                List.of(line("cloning with " + secret)))), 200);
        // the masker may hold a line back while its end could begin a secret; the end of the build releases it
        status(worker("POST", "/api/workers/builds/" + id + "/finish", Map.of("attempt", 1, "status", "fail", "reason", "test")), 200);
        assertThat(logLines(id)).hasSize(1).noneMatch(l -> l.contains(secret)).allMatch(l -> l.startsWith("cloning with "));
    }

    private TestHttp.Response worker(String method, String path, byte[] body, String contentType) {
        return http.send(method, path, body, "Content-Type", contentType, "X-TraceFlow-Worker-Token", TOKEN);
    }

    @Test
    void aRemoteWorker_runsABuild_andALostLeaseIsTakenOverWithTheOldAttemptsWritesRefused() throws Exception {
        Setup s = setup("build.sh");
        String id = trigger(s);
        JsonNode claim = status(worker("POST", "/api/workers/claim", Map.of("worker", "box-1")), 200);
        assertThat(claim.path("id").asString()).isEqualTo(id);
        assertThat(claim.path("attempt").asInt()).isEqualTo(1);
        assertThat(claim.path("inputs").path("sources").get(0).path("commit").asString()).matches("[0-9a-f]{40}");
        // what the worker's fetch needs: the build's own source (a public one: no credential), and the lease to heartbeat within
        assertThat(claim.path("sources")).hasSize(1);
        assertThat(claim.path("sources").get(0).path("gitSourceId").asString()).isEqualTo(s.source());
        assertThat(claim.path("sources").get(0).path("repoUrl").asString()).isEqualTo(git.url("webshop"));
        assertThat(claim.path("sources").get(0).has("credential")).isFalse();
        assertThat(Duration.parse(claim.path("lease").asString())).isPositive();
        assertThat(worker("POST", "/api/workers/claim", Map.of("worker", "box-2")).status()).isEqualTo(204);
        assertThat(status(worker("POST", "/api/workers/builds/" + id + "/heartbeat", Map.of("attempt", 1)), 200).path("cancel")
                .asBoolean()).isFalse();
        status(worker("POST", "/api/workers/builds/" + id + "/stages/fetch", Map.of("attempt", 1, "status", "running")), 200);
        Map<String, Object> lines = Map.of("attempt", 1, "firstSeq", 1, "lines", List.of(line("one"), line("two")));
        assertThat(status(worker("POST", "/api/workers/builds/" + id + "/logs", lines), 200).path("cursor").asLong()).isEqualTo(2);
        assertThat(status(worker("POST", "/api/workers/builds/" + id + "/logs", lines), 200).path("cursor").asLong()).isEqualTo(2);
        assertThat(logLines(id)).containsExactly("one", "two");

        // the worker goes silent: its lease runs out and the reaper re-queues the build
        CLOCK.advance(Duration.ofSeconds(45));
        await().atMost(Duration.ofSeconds(15)).until(() -> status(get("/builds/" + id, auth.admin()), 200).path("status").asString()
                .equals("queued"));
        JsonNode second = status(worker("POST", "/api/workers/claim", Map.of("worker", "box-2")), 200);
        assertThat(second.path("attempt").asInt()).isEqualTo(2);
        refused(worker("POST", "/api/workers/builds/" + id + "/heartbeat", Map.of("attempt", 1)), 409, "LEASE_LOST");
        refused(worker("POST", "/api/workers/builds/" + id + "/logs", Map.of("attempt", 1, "firstSeq", 3, "lines", List.of(line("late")))),
                409, "LEASE_LOST");
        refused(worker("POST", "/api/workers/builds/" + id + "/stages/build", Map.of("attempt", 1, "status", "running")), 409, "LEASE_LOST");
        byte[] good = archive("web/dist/index.html", "<html>", "web/dist/index.html", "<html>");
        refused(worker("PUT", "/api/workers/builds/" + id + "/artifact?attempt=1&sha256=" + sha256(good), good), 409, "LEASE_LOST");
        refused(worker("POST", "/api/workers/builds/" + id + "/finish", Map.of("attempt", 1, "status", "fail")), 409, "LEASE_LOST");
        assertThat(logLines(id)).doesNotContain("late");

        // the new attempt: a lying or zip-slip archive is refused, the real one kept, then success
        refused(worker("POST", "/api/workers/builds/" + id + "/finish", Map.of("attempt", 2, "status", "success")), 422,
                "VALIDATION_FAILED");
        byte[] slip = archive("../../etc/cron.d/evil", "boom", "../../etc/cron.d/evil", "boom");
        refused(worker("PUT", "/api/workers/builds/" + id + "/artifact?attempt=2&sha256=" + sha256(slip), slip), 422, "ARTIFACT_REJECTED");
        byte[] lying = archive("web/dist/index.html", "<html>", "web/dist/index.html", "<evil>");
        refused(worker("PUT", "/api/workers/builds/" + id + "/artifact?attempt=2&sha256=" + sha256(lying), lying), 422, "ARTIFACT_REJECTED");
        refused(worker("PUT", "/api/workers/builds/" + id + "/artifact?attempt=2&sha256=" + "0".repeat(64), good), 422, "ARTIFACT_REJECTED");
        JsonNode stored = status(worker("PUT", "/api/workers/builds/" + id + "/artifact?attempt=2&sha256=" + sha256(good), good), 200);
        assertThat(stored.path("ref").asString()).isEqualTo("local:" + id + "/artifact.tar.gz");
        status(worker("POST", "/api/workers/builds/" + id + "/finish", Map.of("attempt", 2, "status", "success")), 200);

        JsonNode b = status(get("/builds/" + id, auth.admin()), 200);
        assertThat(b.path("status").asString()).isEqualTo("success");
        assertThat(b.path("attempt").asInt()).isEqualTo(2);
        assertThat(b.path("release").asString()).isEqualTo(claim.path("release").asString());
        assertThat(b.path("artifact").path("sha256").asString()).isEqualTo(sha256(good));
        assertThat(logEndedAs(id)).isEqualTo("success");
        refused(worker("POST", "/api/workers/builds/" + id + "/heartbeat", Map.of("attempt", 2)), 409, "LEASE_LOST");
    }

    private static Map<String, Object> line(String text) {
        return Map.of("ts", Instant.now().toString(), "level", "info", "stage", "fetch", "line", text);
    }

    /** A tar.gz with a manifest listing {@code listed} (with its content's hash) and one entry {@code name} with {@code content}. */
    private static byte[] archive(String listed, String listedContent, String name, String content) throws Exception {
        byte[] lc = listedContent.getBytes(StandardCharsets.UTF_8);
        String manifest = "{\"files\":[{\"path\":\"" + listed + "\",\"size\":" + lc.length + ",\"sha256\":\"" + sha256(lc) + "\"}]}";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            for (String[] e : List.of(new String[] {"manifest.json", manifest}, new String[] {name, content})) {
                byte[] bytes = e[1].getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry(e[0], true);
                entry.setSize(bytes.length);
                tar.putArchiveEntry(entry);
                tar.write(bytes);
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
