package dev.traceflow.builds;

import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /api/apps/{id}/releases}'s {@code telemetry.vitals}: what each release did to its users'
 * web vitals, computed as API.md defines web vitals (the last report of an id counts, the server
 * rates, the client's rating is ignored), with each p75's change against the release before.
 */
class ReleaseVitalsApiTest extends BuildsFixture {

    @Test
    void releases_showEachReleasesVitals_andTheirChangeAgainstThePreviousRelease() {
        Setup s = setup("build.sh");
        TwoReleases releases = twoReleases(s);
        String older = releases.olderRelease();
        String newer = releases.newerRelease();
        long now = System.currentTimeMillis();
        List<Map<String, Object>> events = List.of(
                vital(s.app(), older, now - 60_000, "LCP", 1000, "good", "a"),
                vital(s.app(), older, now - 30_000, "LCP", 6000, "good", "a"),   // the last report of "a": 1000 is gone
                vital(s.app(), older, now - 20_000, "LCP", 2000, "good", "b"),
                vital(s.app(), newer, now - 10_000, "LCP", 1000, "good", "c"),
                vital(s.app(), newer, now - 10_000, "LCP", 3000, "good", "d"),   // the client says good; 3000 is not
                vital(s.app(), newer, now - 10_000, "INP", 300, "good", "e"),
                vital(s.app(), "another", now - 10_000, "LCP", 9000, "poor", "f"),
                vital(s.app(), null, now - 10_000, "LCP", 9000, "poor", "g"));
        TestHttp.Response sent = http.post("/api/collect/batch", TestHttp.JSON.writeValueAsString(Map.of("events", events)),
                "Content-Type", "application/json", "X-TraceFlow-Key", auth.createKey(s.app()));
        assertThat(sent.status()).as(sent.toString()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(20)).until(() -> status(get("/api/apps/" + s.app() + "/releases", auth.admin()), 200)
                .path("items").path(0).path("telemetry").path("vitals").size() == 2);
        JsonNode items = status(get("/api/apps/" + s.app() + "/releases", auth.admin()), 200).path("items");
        assertThat(items.findValuesAsString("release")).containsExactly(newer, older);

        JsonNode olderVitals = items.get(1).path("telemetry").path("vitals");
        assertThat(olderVitals).hasSize(1);
        JsonNode olderLcp = olderVitals.get(0);
        // 2000 and 6000: p75 = 2000 + .75 * 4000 = 5000, poor; nothing older to compare with
        assertVital(olderLcp, "LCP", 2, 5000, "poor", 1, 0, 1);
        // nulls are left out of answers (spring.jackson default-property-inclusion)
        assertThat(olderLcp.has("p75Change")).as(olderLcp.toString()).isFalse();
        assertThat(olderLcp.has("previousRating")).as(olderLcp.toString()).isFalse();

        JsonNode newerVitals = items.get(0).path("telemetry").path("vitals");
        assertThat(newerVitals.findValuesAsString("name")).containsExactly("LCP", "INP");
        JsonNode newerLcp = newerVitals.get(0);
        // 1000 and 3000: p75 = 1000 + .75 * 2000 = 2500, exactly the good threshold
        assertVital(newerLcp, "LCP", 2, 2500, "good", 1, 1, 0);
        assertThat(newerLcp.path("p75Change").asDouble()).isCloseTo(2500 - 5000, within(1e-9));
        assertThat(newerLcp.path("previousRating").asString()).isEqualTo("poor");
        JsonNode inp = newerVitals.get(1);
        assertVital(inp, "INP", 1, 300, "needs-improvement", 0, 1, 0);
        assertThat(inp.has("p75Change")).as("no INP in the older release: %s", inp).isFalse();
    }

    private static void assertVital(JsonNode v, String name, long count, double p75, String rating, long good, long needsImprovement,
                                    long poor) {
        assertThat(v.path("name").asString()).isEqualTo(name);
        assertThat(v.path("count").asLong()).as("count of %s", v).isEqualTo(count);
        assertThat(v.path("p75").asDouble()).as("p75 of %s", v).isCloseTo(p75, within(1e-9));
        assertThat(v.path("rating").asString()).as("rating of %s", v).isEqualTo(rating);
        assertThat(List.of(v.path("good").asLong(), v.path("needsImprovement").asLong(), v.path("poor").asLong()))
                .as("good / ni / poor of %s", v).containsExactly(good, needsImprovement, poor);
    }

    private static Map<String, Object> vital(String app, String release, long at, String name, double value, String clientRating,
                                             String id) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("appId", app);
        e.put("type", "web-vital");
        e.put("timestamp", at);
        e.put("eventId", UUID.randomUUID().toString());
        e.put("url", "https://shop.test/cart");
        e.put("sessionId", "s-" + id);
        e.put("name", name);
        e.put("value", value);
        e.put("rating", clientRating);
        e.put("id", id);
        if (release != null) {
            e.put("release", release);
        }
        return e;
    }
}
