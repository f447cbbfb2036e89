package dev.traceflow.errors;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /api/errors*} over HTTP: events ingested through the collect API, groups formed by the
 * pipeline and the EventsStored listener, answers read with {@code fresh=true}.
 */
class ErrorsApiTest extends ServerTest {

    static final String CHROME_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/124.0.0.0 Safari/537.36";
    static final String FIREFOX_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
    static final String CHROME_STACK = "TypeError: cart is undefined\n    at render (https://shop.test/static/app.js:10:5)\n"
            + "    at https://shop.test/node_modules/lib/index.js:1:1";
    static final String FIREFOX_STACK = "render@https://shop.test/static/app.js:10:5\n@https://shop.test/node_modules/lib/index.js:1:1";

    /** app id -> ingest key, created once per server (apps outlive a test class). */
    private static final Map<String, String> KEYS = new ConcurrentHashMap<>();
    private static final long NOW = System.currentTimeMillis();

    private String key(String appId) {
        return KEYS.computeIfAbsent(appId, id -> {
            auth.createApp(id);
            return auth.createKey(id);
        });
    }

    private static Map<String, Object> error(String appId, long at, String message, String errorType, String stack,
                                             String userAgent, String userId) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("appId", appId);
        e.put("type", "error");
        e.put("timestamp", at);
        e.put("eventId", UUID.randomUUID().toString());
        e.put("url", "https://shop.test/cart?step=2");
        e.put("userAgent", userAgent);
        e.put("message", message);
        if (errorType != null) {
            e.put("errorType", errorType);
        }
        if (stack != null) {
            e.put("stack", stack);
        }
        if (userId != null) {
            e.put("userId", userId);
        }
        e.put("release", "1.0");
        return e;
    }

    private void send(String appId, List<Map<String, Object>> events) {
        TestHttp.Response r = http.post("/api/collect/batch", TestHttp.JSON.writeValueAsString(Map.of("events", events)),
                "Content-Type", "application/json", "X-TraceFlow-Key", key(appId));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().path("accepted").asInt()).isEqualTo(events.size());
    }

    /** App {@code errors-list}: the same TypeError seen by Chrome twice and Firefox once, and an untyped error twice. */
    private String listApp() {
        String app = "errors-list";
        if (!KEYS.containsKey(app)) {
            send(app, List.of(
                    error(app, NOW - 600_000, "cart is undefined", "TypeError", CHROME_STACK, CHROME_UA, "u1"),
                    error(app, NOW - 500_000, "cart is undefined", "TypeError", FIREFOX_STACK, FIREFOX_UA, "u2"),
                    error(app, NOW - 400_000, "cart is undefined (latest)", "TypeError", CHROME_STACK, CHROME_UA, "u1"),
                    error(app, NOW - 300_000, "Script error.", null, null, CHROME_UA, "u3"),
                    error(app, NOW - 200_000, "Script error.", null, null, CHROME_UA, null)));
        }
        return app;
    }

    private static String range() {
        return "&from=" + (NOW - 3_600_000) + "&to=" + (NOW + 3_600_000) + "&fresh=true";
    }

    private TestHttp.Response get(String path, String token) {
        return http.get(path, TestAuth.bearer(token));
    }

    private TestHttp.Response patch(String id, String body, String token) {
        return http.send("PATCH", "/api/errors/" + id, body.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json",
                "Authorization", "Bearer " + token);
    }

    private JsonNode ok(TestHttp.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private JsonNode list(String app, String extra) {
        return ok(get("/api/errors?appId=" + app + range() + extra, auth.admin()));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void list_answersEachGroupWithCountUsersAndStatus_theSameBugInChromeAndFirefoxAsOne() {
        JsonNode answer = list(listApp(), "&sort=count");

        assertThat(answer.path("total").asInt()).isEqualTo(2);
        JsonNode first = answer.path("items").get(0);
        assertThat(first.path("type").asString()).isEqualTo("TypeError");
        assertThat(first.path("message").asString()).isEqualTo("cart is undefined (latest)");
        assertThat(first.path("count").asLong()).isEqualTo(3);
        assertThat(first.path("users").asLong()).isEqualTo(2);
        assertThat(first.path("status").asString()).isEqualTo("unresolved");
        assertThat(first.path("fingerprint").asString()).hasSize(32);
        assertThat(first.path("firstSeen").asString()).isEqualTo(Instant.ofEpochMilli(NOW - 600_000).toString());
        assertThat(first.path("lastSeen").asString()).isEqualTo(Instant.ofEpochMilli(NOW - 400_000).toString());
        JsonNode second = answer.path("items").get(1);
        assertThat(second.path("type").asString()).isEqualTo("Error");
        assertThat(second.path("count").asLong()).isEqualTo(2);
        assertThat(second.path("users").asLong()).isEqualTo(1);
        assertThat(answer.path("nextCursor").isMissingNode()).as("no nextCursor on the last page").isTrue();
    }

    @Test
    void list_sortsAndFilters_andLeavesOutGroupsWithoutEventsInTheRange() {
        String app = listApp();
        list(app, ""); // loads

        assertThat(list(app, "&sort=lastSeen").path("items").get(0).path("type").asString()).isEqualTo("Error");
        assertThat(list(app, "&sort=count").path("items").get(0).path("type").asString()).isEqualTo("TypeError");
        JsonNode byFirstSeen = list(app, "&sort=firstSeen").path("items");
        assertThat(byFirstSeen.get(0).path("type").asString()).as("the newest group first").isEqualTo("Error");
        assertThat(byFirstSeen.get(1).path("type").asString()).isEqualTo("TypeError");
        JsonNode firefox = list(app, "&browser=Firefox");
        assertThat(firefox.path("total").asInt()).isEqualTo(1);
        assertThat(firefox.path("items").get(0).path("count").asLong()).isEqualTo(1);
        JsonNode early = ok(get("/api/errors?appId=" + app + "&from=" + (NOW - 3_600_000) + "&to=" + (NOW - 450_000), auth.admin()));
        assertThat(early.path("items")).hasSize(1);
        assertThat(early.path("items").get(0).path("count").asLong()).isEqualTo(2);
        assertThat(list(app, "&status=resolved").path("total").asInt()).isZero();
    }

    @Test
    void list_pagesWithSignedCursors_andRefusesEditedOnes() {
        String app = listApp();
        JsonNode page1 = list(app, "&sort=count&limit=1");
        String cursor = page1.path("nextCursor").asString();
        JsonNode page2 = list(app, "&sort=count&limit=1&cursor=" + enc(cursor));

        assertThat(page1.path("items")).hasSize(1);
        assertThat(page1.path("total").asInt()).isEqualTo(2);
        assertThat(page2.path("items")).hasSize(1);
        assertThat(page2.path("items").get(0).path("id").asString()).isNotEqualTo(page1.path("items").get(0).path("id").asString());
        assertThat(page2.path("nextCursor").isMissingNode()).as("no nextCursor on the last page").isTrue();

        char last = cursor.charAt(cursor.length() - 1);
        String edited = cursor.substring(0, cursor.length() - 1) + (last == 'A' ? 'B' : 'A');
        assertInvalid(get("/api/errors?appId=" + app + "&sort=count&limit=1&cursor=" + enc(edited), auth.admin()), "cursor");
        assertInvalid(get("/api/errors?appId=" + app + "&sort=lastSeen&limit=1&cursor=" + enc(cursor), auth.admin()), "cursor");
    }

    @Test
    void detail_answersLatestEventWithFrames_breakdownsAndSeries() {
        String app = listApp();
        JsonNode typeError = list(app, "&sort=count").path("items").get(0);
        String id = typeError.path("id").asString();

        JsonNode d = ok(get("/api/errors/" + id + "?granularity=hour" + range(), auth.admin()));

        assertThat(d.path("id").asString()).isEqualTo(id);
        assertThat(d.path("appId").asString()).isEqualTo(app);
        assertThat(d.path("count").asLong()).isEqualTo(3);
        assertThat(d.path("timesSeen").asLong()).isEqualTo(3);
        JsonNode latest = d.path("latestEvent");
        assertThat(latest.path("message").asString()).isEqualTo("cart is undefined (latest)");
        assertThat(latest.path("errorType").asString()).isEqualTo("TypeError");
        assertThat(latest.path("user").asString()).isEqualTo("u1");
        assertThat(latest.path("path").asString()).isEqualTo("/cart");
        JsonNode frames = latest.path("frames");
        assertThat(frames).hasSize(2);
        assertThat(frames.get(0).path("function").asString()).isEqualTo("render");
        assertThat(frames.get(0).path("file").asString()).isEqualTo("https://shop.test/static/app.js");
        assertThat(frames.get(0).path("line").asInt()).isEqualTo(10);
        assertThat(frames.get(0).path("column").asInt()).isEqualTo(5);
        assertThat(frames.get(0).path("inApp").asBoolean()).isTrue();
        assertThat(frames.get(1).path("inApp").asBoolean()).isFalse();
        JsonNode browsers = d.path("breakdowns").path("browser");
        assertThat(browsers.get(0).path("value").asString()).isEqualTo("Chrome");
        assertThat(browsers.get(0).path("count").asLong()).isEqualTo(2);
        assertThat(browsers.get(1).path("value").asString()).isEqualTo("Firefox");
        assertThat(d.path("breakdowns").path("release").get(0).path("value").asString()).isEqualTo("1.0");
        assertThat(d.path("breakdowns").path("os")).isNotEmpty();
        long total = 0;
        for (JsonNode bucket : d.path("series")) {
            total += bucket.path("count").asLong();
        }
        assertThat(d.path("series").size()).isBetween(2, 3); // two hours, three buckets when not aligned
        assertThat(total).isEqualTo(3);
        // appId is optional; when given it must be the group's
        assertThat(get("/api/errors/" + id + "?appId=" + app + range(), auth.admin()).status()).isEqualTo(200);
        assertThat(get("/api/errors/" + id + "?appId=demo" + range(), auth.admin()).status()).isEqualTo(404);
    }

    @Test
    void stats_countEventsGroupsUsersSeriesAndTypes() {
        JsonNode s = ok(get("/api/errors/stats?appId=" + listApp() + "&granularity=minute" + range(), auth.admin()));

        assertThat(s.path("total").asLong()).isEqualTo(5);
        assertThat(s.path("groups").asLong()).isEqualTo(2);
        assertThat(s.path("users").asLong()).isEqualTo(3);
        assertThat(s.path("series").size()).isBetween(120, 121); // two hours of minutes, one more when not aligned
        long total = 0;
        for (JsonNode bucket : s.path("series")) {
            total += bucket.path("count").asLong();
        }
        assertThat(total).isEqualTo(5);
        assertThat(s.path("byType").get(0).path("type").asString()).isEqualTo("TypeError");
        assertThat(s.path("byType").get(0).path("count").asLong()).isEqualTo(3);
        assertThat(s.path("byType").get(1).path("type").asString()).isEqualTo("Error");
        assertThat(s.path("byType").get(1).path("count").asLong()).isEqualTo(2);
    }

    @Test
    void aResolvedGroupThatGetsANewEvent_isUnresolvedAgain_withTheRegressionRecordedAndTheChangeAudited() {
        String app = "errors-regress";
        send(app, List.of(error(app, NOW - 60_000, "checkout failed", "RangeError", null, CHROME_UA, "u1")));
        String id = list(app, "").path("items").get(0).path("id").asString();

        JsonNode resolved = ok(patch(id, "{\"status\":\"resolved\"}", auth.admin()));
        assertThat(resolved.path("status").asString()).isEqualTo("resolved");
        assertThat(list(app, "&status=resolved").path("total").asInt()).isEqualTo(1);

        send(app, List.of(error(app, NOW - 30_000, "checkout failed", "RangeError", null, CHROME_UA, "u2")));

        JsonNode g = list(app, "").path("items").get(0);
        assertThat(g.path("id").asString()).isEqualTo(id);
        assertThat(g.path("status").asString()).isEqualTo("unresolved");
        assertThat(g.path("regressions").asInt()).isEqualTo(1);
        assertThat(Instant.parse(g.path("lastRegressedAt").asString())).isAfter(Instant.ofEpochMilli(NOW - 60_000));
        assertThat(g.path("count").asLong()).isEqualTo(2);
        JsonNode audits = ok(get("/audits?appId=" + app + "&action=error_group.status", auth.admin())).path("items");
        assertThat(audits).hasSize(1);
        assertThat(audits.get(0).path("resourceId").asString()).isEqualTo(id);
        assertThat(audits.get(0).path("details").path("before").asString()).isEqualTo("unresolved");
        assertThat(audits.get(0).path("details").path("after").asString()).isEqualTo("resolved");
    }

    @Test
    void viewersRead_editorsChangeStatus_othersSeeNothing() {
        String app = listApp();
        String id = list(app, "").path("items").get(0).path("id").asString();
        String viewer = TestAuth.uniqueName("err-viewer");
        String viewerToken = auth.newUserToken(viewer);
        auth.grant(app, viewer, "viewer");
        String editor = TestAuth.uniqueName("err-editor");
        String editorToken = auth.newUserToken(editor);
        auth.grant(app, editor, "editor");
        String outsider = auth.newUserToken(TestAuth.uniqueName("err-outsider"));

        assertThat(get("/api/errors?appId=" + app + range(), viewerToken).status()).isEqualTo(200);
        assertThat(get("/api/errors/" + id + "?granularity=hour" + range(), viewerToken).status()).isEqualTo(200);
        assertThat(get("/api/errors/stats?appId=" + app + range(), viewerToken).status()).isEqualTo(200);
        assertThat(patch(id, "{\"status\":\"ignored\"}", viewerToken).status()).isEqualTo(403);

        assertThat(get("/api/errors?appId=" + app + range(), outsider).status()).isEqualTo(404);
        assertThat(get("/api/errors/" + id + "?granularity=hour" + range(), outsider).status()).isEqualTo(404);
        assertThat(get("/api/errors/stats?appId=" + app + range(), outsider).status()).isEqualTo(404);
        assertThat(patch(id, "{\"status\":\"ignored\"}", outsider).status()).isEqualTo(404);
        assertThat(http.get("/api/errors?appId=" + app).status()).isEqualTo(401);

        assertThat(ok(patch(id, "{\"status\":\"ignored\"}", editorToken)).path("status").asString()).isEqualTo("ignored");
        assertThat(ok(patch(id, "{\"status\":\"unresolved\"}", editorToken)).path("status").asString()).isEqualTo("unresolved");
    }

    @Test
    void badInput_isA4xxInTheApiShape() {
        String app = listApp();
        String admin = auth.admin();
        String id = list(app, "").path("items").get(0).path("id").asString();

        assertInvalid(get("/api/errors?appId=" + app + "&sort=popularity", admin), "sort");
        assertInvalid(get("/api/errors?appId=" + app + "&limit=0", admin), "limit");
        assertInvalid(get("/api/errors?appId=" + app + "&limit=101", admin), "limit");
        assertInvalid(get("/api/errors?appId=" + app + "&status=open", admin), "status");
        assertInvalid(get("/api/errors?appId=" + app + "&cursor=not-a-cursor", admin), "cursor");
        assertInvalid(get("/api/errors?appId=" + app + "&from=" + NOW + "&to=" + (NOW - 1), admin), "from");
        assertInvalid(get("/api/errors", admin), "appId");
        assertInvalid(get("/api/errors/stats?appId=" + app + "&granularity=minute&from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
                admin), "granularity");
        assertInvalid(get("/api/errors/stats?appId=" + app + "&tz=Mars/Base", admin), "tz");
        assertInvalid(get("/api/errors/" + id + "?sort=count", admin), "sort");
        assertThat(get("/api/errors/not-a-number", admin).status()).isEqualTo(404);
        assertThat(get("/api/errors/999999999999", admin).status()).isEqualTo(404);
        assertThat(get("/api/errors?appId=no-such-app", admin).status()).isEqualTo(404);

        List<TestHttp.Response> bad = new ArrayList<>();
        bad.add(patch(id, "{\"status\":\"fixed\"}", admin));
        bad.add(patch(id, "{}", admin));
        bad.add(patch(id, "{\"status\":null}", admin));
        for (TestHttp.Response r : bad) {
            assertThat(r.status()).as(r.toString()).isEqualTo(422);
            assertThat(r.json().path("code").asString()).isEqualTo("VALIDATION_FAILED");
        }
        TestHttp.Response malformed = patch(id, "{\"status\":", admin);
        assertThat(malformed.status()).as(malformed.toString()).isEqualTo(400);
        assertThat(malformed.json().path("message").asString()).isNotBlank();
        assertThat(patch("12345678901234", "{\"status\":\"resolved\"}", admin).status()).isEqualTo(404);
    }

    private static void assertInvalid(TestHttp.Response r, String parameter) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.json().path("code").asString()).isEqualTo("INVALID_PARAMETER");
        assertThat(r.json().path("details").get(0).path("parameter").asString()).isEqualTo(parameter);
    }
}
