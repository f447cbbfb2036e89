package dev.traceflow.builds;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestHttp;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Requests of the builds routes, for the API tests. */
public abstract class BuildsApiSupport extends ServerTest {

    protected TestHttp.Response post(String path, Object body, String token) {
        return http.post(path, body instanceof String s ? s : TestHttp.JSON.writeValueAsString(body), "Content-Type", "application/json",
                "Authorization", "Bearer " + token);
    }

    protected TestHttp.Response patch(String path, Object body, String token) {
        byte[] bytes = body instanceof String s ? s.getBytes(java.nio.charset.StandardCharsets.UTF_8) : TestHttp.JSON.writeValueAsBytes(body);
        return http.send("PATCH", path, bytes, "Content-Type", "application/json", "Authorization",
                "Bearer " + token);
    }

    protected TestHttp.Response get(String path, String token) {
        return http.get(path, "Authorization", "Bearer " + token);
    }

    protected TestHttp.Response delete(String path, String token) {
        return http.send("DELETE", path, null, "Authorization", "Bearer " + token);
    }

    protected static JsonNode status(TestHttp.Response r, int status) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        return r.status() == 204 ? null : r.json();
    }

    protected static void refused(TestHttp.Response r, int status, String code) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.json().path("code").asString()).as(r.toString()).isEqualTo(code);
        assertThat(r.json().has("traceId")).isTrue();
    }

    /** The build's stored log lines, read as a client does (GET /builds/{id}/logs, every page). */
    protected List<String> logLines(String buildId) {
        List<String> lines = new ArrayList<>();
        readLog(buildId, lines);
        return lines;
    }

    /** The status the build's log ended with (its last page says {@code done}), or null while it is open. */
    protected String logEndedAs(String buildId) {
        JsonNode last = readLog(buildId, new ArrayList<>());
        return last.path("done").asBoolean() ? last.path("status").asString() : null;
    }

    /** Reads every page into {@code lines}; returns the last page, the one with no lines left. */
    private JsonNode readLog(String buildId, List<String> lines) {
        long after = 0;
        while (true) {
            JsonNode page = status(get("/builds/" + buildId + "/logs?after=" + after, auth.admin()), 200);
            if (page.path("lines").isEmpty()) {
                return page;
            }
            page.path("lines").forEach(l -> lines.add(l.path("line").asString()));
            after = page.path("next").asLong();
        }
    }
}
