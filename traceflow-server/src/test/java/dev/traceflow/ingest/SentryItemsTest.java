package dev.traceflow.ingest;

import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * What Sentry's items become (issue 23, item 3), read back through the answers: an exception is an
 * error group with its frames newest first, Sentry's fingerprint groups as API.md's does, a message
 * is an error too, a page-load transaction is a page view and its web vitals, and a client report
 * fills the ingest outcomes. Payloads are shaped as @sentry/browser sends them.
 */
class SentryItemsTest extends IngestTestBase {

    private static String id() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    /** A new app, its key, and the envelope path for it. */
    private record Target(String appId, String key, String path) {
    }

    private Target newApp(String prefix) {
        String appId = TestAuth.uniqueName(prefix);
        String key = appKey(appId);
        return new Target(appId, key, "/api/" + apps.find(appId).orElseThrow().sentryProjectId() + "/envelope/");
    }

    private TestHttp.Response send(Target t, String... items) {
        StringBuilder envelope = new StringBuilder("{\"sent_at\":\"2026-12-01T00:00:00Z\"}");
        for (int i = 0; i < items.length; i += 2) {
            // with its length: these payloads span lines, as pretty-printed JSON may
            envelope.append("\n{\"type\":\"").append(items[i]).append("\",\"length\":")
                    .append(items[i + 1].getBytes(StandardCharsets.UTF_8).length).append("}\n").append(items[i + 1]);
        }
        TestHttp.Response r = http.post(t.path(), envelope.toString().getBytes(StandardCharsets.UTF_8),
                "X-Sentry-Auth", "Sentry sentry_key=" + t.key() + ", sentry_version=7", CT, "text/plain;charset=UTF-8",
                "User-Agent", CHROME_UA);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r;
    }

    private JsonNode read(String path, String appId) {
        long now = System.currentTimeMillis();
        // the ingest stats wait for loaded events themselves and take no fresh=true
        String fresh = path.startsWith("/api/ingest/stats") ? "" : "&fresh=true";
        TestHttp.Response r = http.get(path + (path.contains("?") ? "&" : "?") + "appId=" + appId + "&from=" + (now - 86_400_000L)
                + "&to=" + (now + 3_600_000L) + fresh, TestAuth.bearer(auth.admin()));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static double seconds() {
        return System.currentTimeMillis() / 1000.0;
    }

    /** An exception event as @sentry/browser sends an uncaught TypeError: frames oldest call first. */
    private static String typeError(String eventId, String extra) {
        return """
                {"event_id":"%s","timestamp":%s,"platform":"javascript","level":"error","release":"shop@1.2.0",
                 "environment":"production",
                 "exception":{"values":[{"type":"TypeError","value":"Cannot read properties of undefined (reading 'price')",
                   "stacktrace":{"frames":[
                     {"filename":"https://shop.example/assets/vendor.4f3a9c21.js","function":"dispatch","lineno":1,"colno":900,"in_app":true},
                     {"filename":"https://shop.example/assets/app.3f2a1b9c.js","function":"onClick","lineno":10,"colno":5,"in_app":true},
                     {"filename":"https://shop.example/assets/app.3f2a1b9c.js","function":"total","lineno":42,"colno":17,"in_app":true}]},
                   "mechanism":{"type":"auto.browser.global_handlers.onerror","handled":false}}]},
                 "request":{"url":"https://shop.example/cart?step=2","headers":{"User-Agent":"%s","Referer":"https://shop.example/"}},
                 "user":{"id":"u-17","email":"dana@shop.example","ip_address":"203.0.113.9","segment":"pro"},
                 "tags":{"region":"eu","plan":"pro"},
                 "contexts":{"browser":{"name":"Chrome","version":"124"}},
                 "breadcrumbs":[{"timestamp":%s,"category":"ui.click","message":"button#pay"}]%s}
                """.formatted(eventId, seconds(), CHROME_UA, seconds(), extra);
    }

    @Test
    void anException_becomesAnErrorGroup_withItsFramesNewestFirst_andItsDetailsAsEventData() {
        Target t = newApp("sentry-exc");
        String eventId = id();

        send(t, "event", typeError(eventId, ""));

        JsonNode groups = read("/api/errors", t.appId());
        assertThat(groups.path("items")).hasSize(1);
        JsonNode group = groups.path("items").get(0);
        assertThat(group.path("type").asString()).isEqualTo("TypeError");
        assertThat(group.path("message").asString()).isEqualTo("Cannot read properties of undefined (reading 'price')");
        JsonNode latest = read("/api/errors/" + group.path("id").asString(), t.appId()).path("latestEvent");
        assertThat(latest.path("eventId").asString()).isEqualTo(eventId);
        assertThat(latest.path("release").asString()).isEqualTo("shop@1.2.0");
        assertThat(latest.path("url").asString()).isEqualTo("https://shop.example/cart?step=2");
        assertThat(latest.path("browser").asString()).isEqualTo("Chrome");
        assertThat(latest.path("user").asString()).isEqualTo("u-17");
        assertThat(latest.path("frames").findValuesAsString("function")).containsExactly("total", "onClick", "dispatch");
        assertThat(latest.path("frames").get(0).path("line").asInt()).isEqualTo(42);
        assertThat(latest.path("frames").get(0).path("column").asInt()).isEqualTo(17);
        assertThat(latest.path("filename").asString()).isEqualTo("https://shop.example/assets/app.3f2a1b9c.js");
        assertThat(latest.path("lineno").asInt()).isEqualTo(42);
        // tags as properties; level, contexts, breadcrumbs and the user (no email, no IP) under metadata.sentry
        assertThat(latest.path("properties").path("region").asString()).isEqualTo("eu");
        JsonNode sentry = latest.path("metadata").path("sentry");
        assertThat(sentry.path("level").asString()).isEqualTo("error");
        assertThat(sentry.path("contexts").path("browser").path("version").asString()).isEqualTo("124");
        assertThat(sentry.path("breadcrumbs").get(0).path("message").asString()).isEqualTo("button#pay");
        assertThat(sentry.path("mechanism").path("handled").asBoolean(true)).isFalse();
        assertThat(sentry.path("user").path("segment").asString()).isEqualTo("pro");
        assertThat(latest.toString()).doesNotContain("dana@shop.example", "203.0.113.9");
    }

    @Test
    void theSameBug_fromAnotherDeployment_landsInTheSameGroup() {
        Target t = newApp("sentry-grp");

        send(t, "event", typeError(id(), ""));
        send(t, "event", typeError(id(), "").replace("app.3f2a1b9c.js", "app.77e0aa01.js").replace("lineno\":42", "lineno\":43"));

        JsonNode groups = read("/api/errors", t.appId()).path("items");
        assertThat(groups).hasSize(1);
        assertThat(groups.get(0).path("count").asInt()).isEqualTo(2);
    }

    @Test
    void sentrysFingerprint_overridesGrouping_andItsDefaultPlaceholderExtendsIt() {
        Target t = newApp("sentry-fp");

        // a custom fingerprint: two different errors, one group
        send(t, "event", typeError(id(), ",\"fingerprint\":[\"checkout-failure\"]"));
        send(t, "event", "{\"event_id\":\"" + id() + "\",\"message\":\"payment declined\",\"fingerprint\":[\"checkout-failure\"]}");
        // {{ default }} + region: the default group split by region
        send(t, "event", typeError(id(), ",\"fingerprint\":[\"{{ default }}\",\"eu\"]"));
        send(t, "event", typeError(id(), ",\"fingerprint\":[\"{{ default }}\",\"us\"]"));
        send(t, "event", typeError(id(), ",\"fingerprint\":[\"{{ default }}\",\"us\"]"));
        send(t, "event", typeError(id(), ""));

        JsonNode groups = read("/api/errors?sort=count", t.appId()).path("items");
        List<Integer> counts = new ArrayList<>();
        groups.forEach(g -> counts.add(g.path("count").asInt()));
        assertThat(counts).containsExactlyInAnyOrder(2, 1, 2, 1);
        assertThat(groups.findValuesAsString("fingerprint")).doesNotHaveDuplicates();
    }

    @Test
    void aCapturedMessage_isAnErrorEvent_groupedByItsMessage() {
        Target t = newApp("sentry-msg");

        send(t, "event", "{\"event_id\":\"" + id() + "\",\"message\":\"Checkout took 31 s\",\"level\":\"warning\"}");
        send(t, "event", "{\"event_id\":\"" + id() + "\",\"logentry\":{\"formatted\":\"Checkout took 45 s\"},\"level\":\"warning\"}");

        JsonNode groups = read("/api/errors", t.appId()).path("items");
        assertThat(groups).hasSize(1);
        assertThat(groups.get(0).path("count").asInt()).isEqualTo(2);
        assertThat(groups.get(0).path("type").asString()).isEqualTo("Error");
    }

    @Test
    void aPageLoadTransaction_isAPageView_andItsMeasurementsAreWebVitals() {
        Target t = newApp("sentry-tx");
        double start = seconds() - 2;
        String pageload = """
                {"event_id":"%s","type":"transaction","transaction":"/pricing","start_timestamp":%s,"timestamp":%s,
                 "contexts":{"trace":{"op":"pageload","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"}},
                 "measurements":{"lcp":{"value":2100.5,"unit":"millisecond"},"fcp":{"value":900,"unit":"millisecond"},
                   "cls":{"value":0.02,"unit":""},"ttfb":{"value":0.35,"unit":"second"},"ttfb.requestTime":{"value":12,"unit":"millisecond"},
                   "fp":{"value":850,"unit":"millisecond"}},
                 "request":{"url":"https://shop.example/pricing?utm_source=news"},"release":"shop@1.2.0"}
                """.formatted(id(), start, start + 1.5);
        String server = """
                {"event_id":"%s","type":"transaction","transaction":"GET /api/cart","start_timestamp":%s,"timestamp":%s,
                 "contexts":{"trace":{"op":"http.server","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b8"}}}
                """.formatted(id(), start, start + 0.2);
        String navigation = """
                {"event_id":"%s","type":"transaction","transaction":"/checkout","start_timestamp":%s,"timestamp":%s,
                 "contexts":{"trace":{"op":"navigation"}},"request":{"url":"https://shop.example/checkout"}}
                """.formatted(id(), start + 5, start + 5.3);

        TestHttp.Response r = send(t, "transaction", pageload, "transaction", server, "transaction", navigation);

        assertThat(r.json().path("accepted").asInt()).as("page view + vitals, nothing, page view").isEqualTo(3);
        assertThat(storedByType(t.appId())).containsOnly(Map.entry("pageview", 2L), Map.entry("performance", 1L));
        Map<String, JsonNode> vitals = new HashMap<>();
        read("/api/performance/web-vitals", t.appId()).path("metrics").forEach(m -> vitals.put(m.path("name").asString(), m));
        assertThat(vitals).containsOnlyKeys("LCP", "FCP", "CLS", "TTFB");
        assertThat(vitals.get("LCP").path("p75").asDouble()).isEqualTo(2100.5);
        assertThat(vitals.get("TTFB").path("p75").asDouble()).as("seconds become ms").isEqualTo(350.0);
        assertThat(vitals.get("CLS").path("p75").asDouble()).isEqualTo(0.02);
        JsonNode byPath = read("/api/metrics?metric=page_views&dimension=path", t.appId()).path("series");
        assertThat(byPath.findValuesAsString("dimensionValue")).contains("/pricing", "/checkout");
    }

    @Test
    void aClientReport_addsTheSdksOwnDiscards_toTheIngestOutcomes() {
        Target t = newApp("sentry-cr");
        String report = """
                {"timestamp":%s,"discarded_events":[
                  {"reason":"sample_rate","category":"transaction","quantity":7},
                  {"reason":"before_send","category":"error","quantity":2},
                  {"reason":"ratelimit_backoff","category":"error","quantity":1},
                  {"reason":"network_error","category":"error","quantity":3},
                  {"reason":"queue_overflow","category":"attachment","quantity":50},
                  {"reason":"sample_rate","category":"error","quantity":-4}]}
                """.formatted(seconds());

        send(t, "client_report", report);

        JsonNode stats = read("/api/ingest/stats", t.appId());
        assertThat(stats.path("sampled_out").asLong()).isEqualTo(7);
        assertThat(stats.path("filtered").asLong()).isEqualTo(2);
        assertThat(stats.path("rate_limited").asLong()).isEqualTo(1);
        assertThat(stats.path("client_discarded").asLong()).as("attachments are no events").isEqualTo(3);
        assertThat(stats.path("accepted").asLong()).isZero();
    }

    @Test
    void unknownFields_neverFailAnItem() {
        Target t = newApp("sentry-unk");

        TestHttp.Response r = send(t, "event", "{\"event_id\":\"" + id() + "\",\"message\":\"m\",\"brand_new\":{\"deep\":[1,{\"x\":2}]},"
                + "\"debug_meta\":{\"images\":[]},\"sdk\":{\"name\":\"sentry.javascript.browser\",\"version\":\"11.0.0\","
                + "\"integrations\":[\"a\"],\"packages\":[]},\"threads\":{\"values\":[]}}");

        assertThat(r.json().path("accepted").asInt()).isEqualTo(1);
    }

    @Test
    void sessions_giveReleaseHealth_perRelease() {
        Target t = newApp("sentry-rh");
        String now = Instant.now().toString();
        String later = Instant.now().plusSeconds(5).toString();
        String attrs = ",\"attrs\":{\"release\":\"shop@2.0.0\",\"environment\":\"production\",\"user_agent\":\"" + CHROME_UA + "\"}";
        // as @sentry/browser sends them: a page load starts a session, an uncaught error crashes it
        send(t, "session", "{\"sid\":\"a1\",\"init\":true,\"started\":\"" + now + "\",\"timestamp\":\"" + now
                + "\",\"status\":\"ok\",\"errors\":0,\"did\":\"u1\"" + attrs + "}");
        send(t, "session", "{\"sid\":\"a1\",\"init\":false,\"started\":\"" + now + "\",\"timestamp\":\"" + later
                + "\",\"status\":\"crashed\",\"errors\":1,\"did\":\"u1\"" + attrs + "}");
        send(t, "session", "{\"sid\":\"a2\",\"init\":true,\"started\":\"" + now + "\",\"timestamp\":\"" + now
                + "\",\"status\":\"ok\",\"errors\":0,\"did\":\"dana@shop.example\"" + attrs + "}");
        // as server SDKs count request sessions
        send(t, "sessions", "{\"aggregates\":[{\"started\":\"" + now + "\",\"did\":\"u2\",\"exited\":6,\"errored\":1}]" + attrs + "}");
        // a retried envelope counts once; an update without a release is refused
        send(t, "session", "{\"sid\":\"a2\",\"init\":true,\"started\":\"" + now + "\",\"timestamp\":\"" + now
                + "\",\"status\":\"ok\",\"errors\":0,\"did\":\"dana@shop.example\"" + attrs + "}");
        TestHttp.Response noRelease = send(t, "session", "{\"sid\":\"a3\",\"init\":true,\"attrs\":{}}");

        assertThat(noRelease.json().path("errors").get(0).path("code").asString()).isEqualTo("MISSING_FIELD");
        JsonNode items = read("/api/releases/health", t.appId()).path("items");
        assertThat(items).hasSize(1);
        JsonNode release = items.get(0);
        assertThat(release.path("release").asString()).isEqualTo("shop@2.0.0");
        assertThat(release.path("sessions").asLong()).isEqualTo(9);
        assertThat(release.path("crashed").asLong()).isEqualTo(1);
        assertThat(release.path("errored").asLong()).isEqualTo(1);
        assertThat(release.path("healthy").asLong()).isEqualTo(7);
        assertThat(release.path("users").asLong()).as("u1 and u2; an email is kept as no user").isEqualTo(2);
        assertThat(release.path("crashedUsers").asLong()).isEqualTo(1);
        assertThat(release.path("crashFreeSessionRate").asDouble()).isCloseTo(8.0 / 9, within(1e-9));
        assertThat(release.path("crashFreeUserRate").asDouble()).isEqualTo(0.5);
    }

    @Test
    void streamedSpans_asSdk11SendsThePageLoad_areAPageViewAndWebVitals() {
        Target t = newApp("sentry-span");
        double start = seconds() - 3;
        String attributes = "\"sentry.release\":{\"value\":\"shop@4.0.0\",\"type\":\"string\"},"
                + "\"url.full\":{\"value\":\"https://shop.example/pricing\",\"type\":\"string\"},"
                + "\"user_agent.original\":{\"value\":\"" + CHROME_UA + "\",\"type\":\"string\"}";
        String container = """
                {"version":2,"ingest_settings":{"infer_ip":"auto"},"items":[
                 {"name":"Pageload","span_id":"8b6a6bcebdeefb7c","trace_id":"4e0326d565a54ca5bc70dfd2b670cbf2","is_segment":true,
                  "start_timestamp":%s,"end_timestamp":%s,"status":"ok","attributes":{
                   "sentry.op":{"value":"pageload","type":"string"},%s,
                   "browser.web_vital.ttfb.value":{"value":607.6,"type":"double"},
                   "browser.web_vital.fcp.value":{"value":1032,"type":"integer"},
                   "browser.web_vital.ttfb.request_time":{"value":2.8,"type":"double"}}},
                 {"name":"first-paint","span_id":"88e3efa316d3fd88","trace_id":"4e0326d565a54ca5bc70dfd2b670cbf2","is_segment":false,
                  "start_timestamp":%s,"end_timestamp":%s,"attributes":{"sentry.op":{"value":"browser.paint","type":"string"}}},
                 {"name":"POST /api/cart","span_id":"9874deeaad96a1f2","trace_id":"4e0326d565a54ca5bc70dfd2b670cbf2","is_segment":true,
                  "start_timestamp":%s,"end_timestamp":%s,"attributes":{"sentry.op":{"value":"http.client","type":"string"}}}]}
                """.formatted(start, start + 2, attributes, start, start + 1, start + 2, start + 2.1);
        // how SDKs 8-10 sent a standalone web vital: one span with its measurements
        String standalone = """
                {"span_id":"aa00aa00aa00aa00","trace_id":"4e0326d565a54ca5bc70dfd2b670cbf2","op":"ui.webvital.lcp",
                 "start_timestamp":%s,"timestamp":%s,"measurements":{"lcp":{"value":2200,"unit":"millisecond"}},
                 "data":{"sentry.release":"shop@4.0.0","url.full":"https://shop.example/pricing"}}
                """.formatted(start + 1, start + 1);

        TestHttp.Response r = send(t, "span", container, "span", standalone);

        assertThat(r.json().path("accepted").asInt()).as("page view + its vitals, the LCP").isEqualTo(3);
        assertThat(storedByType(t.appId())).containsOnly(Map.entry("pageview", 1L), Map.entry("performance", 2L));
        Map<String, JsonNode> vitals = new HashMap<>();
        read("/api/performance/web-vitals?release=shop@4.0.0", t.appId()).path("metrics")
                .forEach(m -> vitals.put(m.path("name").asString(), m));
        assertThat(vitals).containsOnlyKeys("FCP", "TTFB", "LCP");
        assertThat(vitals.get("TTFB").path("p75").asDouble()).isEqualTo(607.6);
        assertThat(vitals.get("LCP").path("p75").asDouble()).isEqualTo(2200.0);
    }

    @Test
    void aggregatesOfUnhandledSessions_countAsErrored_notCrashed() {
        Target t = newApp("sentry-agg");
        String now = Instant.now().toString();

        send(t, "sessions", "{\"aggregates\":[{\"started\":\"" + now + "\",\"exited\":2,\"unhandled\":3,\"crashed\":1}],"
                + "\"attrs\":{\"release\":\"api@9\"}}");

        JsonNode release = read("/api/releases/health", t.appId()).path("items").get(0);
        assertThat(release.path("sessions").asLong()).isEqualTo(6);
        assertThat(release.path("errored").asLong()).isEqualTo(3);
        assertThat(release.path("crashed").asLong()).isEqualTo(1);
    }
}
