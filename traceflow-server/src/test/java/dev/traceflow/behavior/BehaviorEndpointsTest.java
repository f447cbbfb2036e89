package dev.traceflow.behavior;

import dev.traceflow.core.query.Sessionizer;
import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The user behaviour endpoints over HTTP: events go in through the real ingest API, answers come
 * out with {@code fresh=true}. One app per test class run (the server is shared), one dataset:
 *
 * <ul>
 *   <li>s1 (user u1) at base+0: / then /products 30 s later, a click on /products;</li>
 *   <li>s2..s6 at base+1..5 min: one page view of / each (bounces);</li>
 *   <li>anonymous a7 (no sessionId) at base+10 min: /pricing, 2 clicks on /pricing, /products at +11 min.</li>
 * </ul>
 */
class BehaviorEndpointsTest extends ServerTest {

    private static final String CHROME_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/124.0.0.0 Safari/537.36";
    private static final Map<String, Instant> DATASETS = new ConcurrentHashMap<>();

    private final String app = "behavior-endpoints";
    private Instant base;

    @BeforeEach
    void dataset() {
        base = DATASETS.computeIfAbsent(app, id -> {
            Instant at = CLOCK.instant().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.HOURS);
            auth.createApp(id);
            String key = auth.createKey(id);
            List<Map<String, Object>> events = new ArrayList<>();
            events.add(event("pageview", at, "/", "sessionId", "s1", "userId", "u1"));
            events.add(event("pageview", at.plusSeconds(30), "/products", "sessionId", "s1", "userId", "u1"));
            events.add(event("click", at.plusSeconds(40), "/products", "sessionId", "s1", "x", 640, "y", 360,
                    "viewportWidth", 1280, "viewportHeight", 720, "selector", "#buy"));
            for (int i = 2; i <= 6; i++) {
                events.add(event("pageview", at.plusSeconds(60L * (i - 1)), "/", "sessionId", "s" + i));
            }
            Instant anon = at.plusSeconds(600);
            events.add(event("pageview", anon, "/pricing", "anonymousId", "a7"));
            events.add(event("click", anon.plusSeconds(5), "/pricing", "anonymousId", "a7", "x", 0, "y", 0,
                    "viewportWidth", 1000, "viewportHeight", 800));
            events.add(event("click", anon.plusSeconds(6), "/pricing", "anonymousId", "a7", "x", 999.5, "y", 2000,
                    "viewportWidth", 1000, "viewportHeight", 800));
            events.add(event("pageview", anon.plusSeconds(60), "/products", "anonymousId", "a7"));
            TestHttp.Response r = http.post("/api/collect/batch", TestHttp.JSON.writeValueAsString(Map.of("events", events)),
                    "X-TraceFlow-Key", key, "Content-Type", "application/json");
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            assertThat(r.json().path("accepted").asInt()).as(r.toString()).isEqualTo(events.size());
            return at;
        });
    }

    private Map<String, Object> event(String type, Instant at, String path, Object... kv) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("appId", app);
        e.put("type", type);
        e.put("timestamp", at.toEpochMilli());
        e.put("url", "https://shop.test" + path + "?ref=x");
        e.put("userAgent", CHROME_UA);
        for (int i = 0; i < kv.length; i += 2) {
            e.put((String) kv[i], kv[i + 1]);
        }
        return e;
    }

    private String range() {
        return "appId=" + app + "&from=" + base.toEpochMilli() + "&to=" + base.plus(Duration.ofHours(1)).toEpochMilli()
                + "&fresh=true";
    }

    private TestHttp.Response get(String path) {
        return http.get(path, TestAuth.bearer(auth.admin()));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private String anonymousSession() {
        return Sessionizer.computedId("a7", base.plusSeconds(600).toEpochMilli());
    }

    @Test
    void sessions_listNewestFirst_withTotalAndEachSessionsNumbers() {
        TestHttp.Response r = get("/api/sessions?" + range());

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.path("total").asLong()).isEqualTo(7);
        assertThat(ids(body)).containsExactly(anonymousSession(), "s6", "s5", "s4", "s3", "s2", "s1");
        assertThat(body.path("nextCursor").isNull()).isTrue();
        JsonNode s1 = body.path("items").get(6);
        assertThat(s1.path("userId").asString()).isEqualTo("u1");
        assertThat(Instant.parse(s1.path("startTime").asString())).isEqualTo(base);
        assertThat(Instant.parse(s1.path("endTime").asString())).isEqualTo(base.plusSeconds(40));
        assertThat(s1.path("duration").asDouble()).isEqualTo(40.0);
        assertThat(s1.path("pageViews").asLong()).isEqualTo(2);
        assertThat(s1.path("events").asLong()).isEqualTo(3);
        assertThat(s1.path("bounced").asBoolean()).isFalse();
        assertThat(s1.path("engaged").asBoolean()).isTrue();
        assertThat(s1.path("entryPage").asString()).isEqualTo("/");
        assertThat(s1.path("exitPage").asString()).isEqualTo("/products");
        JsonNode s2 = body.path("items").get(5);
        assertThat(s2.path("bounced").asBoolean()).isTrue();
        assertThat(s2.path("engaged").asBoolean()).isFalse();
        assertThat(s2.has("userId")).as("userId present as null: %s", s2).isTrue();
        assertThat(s2.path("userId").isNull()).isTrue();
    }

    @Test
    void sessions_filterOnTheEntryPage() {
        TestHttp.Response r = get("/api/sessions?" + range() + "&path=" + enc("/pricing"));

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(ids(r.json())).containsExactly(anonymousSession());
        assertThat(r.json().path("total").asLong()).isEqualTo(1);
    }

    @Test
    void sessions_pageWithTheCursor_withoutDuplicatesOrGaps() {
        List<String> seen = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 5; page++) {
            TestHttp.Response r = get("/api/sessions?" + range() + "&limit=3" + (cursor == null ? "" : "&cursor=" + enc(cursor)));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.json().path("total").asLong()).isEqualTo(7);
            seen.addAll(ids(r.json()));
            sizes.add(r.json().path("items").size());
            JsonNode next = r.json().path("nextCursor");
            if (next.isNull()) {
                break;
            }
            cursor = next.asString();
        }

        assertThat(sizes).containsExactly(3, 3, 1);
        assertThat(seen).containsExactly(anonymousSession(), "s6", "s5", "s4", "s3", "s2", "s1");
    }

    @Test
    void sessions_refuseATamperedCursor_andLimitsOutOfRange() {
        String cursor = get("/api/sessions?" + range() + "&limit=2").json().path("nextCursor").asString();
        char last = cursor.charAt(cursor.length() - 1);
        String tampered = cursor.substring(0, cursor.length() - 1) + (last == 'A' ? 'B' : 'A');

        assertInvalid(get("/api/sessions?" + range() + "&cursor=" + enc(tampered)), "cursor");
        assertInvalid(get("/api/sessions?" + range() + "&cursor=not-a-cursor"), "cursor");
        assertInvalid(get("/api/sessions?" + range() + "&limit=0"), "limit");
        assertInvalid(get("/api/sessions?" + range() + "&limit=101"), "limit");
        assertInvalid(get("/api/sessions?" + range() + "&limit=ten"), "limit");
        assertInvalid(get("/api/sessions?" + range() + "&sort=start"), "sort");
        assertInvalid(get("/api/sessions?appId=" + app + "&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"), "from");
        assertInvalid(get("/api/sessions?appId=" + app + "&from=yesterday"), "from");
        assertThat(get("/api/sessions?" + range() + "&limit=100").status()).isEqualTo(200);
    }

    @Test
    void session_answersItsEventsInTimeOrder_withTheirFields() {
        TestHttp.Response r = get("/api/sessions/" + anonymousSession() + "?" + range());

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode session = r.json().path("session");
        assertThat(session.path("id").asString()).isEqualTo(anonymousSession());
        assertThat(session.path("pageViews").asLong()).isEqualTo(2);
        assertThat(session.path("events").asLong()).isEqualTo(4);
        JsonNode events = r.json().path("events");
        assertThat(events.size()).isEqualTo(4);
        List<String> types = new ArrayList<>();
        events.forEach(e -> types.add(e.path("type").asString()));
        assertThat(types).containsExactly("pageview", "click", "click", "pageview");
        JsonNode click = events.get(2);
        assertThat(Instant.parse(click.path("timestamp").asString())).isEqualTo(base.plusSeconds(606));
        assertThat(click.path("path").asString()).isEqualTo("/pricing");
        assertThat(click.path("url").asString()).isEqualTo("https://shop.test/pricing?ref=x");
        assertThat(click.path("x").asDouble()).isEqualTo(999.5);
        assertThat(click.path("y").asDouble()).isEqualTo(2000.0);
        assertThat(click.path("viewportWidth").asInt()).isEqualTo(1000);
        assertThat(click.path("viewportHeight").asInt()).isEqualTo(800);
        assertThat(click.path("eventId").isMissingNode()).isTrue();
        assertThat(events.get(3).path("path").asString()).isEqualTo("/products");
    }

    @Test
    void session_isFoundInTheLastSevenDaysByDefault_and404WhenNoSessionHasTheId() {
        TestHttp.Response byDefault = get("/api/sessions/s1?appId=" + app + "&fresh=true");
        TestHttp.Response tooEarly = get("/api/sessions/s1?appId=" + app + "&from=" + base.plusSeconds(1).toEpochMilli()
                + "&to=" + base.plus(Duration.ofHours(1)).toEpochMilli());

        assertThat(byDefault.status()).as(byDefault.toString()).isEqualTo(200);
        assertThat(byDefault.json().path("events").size()).isEqualTo(3);
        assertThat(byDefault.json().path("events").get(2).path("selector").asString()).isEqualTo("#buy");
        assertApiError(tooEarly, 404, "NOT_FOUND");
        assertApiError(get("/api/sessions/no-such-session?" + range()), 404, "NOT_FOUND");
        assertApiError(get("/api/sessions/" + "x".repeat(300) + "?" + range()), 404, "NOT_FOUND");
    }

    @Test
    void paths_countTransitionsMostFrequentFirst() {
        TestHttp.Response r = get("/api/user-behavior/paths?" + range());

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<String> rows = new ArrayList<>();
        r.json().path("transitions").forEach(t -> rows.add(t.path("from").asString() + " > " + t.path("to").asString()
                + " " + t.path("count").asLong()));
        assertThat(rows).containsExactly("(entry) > / 6", "(entry) > /pricing 1", "/ > /products 1", "/pricing > /products 1");
        assertThat(get("/api/user-behavior/paths?" + range() + "&limit=1").json().path("transitions").size()).isEqualTo(1);
        assertInvalid(get("/api/user-behavior/paths?" + range() + "&limit=0"), "limit");
        assertInvalid(get("/api/user-behavior/paths?" + range() + "&limit=1001"), "limit");
    }

    @Test
    void heatmap_countsClicksOfThePageOnTheGrid_andNeedsAPath() {
        TestHttp.Response r = get("/api/user-behavior/heatmap?" + range() + "&path=" + enc("/pricing"));

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.path("path").asString()).isEqualTo("/pricing");
        assertThat(body.path("clicks").asLong()).isEqualTo(2);
        List<String> cells = new ArrayList<>();
        body.path("cells").forEach(c -> cells.add(c.path("x").asInt() + "," + c.path("y").asInt() + ":" + c.path("count").asLong()));
        // (0, 0); 999.5 / 1000 -> 99, 2000 / 800 -> 250 clamped to 99
        assertThat(cells).containsExactly("0,0:1", "99,99:1");
        assertInvalid(get("/api/user-behavior/heatmap?" + range()), "path");
        assertThat(get("/api/user-behavior/heatmap?" + range() + "&path=" + enc("/products")).json().path("clicks").asLong())
                .isEqualTo(1);
    }

    @Test
    void everyEndpoint_is404ForAnAppTheCallerCannotRead_andOpenToAViewer() {
        String stranger = TestAuth.uniqueName("stranger");
        String strangerToken = auth.newUserToken(stranger);
        String viewer = TestAuth.uniqueName("viewer");
        String viewerToken = auth.newUserToken(viewer);
        auth.grant(app, viewer, "viewer");
        List<String> paths = List.of("/api/sessions?" + range(), "/api/sessions/s1?" + range(),
                "/api/user-behavior/paths?" + range(), "/api/user-behavior/heatmap?" + range() + "&path=/pricing");

        for (String path : paths) {
            assertApiError(http.get(path, TestAuth.bearer(strangerToken)), 404, "NOT_FOUND");
            TestHttp.Response viewed = http.get(path, TestAuth.bearer(viewerToken));
            assertThat(viewed.status()).as(path + ": " + viewed).isEqualTo(200);
            assertThat(http.get(path).status()).as(path).isEqualTo(401);
        }
        assertApiError(get("/api/sessions?appId=no-such-app-here"), 404, "NOT_FOUND");
        assertInvalid(get("/api/sessions"), "appId");
    }

    @Test
    void openapi_describesEachParameterAndTheRole() {
        JsonNode paths = http.get("/openapi.json").json().path("paths");
        Map<String, List<String>> expected = Map.of(
                "/api/sessions", List.of("appId", "from", "to", "limit", "cursor", "path", "browser", "fresh"),
                "/api/sessions/{id}", List.of("id", "appId", "from", "to", "path"),
                "/api/user-behavior/paths", List.of("appId", "from", "to", "limit", "deviceType"),
                "/api/user-behavior/heatmap", List.of("appId", "path", "from", "to", "country"));

        expected.forEach((path, parameters) -> {
            JsonNode get = paths.path(path).path("get");
            List<String> names = new ArrayList<>();
            get.path("parameters").forEach(p -> {
                names.add(p.path("name").asString());
                assertThat(p.path("description").asString()).as(path + " " + p).isNotBlank();
            });
            assertThat(names).as(path).containsAll(parameters).doesNotContain("params");
            assertThat(get.path("description").asString()).as(path).contains("Role: viewer");
        });
    }

    private static List<String> ids(JsonNode body) {
        List<String> ids = new ArrayList<>();
        body.path("items").forEach(i -> ids.add(i.path("id").asString()));
        return ids;
    }

    private static void assertInvalid(TestHttp.Response r, String parameter) {
        JsonNode body = assertApiError(r, 400, "INVALID_PARAMETER");
        assertThat(body.path("details").get(0).path("parameter").asString()).as(r.toString()).isEqualTo(parameter);
    }

    private static JsonNode assertApiError(TestHttp.Response r, int status, String code) {
        assertThat(r.status()).as("status of %s", r).isEqualTo(status);
        JsonNode body = r.json();
        assertThat(body.path("code").asString()).as("code in %s", r).isEqualTo(code);
        assertThat(body.path("message").asString()).as("message in %s", r).isNotBlank();
        assertThat(body.path("details").isArray()).as("details array in %s", r).isTrue();
        assertThat(body.path("traceId").asString()).as("traceId in %s", r).isNotBlank();
        assertThat(r.body()).doesNotContain("Exception", "\tat ");
        return body;
    }
}
