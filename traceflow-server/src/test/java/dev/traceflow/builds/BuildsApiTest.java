package dev.traceflow.builds;

import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Builds over HTTP, run by the in-process workers in the sandbox (bubblewrap where installed): a
 * repository served on 127.0.0.1 goes from trigger to artifact and release; refusals of the
 * trigger; cancel of a running command, retry and rollback linked to their parents; artifact
 * downloads with Range and signed links.
 */
class BuildsApiTest extends BuildsFixture {


    @Autowired
    io.micrometer.core.instrument.MeterRegistry metrics;


    @Test
    void trigger_runsTheStepsToAVerifiedArtifactAndARelease() throws Exception {
        Setup s = setup("build.sh");
        String id = trigger(s);
        JsonNode b = awaitStatus(id, "success");
        assertThat(b.path("stages").findValuesAsString("name")).containsExactly("fetch", "replace", "build", "package", "output", "verify");
        assertThat(b.path("stages").findValuesAsString("status")).containsOnly("success");
        b.path("stages").forEach(st -> assertThat(st.path("startedAt").isNull() || st.path("finishedAt").isNull()).isFalse());
        assertThat(b.path("release").asString()).isEqualTo("v1.0.0+build." + id.substring(0, 8));
        assertThat(b.path("configSnapshotHash").asString()).matches("[0-9a-f]{64}");
        assertThat(b.path("artifactRef").asString()).isEqualTo("local:" + id + "/artifact.tar.gz");
        // the log is archived right after the build's end is committed: its reference follows the status
        await().atMost(Duration.ofSeconds(10)).until(() -> !get("/builds/" + id, auth.admin()).json().path("logsRef").isNull());
        assertThat(get("/builds/" + id, auth.admin()).json().path("logsRef").asString()).isEqualTo(id + ".log");
        assertThat(b.path("attempt").asInt()).isEqualTo(1);
        assertThat(logLines(id)).contains("release " + b.path("release").asString());
        assertThat(logEndedAs(id)).isEqualTo("success");
        assertThat(metrics.counter("traceflow.builds.finished", "status", "success", "reason", "none").count()).isGreaterThanOrEqualTo(1);
        assertThat(metrics.timer("traceflow.builds.queue.wait").count()).isGreaterThanOrEqualTo(1);
        assertThat(metrics.timer("traceflow.builds.step", "step", "fetch").count()).isGreaterThanOrEqualTo(1);

        TestHttp.Response download = get("/builds/" + id + "/artifact", auth.admin());
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.header("ETag")).isEqualTo("\"" + b.path("artifact").path("sha256").asString() + "\"");
        Map<String, String> files = untar(download.raw().body());
        assertThat(files.keySet()).containsExactly("manifest.json", s.sourceName() + "/dist/config.js", s.sourceName() + "/dist/done.txt",
                s.sourceName() + "/dist/env.json");
        assertThat(files.get(s.sourceName() + "/dist/env.json")).isEqualTo("{\"api\": \"https://api.shop.example\", \"release\": \""
                + b.path("release").asString() + "\"}");
        assertThat(files.get(s.sourceName() + "/dist/config.js")).contains("https://api.shop.example");
        JsonNode manifest = TestHttp.JSON.readTree(files.get("manifest.json"));
        assertThat(manifest.path("files").findValuesAsString("path")).hasSize(3);

        TestHttp.Response part = http.get("/builds/" + id + "/artifact", "Authorization", "Bearer " + auth.admin(), "Range", "bytes=0-9");
        assertThat(part.status()).isEqualTo(206);
        assertThat(part.raw().body()).hasSize(10);
        byte[] whole = download.raw().body();
        assertThat(part.raw().body()).isEqualTo(java.util.Arrays.copyOfRange(whole, 0, 10));
        assertThat(part.header("Content-Range")).isEqualTo("bytes 0-9/" + whole.length);
        TestHttp.Response middle = http.get("/builds/" + id + "/artifact", "Authorization", "Bearer " + auth.admin(), "Range",
                "bytes=100-149");
        assertThat(middle.status()).isEqualTo(206);
        assertThat(middle.raw().body()).isEqualTo(java.util.Arrays.copyOfRange(whole, 100, 150));
        TestHttp.Response tail = http.get("/builds/" + id + "/artifact", "Authorization", "Bearer " + auth.admin(), "Range", "bytes=-7");
        assertThat(tail.status()).isEqualTo(206);
        assertThat(tail.raw().body()).isEqualTo(java.util.Arrays.copyOfRange(whole, whole.length - 7, whole.length));
        TestHttp.Response past = http.get("/builds/" + id + "/artifact", "Authorization", "Bearer " + auth.admin(), "Range",
                "bytes=" + whole.length + "-");
        assertThat(past.status()).isEqualTo(416);
        assertThat(past.header("Content-Range")).isEqualTo("bytes */" + whole.length);
        TestHttp.Response two = http.get("/builds/" + id + "/artifact", "Authorization", "Bearer " + auth.admin(), "Range",
                "bytes=0-1,10-11");
        assertThat(two.status()).isEqualTo(206);
        assertThat(two.header("Content-Type")).startsWith("multipart/byteranges");
        assertThat(get("/audits?resourceType=build&resourceId=" + id, auth.admin()).body()).contains("build.trigger",
                "build.artifact.download");
    }

    @Test
    void trigger_refusesViewersOtherAppsUnvalidatedConfigsAndARunningSnapshot() {
        Setup s = setup("slow.sh");
        String viewerName = TestAuth.uniqueName("viewer");
        String viewer = auth.newUserToken(viewerName);
        auth.grant(s.app(), viewerName, "viewer");
        refused(post("/builds", Map.of("projectId", s.project(), "configId", s.config()), viewer), 403, "FORBIDDEN");
        String stranger = auth.newUserToken(TestAuth.uniqueName("stranger"));
        refused(post("/builds", Map.of("projectId", s.project(), "configId", s.config()), stranger), 404, "NOT_FOUND");
        Map<String, Object> other = new LinkedHashMap<>();
        other.put("projectId", s.project());
        other.put("config", Map.of("apiUrl", "https://other.example"));
        String unvalidated = status(post("/configs", other, auth.admin()), 201).path("id").asString();
        refused(post("/builds", Map.of("projectId", s.project(), "configId", unvalidated), auth.admin()), 422, "VALIDATION_FAILED");

        String first = trigger(s);
        TestHttp.Response again = post("/builds", Map.of("projectId", s.project(), "configId", s.config()), auth.admin());
        refused(again, 409, "BUILD_IN_PROGRESS");
        assertThat(again.json().path("details").get(0).path("id").asString()).isEqualTo(first);
        assertThat(get("/builds/" + first, stranger).status()).isEqualTo(404);
        assertThat(status(get("/builds/" + first, viewer), 200).path("status").asString()).isIn("queued", "running");
        refused(post("/builds/" + first + "/cancel", "", viewer), 403, "FORBIDDEN");
        status(post("/builds/" + first + "/cancel", "", auth.admin()), 202);
        awaitStatus(first, "canceled");
    }

    @Test
    void cancel_endsTheRunningCommand_andRetryRunsTheSameInputsLinkedToItsParent() {
        Setup s = setup("slow.sh");
        String id = trigger(s);
        await().atMost(Duration.ofSeconds(20)).until(() -> logLines(id).contains("started"));
        long before = System.nanoTime();
        JsonNode c = status(post("/builds/" + id + "/cancel", "", auth.admin()), 202);
        assertThat(c.path("status").asString()).isEqualTo("running");
        JsonNode b = awaitStatus(id, "canceled");
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(10));
        assertThat(b.path("stages").get(2).path("status").asString()).isEqualTo("canceled");
        assertThat(b.path("artifactRef").asString("")).isEmpty(); // null fields are left out of answers
        assertThat(logLines(id)).doesNotContain("never");
        refused(post("/builds/" + id + "/cancel", "", auth.admin()), 409, "BUILD_ENDED");
        refused(post("/builds/" + id + "/rollback", "", auth.admin()), 409, "NOT_ROLLBACKABLE");

        JsonNode retry = status(post("/builds/" + id + "/retry", "", auth.admin()), 202);
        String retryId = retry.path("id").asString();
        assertThat(retry.path("parentId").asString()).isEqualTo(id);
        JsonNode r = status(get("/builds/" + retryId, auth.admin()), 200);
        assertThat(r.path("kind").asString()).isEqualTo("retry");
        assertThat(r.path("configSnapshotHash").asString()).isEqualTo(b.path("configSnapshotHash").asString());
        status(post("/builds/" + retryId + "/cancel", "", auth.admin()), 202);
        awaitStatus(retryId, "canceled");
        assertThat(get("/audits?resourceType=build&resourceId=" + retryId, auth.admin()).body()).contains("build.retry", "build.cancel");
    }

    @Test
    void aFailingCommand_failsTheBuildWithItsReason_andRollbackRebuildsAnEarlierSuccess() {
        Setup failing = setup("fail.sh");
        String id = trigger(failing);
        JsonNode b = awaitStatus(id, "fail");
        assertThat(b.path("failureReason").asString()).isEqualTo("command_failed");
        assertThat(b.path("stages").findValuesAsString("status")).containsExactly("success", "success", "fail", "fail", "fail", "fail");
        refused(post("/builds/" + id + "/artifact/link", "", auth.admin()), 404, "NO_ARTIFACT");

        Setup good = setup("build.sh");
        String ok = trigger(good);
        awaitStatus(ok, "success");
        refused(post("/builds/" + ok + "/retry", "", auth.admin()), 409, "NOT_RETRYABLE");
        JsonNode rollback = status(post("/builds/" + ok + "/rollback", "", auth.admin()), 202);
        JsonNode rb = awaitStatus(rollback.path("id").asString(), "success");
        assertThat(rb.path("kind").asString()).isEqualTo("rollback");
        assertThat(rb.path("parentId").asString()).isEqualTo(ok);
        assertThat(rb.path("release").asString()).startsWith("v1.0.0+build.");
        JsonNode list = status(get("/builds?projectId=" + good.project() + "&limit=1", auth.admin()), 200);
        assertThat(list.path("items")).hasSize(1);
        assertThat(list.path("next").asInt()).isEqualTo(1);
        assertThat(status(get("/builds?projectId=" + good.project() + "&status=success", auth.admin()), 200).path("items")
                .findValuesAsString("id")).containsExactlyInAnyOrder(ok, rollback.path("id").asString());
    }

    @Test
    void aSignedLink_downloadsWithoutAToken_untilItIsAlteredOrExpires() {
        Setup s = setup("build.sh");
        String id = trigger(s);
        awaitStatus(id, "success");
        String url = status(post("/builds/" + id + "/artifact/link", "", auth.admin()), 200).path("url").asString();
        TestHttp.Response ok = http.get(url);
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.raw().body().length).isGreaterThan(100);
        refused(http.get(url.replaceAll("expires=(\\d+)", "expires=9$1")), 403, "LINK_INVALID");
        refused(http.get(url.replace("/builds/" + id, "/builds/" + id.replace(id.charAt(0), id.charAt(0) == 'a' ? 'b' : 'a'))), 403,
                "LINK_INVALID");
        assertThat(get("/builds/" + id + "/artifact", auth.newUserToken(TestAuth.uniqueName("nobody"))).status()).isEqualTo(404);
        CLOCK.hold();
        try {
            CLOCK.advance(Duration.ofMinutes(6));
            refused(http.get(url), 403, "LINK_EXPIRED");
        } finally {
            CLOCK.release();
        }
    }

    @Test
    void releases_listTheBuildsReleasesWithTheTelemetrySeenWithEach() {
        Setup s = setup("build.sh");
        TwoReleases releases = twoReleases(s);
        String r1 = releases.olderRelease();
        String r2 = releases.newerRelease();
        String second = releases.newerBuild();
        String key = auth.createKey(s.app());
        long now = System.currentTimeMillis();
        List<Map<String, Object>> events = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            events.add(event(s.app(), "pageview", r1, now, null));
        }
        events.add(event(s.app(), "error", r1, now, "cart is undefined"));
        events.add(event(s.app(), "pageview", r2, now, null));
        events.add(event(s.app(), "error", r2, now, "cart is undefined"));
        events.add(event(s.app(), "error", r2, now, "price is NaN"));
        events.add(event(s.app(), "pageview", null, now, null));
        TestHttp.Response sent = http.post("/api/collect/batch", TestHttp.JSON.writeValueAsString(Map.of("events", events)),
                "Content-Type", "application/json", "X-TraceFlow-Key", key);
        assertThat(sent.status()).as(sent.toString()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(20)).until(() -> status(get("/api/apps/" + s.app() + "/releases", auth.admin()), 200)
                .path("items").path(0).path("telemetry").path("events").asLong() == 3);
        JsonNode items = status(get("/api/apps/" + s.app() + "/releases", auth.admin()), 200).path("items");
        assertThat(items.findValuesAsString("release")).containsExactly(r2, r1);
        JsonNode newer = items.get(0);
        JsonNode older = items.get(1);
        assertThat(newer.path("builds").get(0).path("id").asString()).isEqualTo(second);
        assertThat(newer.path("builds").get(0).path("kind").asString()).isEqualTo("rollback");
        assertThat(older.path("telemetry").path("events").asLong()).isEqualTo(5);
        assertThat(older.path("telemetry").path("errorEvents").asLong()).isEqualTo(1);
        assertThat(older.path("telemetry").path("newErrorGroupCount").asInt()).isEqualTo(1);
        assertThat(older.path("telemetry").path("errorRate").asDouble()).isEqualTo(0.2);
        assertThat(older.path("telemetry").path("firstSeen").asString()).isNotEmpty();
        assertThat(newer.path("telemetry").path("errorEvents").asLong()).isEqualTo(2);
        assertThat(newer.path("telemetry").path("errorGroups").asLong()).isEqualTo(2);
        assertThat(newer.path("telemetry").path("newErrorGroupCount").asInt()).isEqualTo(1); // "price is NaN" only
        assertThat(newer.path("telemetry").path("errorRateChange").asDouble()).isCloseTo(2.0 / 3 - 0.2, within(1e-9));

        String viewerName = TestAuth.uniqueName("relviewer");
        String viewer = auth.newUserToken(viewerName);
        assertThat(get("/api/apps/" + s.app() + "/releases", viewer).status()).isEqualTo(404);
        auth.grant(s.app(), viewerName, "viewer");
        assertThat(status(get("/api/apps/" + s.app() + "/releases", viewer), 200).path("items")).hasSize(2);
    }

    @Test
    void health_reportsTheBuildQueue() {
        JsonNode h = status(http.get("/health"), 200);
        JsonNode q = h.path("components").path("buildQueue");
        assertThat(q.path("status").asString()).isEqualTo("ok");
        assertThat(q.has("queued") && q.has("running") && q.has("oldestQueuedSeconds")).as(q.toString()).isTrue();
    }

    private static Map<String, Object> event(String app, String type, String release, long at, String message) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("appId", app);
        e.put("type", type);
        e.put("timestamp", at);
        e.put("eventId", java.util.UUID.randomUUID().toString());
        e.put("url", "https://shop.test/cart");
        e.put("sessionId", "s-" + java.util.UUID.randomUUID());
        if (message != null) {
            e.put("message", message);
            e.put("errorType", "TypeError");
        }
        if (release != null) {
            e.put("release", release);
        }
        return e;
    }
}
