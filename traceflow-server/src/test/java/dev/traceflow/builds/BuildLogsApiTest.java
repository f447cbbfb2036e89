package dev.traceflow.builds;

import dev.traceflow.builds.internal.run.BuildLogSink.LogLine;
import dev.traceflow.builds.internal.run.JdbcBuildLogStore;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /builds/{id}/logs} and the archive download, over real HTTP. */
class BuildLogsApiTest extends BuildsApiSupport {

    @Autowired
    JdbcBuildLogStore store;

    private String build(String appId) {
        String id = UUID.randomUUID().toString();
        FakeBuildDirectory.BUILDS.add(id, appId);
        return id;
    }

    private static List<LogLine> lines(String... texts) {
        return java.util.Arrays.stream(texts).map(t -> new LogLine(Instant.parse("2026-12-05T01:00:00Z"), "info", "build", t)).toList();
    }

    @Test
    void pagesAfterACursor_thenDoneWithTheStatus_andTheArchive() {
        String app = TestAuth.uniqueName("logs").toLowerCase();
        auth.createApp(app);
        String id = build(app);
        store.registerSecrets(id, List.of("the-secret-value"));
        store.append(id, 1, 1, lines("one", "two the-secret-value", "three"));

        JsonNode all = status(get("/builds/" + id + "/logs", auth.admin()), 200);
        assertThat(all.path("lines")).hasSize(3);
        assertThat(all.path("lines").get(1).path("line").asString()).isEqualTo("two [MASKED]");
        assertThat(all.path("lines").get(0).path("cursor").asLong()).isEqualTo(1);
        assertThat(all.path("lines").get(0).path("ts").asString()).isEqualTo("2026-12-05T01:00:00Z");
        assertThat(all.path("lines").get(0).path("level").asString()).isEqualTo("info");
        assertThat(all.path("lines").get(0).path("stage").asString()).isEqualTo("build");
        assertThat(all.path("next").asLong()).isEqualTo(3);
        assertThat(all.path("done").asBoolean()).isFalse();

        JsonNode page = status(get("/builds/" + id + "/logs?after=1&limit=1", auth.admin()), 200);
        assertThat(page.path("lines")).hasSize(1);
        assertThat(page.path("lines").get(0).path("cursor").asLong()).isEqualTo(2);
        assertThat(page.path("next").asLong()).isEqualTo(2);

        refused(get("/builds/" + id + "/logs/archive", auth.admin()), 404, "LOG_NOT_ARCHIVED");
        store.finish(id, "success");
        JsonNode done = status(get("/builds/" + id + "/logs?after=3", auth.admin()), 200);
        assertThat(done.path("lines")).isEmpty();
        assertThat(done.path("done").asBoolean()).isTrue();
        assertThat(done.path("status").asString()).isEqualTo("success");

        TestHttp.Response archive = get("/builds/" + id + "/logs/archive", auth.admin());
        assertThat(archive.status()).isEqualTo(200);
        assertThat(archive.header("Content-Type")).startsWith("text/plain");
        assertThat(archive.body()).isEqualTo("2026-12-05T01:00:00Z info build one\n2026-12-05T01:00:00Z info build two [MASKED]\n"
                + "2026-12-05T01:00:00Z info build three\n");
        assertThat(get("/audits?resourceType=build", auth.admin()).body()).contains("build.logs.download");
    }

    @Test
    void readPermission_isTheBuildsApps_andOthersSeeNoBuild() {
        String app = TestAuth.uniqueName("logs").toLowerCase();
        auth.createApp(app);
        String id = build(app);
        store.append(id, 1, 1, lines("hello"));

        String viewer = TestAuth.uniqueName("viewer");
        String viewerToken = auth.newUserToken(viewer);
        auth.grant(app, viewer, "viewer");
        assertThat(status(get("/builds/" + id + "/logs", viewerToken), 200).path("lines")).hasSize(1);

        String stranger = auth.newUserToken(TestAuth.uniqueName("stranger"));
        refused(get("/builds/" + id + "/logs", stranger), 404, "NOT_FOUND");
        refused(get("/builds/" + id + "/logs/archive", stranger), 404, "NOT_FOUND");
        assertThat(http.get("/builds/" + id + "/logs").status()).isEqualTo(401);
    }

    @Test
    void unknownBuilds_andBadParameters() {
        refused(get("/builds/" + UUID.randomUUID() + "/logs", auth.admin()), 404, "NOT_FOUND");
        refused(get("/builds/not.an!id/logs", auth.admin()), 404, "NOT_FOUND");
        String app = TestAuth.uniqueName("logs").toLowerCase();
        auth.createApp(app);
        String id = build(app);
        refused(get("/builds/" + id + "/logs?after=-1", auth.admin()), 400, "INVALID_PARAMETER");
        refused(get("/builds/" + id + "/logs?after=x", auth.admin()), 400, "INVALID_PARAMETER");
        refused(get("/builds/" + id + "/logs?limit=0", auth.admin()), 400, "INVALID_PARAMETER");
        refused(get("/builds/" + id + "/logs?limit=100000", auth.admin()), 400, "INVALID_PARAMETER");
        JsonNode empty = status(get("/builds/" + id + "/logs", auth.admin()), 200);
        assertThat(empty.path("lines")).isEmpty();
        assertThat(empty.path("next").asLong()).isZero();
    }
}
