package dev.traceflow.it;

import dev.traceflow.builds.LoopbackGitServer;
import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 21's worker faults with real processes on loopback: the packaged jar as the server (no
 * in-process workers, a 6 s lease, a 1 s reaper) and the same jar in worker mode, building from a
 * {@link LoopbackGitServer}. In order: a build end to end by a worker process (artifact stored and
 * verified, release created); a worker killed with SIGKILL mid-build (re-queued within lease +
 * reaper, finished by a second worker process, every late write of the dead attempt 409); the server
 * killed with SIGKILL mid-build (the log lines it had stored before the kill are all there after the
 * restart on the same data dir, once, in order). The tests share the processes to keep the run short.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RemoteWorkerProcessIT {

    static final String TOKEN = "worker-process-it-token-0123456789";
    static final Duration LEASE = Duration.ofSeconds(6);
    static final Duration REAPER = Duration.ofSeconds(1);

    static Path dir;
    static int port;
    static Process server;
    static Process worker;
    static int workers;
    /** the port of the first worker process's GET /metrics */
    static int firstWorkerMetricsPort;
    static TestHttp http;
    static TestAuth auth;
    static LoopbackGitServer git;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("traceflow-worker-it-");
        // the sandbox's unprivileged user must reach the checkouts under the worker's data dir
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        git = new LoopbackGitServer();
        try (Git repo = git.create("shop", null)) {
            Path work = repo.getRepository().getWorkTree().toPath();
            Files.writeString(work.resolve("ok.sh"), """
                    set -e
                    mkdir -p dist
                    echo "release $TRACEFLOW_RELEASE attempt $(cat attempt.txt)"
                    cp attempt.txt dist/attempt.txt
                    echo built > dist/done.txt
                    """);
            // the first attempt prints numbered lines for 25 s (long enough to be killed in), a later one ends at once
            Files.writeString(work.resolve("slow-first.sh"), """
                    set -e
                    mkdir -p dist
                    if [ "$(cat attempt.txt)" = "1" ]; then
                      i=0
                      while [ $i -lt 250 ]; do i=$((i+1)); echo "line $i"; sleep 0.1; done
                    fi
                    echo "attempt $(cat attempt.txt) done"
                    echo built > dist/done.txt
                    """);
            repo.add().addFilepattern(".").call();
            repo.commit().setMessage("shop 1.0").setSign(false).call();
            repo.tag().setName("v1.0.0").call();
        }
        port = ServerProcesses.freePort();
        startServer();
        startWorker();
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.destroyForcibly();
        }
        if (server != null) {
            server.destroyForcibly();
        }
        if (git != null) {
            git.close();
        }
    }

    @Test
    @Order(1)
    void aWorkerProcess_buildsEndToEnd_artifactStoredAndVerified_releaseCreated() throws Exception {
        Setup s = setup("ok.sh");
        String id = trigger(s);
        JsonNode b = awaitBuild(id, x -> x.path("status").asString().equals("success"), Duration.ofSeconds(60));
        assertThat(b.path("attempt").asInt()).isEqualTo(1);
        String sha = b.path("artifact").path("sha256").asString();
        assertThat(sha).matches("[0-9a-f]{64}");
        TestHttp.Response artifact = http.get("/builds/" + id + "/artifact", "Authorization", "Bearer " + auth.admin());
        assertThat(artifact.status()).isEqualTo(200);
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(artifact.raw().body()))).isEqualTo(sha);
        assertThat(b.path("stages").findValuesAsString("status")).containsOnly("success");
        String release = b.path("release").asString();
        assertThat(release).startsWith("v1.0.0+build.");
        assertThat(logLines(id)).anyMatch(l -> l.equals("release " + release + " attempt 1"))
                .anyMatch(l -> l.startsWith("artifact verified"));
        JsonNode releases = json(http.get("/api/apps/" + s.app() + "/releases", "Authorization", "Bearer " + auth.admin()), 200);
        assertThat(releases.toString()).contains(release).contains(id);

        // the worker process's own metrics, on the port its settings gave it (it has no web server otherwise)
        TestHttp.Response metrics = new TestHttp("http://127.0.0.1:" + firstWorkerMetricsPort).get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).containsPattern("(?m)^traceflow_worker_builds_seconds_count\\{reason=\"none\",status=\"success\"} 1(\\.0)?$")
                .containsPattern("(?m)^traceflow_builds_step_seconds_count\\{step=\"fetch\"} 1(\\.0)?$")
                .containsPattern("(?m)^traceflow_worker_claims_seconds_count\\{outcome=\"build\"} 1(\\.0)?$")
                .doesNotContain(TOKEN);
    }

    @Test
    @Order(2)
    void aWorkerKilledMidBuild_itsBuildIsRequeuedAndFinishedByAnotherWorker_andItsLateWritesAre409() throws Exception {
        Setup s = setup("slow-first.sh");
        String id = trigger(s);
        awaitBuild(id, x -> x.path("status").asString().equals("running"), Duration.ofSeconds(60));
        awaitLog(id, lines -> lines.contains("line 5"));

        assertThat(worker.destroyForcibly().waitFor(10, TimeUnit.SECONDS)).isTrue(); // SIGKILL
        long killed = System.nanoTime();
        Process second = startWorkerAsync();
        JsonNode requeued = awaitBuild(id, x -> !(x.path("status").asString().equals("running") && x.path("attempt").asInt() == 1),
                LEASE.plus(REAPER).plusSeconds(10));
        Duration took = Duration.ofNanos(System.nanoTime() - killed);
        assertThat(took).as("re-queued after the lease plus the reaper period").isLessThan(LEASE.plus(REAPER).plusSeconds(3));
        assertThat(requeued.path("status").asString()).isIn("queued", "running");

        awaitWorkerReady(second);
        JsonNode done = awaitBuild(id, x -> x.path("status").asString().equals("success"), Duration.ofSeconds(60));
        assertThat(done.path("attempt").asInt()).isEqualTo(2);
        assertThat(logLines(id)).contains("attempt 2 done");

        // every write the dead attempt could still make is refused
        assertLeaseLost(workerCall("POST", "/api/workers/builds/" + id + "/heartbeat", Map.of("attempt", 1)));
        assertLeaseLost(workerCall("POST", "/api/workers/builds/" + id + "/stages/build", Map.of("attempt", 1, "status", "success")));
        assertLeaseLost(workerCall("POST", "/api/workers/builds/" + id + "/logs", Map.of("attempt", 1, "firstSeq", 10_000,
                "lines", List.of(Map.of("ts", "2026-01-01T00:00:00Z", "level", "info", "stage", "build", "line", "late line")))));
        assertLeaseLost(http.send("PUT", "/api/workers/builds/" + id + "/artifact?attempt=1&sha256=" + "0".repeat(64), new byte[] {1},
                "Content-Type", "application/gzip", "X-TraceFlow-Worker-Token", TOKEN));
        assertLeaseLost(workerCall("POST", "/api/workers/builds/" + id + "/finish", Map.of("attempt", 1, "status", "fail")));
        assertThat(logLines(id)).doesNotContain("late line");
        JsonNode after = build(id);
        assertThat(after.path("status").asString()).isEqualTo("success");
        assertThat(after.path("artifact").path("sha256").asString()).isEqualTo(done.path("artifact").path("sha256").asString());
    }

    @Test
    @Order(3)
    void theServerKilledMidBuild_keepsEveryLogLineItStored_andTheBuildEnds() throws Exception {
        Setup s = setup("slow-first.sh");
        String id = trigger(s);
        awaitLog(id, lines -> lines.contains("line 30"));
        List<JsonNode> before = logEntries(id);
        assertThat(server.destroyForcibly().waitFor(30, TimeUnit.SECONDS)).isTrue(); // SIGKILL: no shutdown hook, no flush

        startServer();
        JsonNode done = awaitBuild(id, x -> x.path("status").asString().equals("success"), Duration.ofSeconds(90));
        // either outcome is right: a restart within the lease lets the worker (which kept resending) finish attempt 1; a
        // slower one lets the lease run out, and attempt 2 finishes it
        assertThat(done.path("attempt").asInt()).isPositive();
        List<JsonNode> after = logEntries(id);
        // every line stored before the kill is there, with its cursor, and nothing is twice
        for (JsonNode line : before) {
            assertThat(after).anyMatch(a -> a.path("cursor").asLong() == line.path("cursor").asLong()
                    && a.path("line").asString().equals(line.path("line").asString()));
        }
        List<String> numbered = after.stream().map(a -> a.path("line").asString()).filter(l -> l.matches("line \\d+")).toList();
        assertThat(numbered).doesNotHaveDuplicates();
        for (int i = 0; i < numbered.size(); i++) {
            assertThat(numbered.get(i)).isEqualTo("line " + (i + 1)); // the first attempt's lines: a gapless prefix
        }
        assertThat(after.stream().map(a -> a.path("cursor").asLong()).toList()).isSorted().doesNotHaveDuplicates();
    }

    // --- processes ---

    private static void startServer() throws IOException, InterruptedException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TRACEFLOW_BOOTSTRAP_ADMIN_PASSWORD", ServerTest.ADMIN_PASSWORD);
        env.put("TRACEFLOW_AUTH_BCRYPT_STRENGTH", "4");
        env.put("TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS", "127.0.0.1/32"); // the loopback git server
        env.put("TRACEFLOW_BUILDS_QUEUE_WORKER_TOKEN", TOKEN);
        env.put("TRACEFLOW_BUILDS_QUEUE_WORKERS", "0"); // only the worker processes build
        env.put("TRACEFLOW_BUILDS_QUEUE_LEASE", LEASE.toSeconds() + "s");
        env.put("TRACEFLOW_BUILDS_QUEUE_HEARTBEAT", "2s");
        env.put("TRACEFLOW_BUILDS_QUEUE_REAPER_PERIOD", REAPER.toSeconds() + "s");
        env.put("TRACEFLOW_LOG_FORMAT", "text");
        server = ServerProcesses.startJar(port, dir.resolve("server"), "worker-it-demo-key-0123", List.of("-Xmx512m"), env,
                dir.resolve("server.log"));
        http = new TestHttp("http://127.0.0.1:" + port);
        TestAuth.forgetCachedTokens();
        auth = new TestAuth(http);
        ServerProcesses.awaitHealthy(server, http, dir.resolve("server.log"), Duration.ofSeconds(120));
    }

    private static void startWorker() throws IOException, InterruptedException {
        worker = startWorkerAsync();
        awaitWorkerReady(worker);
    }

    private static Process startWorkerAsync() throws IOException {
        int n = ++workers;
        Path data = dir.resolve("worker-" + n);
        // made here as a data dir under the usual umask: the sandbox's user must reach the checkouts inside
        Files.createDirectories(data);
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx--x--x"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TRACEFLOW_WORKER_SERVER_URL", "http://127.0.0.1:" + port);
        env.put("TRACEFLOW_WORKER_TOKEN", TOKEN);
        env.put("TRACEFLOW_WORKER_NAME", "it-worker-" + n);
        env.put("TRACEFLOW_WORKER_POLL", "200ms");
        env.put("TRACEFLOW_WORKER_HEARTBEAT", "2s");
        env.put("TRACEFLOW_WORKER_REQUEST_TIMEOUT", "5s");
        int metricsPort = ServerProcesses.freePort();
        env.put("TRACEFLOW_WORKER_METRICS_PORT", Integer.toString(metricsPort));
        if (n == 1) {
            firstWorkerMetricsPort = metricsPort;
        }
        env.put("TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS", "127.0.0.1/32");
        env.put("TRACEFLOW_BUILDS_SANDBOX_MODE", Files.isExecutable(Path.of("/usr/bin/bwrap")) ? "bwrap" : "none");
        worker = ServerProcesses.startWorker(data, env, dir.resolve("worker-" + n + ".log"));
        return worker;
    }

    private static void awaitWorkerReady(Process p) throws IOException, InterruptedException {
        ServerProcesses.awaitWorker(p, dir.resolve("worker-" + workers + ".log"), Duration.ofSeconds(120));
    }

    // --- the server's API ---

    record Setup(String app, String project, String config) {
    }

    private static Setup setup(String script) {
        String app = TestAuth.uniqueName("workerapp");
        auth.createApp(app);
        String source = json(post("/git-sources", Map.of("name", TestAuth.uniqueName("shop"), "repoUrl", git.url("shop"))), 201)
                .path("id").asString();
        json(post("/git-sources/" + source + "/versions", ""), 200);
        String name = json(http.get("/git-sources/" + source, "Authorization", "Bearer " + auth.admin()), 200).path("name").asString();
        String template = json(post("/templates", Map.of("name", TestAuth.uniqueName("tpl"), "deployType", "static")), 201)
                .path("id").asString();
        json(post("/templates/" + template + "/sources", Map.of("gitSourceId", source, "versionStrategy", Map.of("type", "latest-stable"),
                "buildOrder", 0, "dependencies", List.of(), "build", Map.of("command", List.of("sh", script), "artifacts",
                        List.of("dist/**"), "timeout", "PT5M"))), 200);
        String project = json(post("/projects", Map.of("appId", app, "name", "shop", "templateId", template)), 201).path("id").asString();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("projectId", project);
        body.put("config", Map.of("apiUrl", "https://api.shop.example"));
        body.put("fileReplacements", List.of(Map.of("path", name + "/attempt.txt", "content", "{{build.attempt}}")));
        String config = json(post("/configs", body), 201).path("id").asString();
        json(post("/configs/" + config + "/validate", ""), 200);
        return new Setup(app, project, config);
    }

    private static String trigger(Setup s) {
        return json(post("/builds", Map.of("projectId", s.project(), "configId", s.config())), 202).path("id").asString();
    }

    private static TestHttp.Response post(String path, Object body) {
        return http.post(path, body instanceof String str ? str : TestHttp.JSON.writeValueAsString(body), "Content-Type", "application/json",
                "Authorization", "Bearer " + auth.admin());
    }

    private static TestHttp.Response workerCall(String method, String path, Object body) {
        return http.send(method, path, TestHttp.JSON.writeValueAsBytes(body), "Content-Type", "application/json",
                "X-TraceFlow-Worker-Token", TOKEN);
    }

    private static void assertLeaseLost(TestHttp.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(409);
        assertThat(r.json().path("code").asString()).as(r.toString()).isEqualTo("LEASE_LOST");
    }

    private static JsonNode json(TestHttp.Response r, int status) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        return r.json();
    }

    private static JsonNode build(String id) {
        return json(http.get("/builds/" + id, "Authorization", "Bearer " + auth.admin()), 200);
    }

    private static JsonNode awaitBuild(String id, Predicate<JsonNode> until, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = build(id);
            if (until.test(last)) {
                return last;
            }
            assertThat(last.path("status").asString()).as(last.toString()).isNotIn("fail", "canceled");
            Thread.sleep(100);
        }
        throw new AssertionError("build " + id + " did not get there in " + timeout + ": " + last + "\nworker log: "
                + tail(dir.resolve("worker-" + workers + ".log")) + "\nserver log: " + tail(dir.resolve("server.log")));
    }

    private static void awaitLog(String id, Predicate<List<String>> until) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (until.test(logLines(id))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("log of " + id + ": " + logLines(id) + "\nworker log: " + tail(dir.resolve("worker-" + workers + ".log")));
    }

    /** The whole log over REST, page by page. */
    private static List<JsonNode> logEntries(String id) {
        List<JsonNode> out = new ArrayList<>();
        long after = 0;
        while (true) {
            JsonNode page = json(http.get("/builds/" + id + "/logs?after=" + after, "Authorization", "Bearer " + auth.admin()), 200);
            page.path("lines").forEach(out::add);
            if (page.path("lines").isEmpty() || page.path("next").asLong() == after) {
                return out;
            }
            after = page.path("next").asLong();
        }
    }

    private static List<String> logLines(String id) {
        return logEntries(id).stream().map(l -> l.path("line").asString()).toList();
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.substring(Math.max(0, s.length() - 4000));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
