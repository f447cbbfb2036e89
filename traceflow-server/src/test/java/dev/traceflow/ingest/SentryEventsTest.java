package dev.traceflow.ingest;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The parts of Sentry's event payloads the HTTP tests cannot see: what is kept as event data, and in what bounds. */
class SentryEventsTest {

    private static final int MAX_DEPTH = 8;

    /** An event item's payload read as the envelope path reads it: only what the error mapping reads is built. */
    private static FieldReader json(String json) {
        return json(json, SentryEvents.ERROR_FIELDS);
    }

    private static FieldReader json(String json, JsonShape shape) {
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        return new FieldReader(new SentryEnvelope.Item("event", Map.of(), payload).json(shape));
    }

    private static Event error(String json) {
        return error(json(json));
    }

    private static Event error(FieldReader payload) {
        return new SentryEvents("shop", "header-UA", 1_764_806_400_000L, MAX_DEPTH).error(payload, 0, 100);
    }

    /** What an SDK sends beside what is kept: integrations, packages, frame context and variables, modules, debug images... */
    private static final String RICH_EVENT = """
            {"event_id":"0f2a4c1e9b8d4e7fa1b2c3d4e5f60718","timestamp":1764806399.25,"platform":"node","level":"fatal",
             "logger":"worker","server_name":"web-3","release":"shop@2.4.1","environment":"production","transaction":"GET /cart",
             "exception":[{"type":"IOError","value":"disk full","module":"fs","thread_id":1,
               "mechanism":{"type":"onunhandledrejection","handled":false,"data":{"promise":"[object Promise]"}},
               "stacktrace":{"registers":{"rip":"0x1"},"frames":[
                 {"filename":"node:internal/process/task_queues","abs_path":"node:internal/process/task_queues","function":"processTicks",
                  "lineno":95,"colno":5,"in_app":false,"module":"task_queues","context_line":"  run();",
                  "pre_context":["a","b"],"post_context":["c"],"vars":{"x":{"deep":[1,2,3]}}},
                 "not a frame",
                 {"filename":"app:///save.js","abs_path":"/srv/app/save.js","function":"?","lineno":12.0,"colno":-1,"in_app":true,
                  "data":{"sourcemap":"save.js.map"}}]}}],
             "message":{"formatted":"unused because an exception names the error","params":[1]},
             "fingerprint":["{{ default }}","eu",3],
             "tags":[["region","eu"],["build",42],["bad"]],
             "user":{"id":"u-7","username":"dana","email":"dana@shop.example","ip_address":"{{auto}}","geo":{"city":"Berlin"}},
             "request":{"url":"https://shop.example/cart","method":"POST","data":{"card":"[Filtered]"},"cookies":"sid=1",
               "headers":[["USER-AGENT","Mozilla/5.0 (X11)"],["Referer","https://shop.example/"],["Cookie","sid=1"]]},
             "contexts":{"os":{"name":"Linux"},"trace":{"trace_id":"abc","span_id":"def"}},
             "extra":{"cartSize":3},"breadcrumbs":{"values":[{"category":"nav","message":"to /cart"}]},
             "sdk":{"name":"sentry.javascript.node","version":"11.0.0","integrations":["Http","Console"],
               "packages":[{"name":"npm:@sentry/node","version":"11.0.0"}],"settings":{"infer_ip":"never"}},
             "modules":{"express":"5.1.0","react":"19.0.0"},"debug_meta":{"images":[{"type":"sourcemap","code_file":"app:///save.js"}]},
             "spans":[{"op":"db","description":"SELECT 1"}],"measurements":{"lcp":{"value":1}}}
            """;

    @Test
    void anEventReadWithOnlyWhatTheMappingReads_becomesTheSameErrorAsOneReadWhole() {
        Event pruned = error(json(RICH_EVENT));
        Event whole = error(json(RICH_EVENT, JsonShape.WHOLE));

        assertThat(pruned.details()).isEqualTo(whole.details());
        assertThat(pruned.metadata()).isEqualTo(whole.metadata());
        assertThat(pruned.properties()).isEqualTo(whole.properties());
        assertThat(List.of(pruned.eventId(), pruned.timestamp(), pruned.userId(), pruned.url(), pruned.referrer(), pruned.userAgent(),
                pruned.release(), pruned.environment())).isEqualTo(List.of(whole.eventId(), whole.timestamp(), whole.userId(), whole.url(),
                whole.referrer(), whole.userAgent(), whole.release(), whole.environment()));
        EventDetails.ErrorDetails d = (EventDetails.ErrorDetails) pruned.details();
        assertThat(d.stack()).as("the payload's frames are all there").isEqualTo("""
                IOError: disk full
                    at /srv/app/save.js:12
                    at processTicks (node:internal/process/task_queues:95:5)""");
        assertThat(pruned.userAgent()).isEqualTo("Mozilla/5.0 (X11)");
    }

    @Test
    void whatNoMappingReads_isNotBuilt() {
        Map<String, Object> read = json(RICH_EVENT).raw();

        assertThat(read).doesNotContainKeys("modules", "debug_meta", "spans", "measurements", "transaction")
                .containsKeys("exception", "request", "sdk", "user", "contexts", "breadcrumbs", "tags", "fingerprint");
        assertThat(read.get("sdk")).isEqualTo(Map.of("name", "sentry.javascript.node", "version", "11.0.0"));
        // of the exceptions only the one thrown last, its frames already stack lines: no map per frame or exception
        assertThat(read.get("exception")).isInstanceOf(SentryException.class);
    }

    @Test
    void fieldsOfTheWrongKind_areReportedAsWhenTheWholeEventWasRead() {
        for (String bad : List.of("{\"request\":[1]}", "{\"user\":\"dana\"}", "{\"exception\":{\"values\":[{\"type\":1}]}}",
                "{\"exception\":[{\"stacktrace\":[{\"frames\":[]}]}]}", "{\"sdk\":[],\"release\":7}", "{\"fingerprint\":{\"a\":1}}",
                "{\"exception\":[{\"stacktrace\":{\"frames\":{\"a\":1}}}],\"request\":{\"url\":5}}")) {
            assertThat(message(() -> error(json(bad)))).as(bad).isEqualTo(message(() -> error(json(bad, JsonShape.WHOLE))));
        }
    }

    private static String message(Runnable mapping) {
        try {
            mapping.run();
            return "mapped";
        } catch (FieldReader.FieldError e) {
            return e.code() + ": " + e.getMessage();
        }
    }

    @Test
    void levelTagsUserContextsAndBreadcrumbs_areKept_butNoEmailOrIpAddress() {
        Event e = error("""
                {"message":"m","level":"warning","logger":"cart","tags":{"region":"eu","build":42,"nested":{"no":1}},
                 "user":{"id":7,"email":"dana@shop.example","ip_address":"203.0.113.9","segment":"pro"},
                 "contexts":{"os":{"name":"Linux"}},"breadcrumbs":{"values":[{"category":"nav","message":"to /cart"}]},
                 "extra":{"cartSize":3},"sdk":{"name":"sentry.javascript.node","version":"11.0.0","packages":[{"name":"x"}]}}
                """);

        assertThat(e.userId()).isEqualTo("7");
        assertThat(e.userAgent()).isEqualTo("header-UA");
        assertThat(e.timestamp()).as("no timestamp: the arrival time").isEqualTo(1_764_806_400_000L);
        assertThat(e.properties()).containsOnly(Map.entry("region", "eu"), Map.entry("build", 42));
        @SuppressWarnings("unchecked")
        Map<String, Object> sentry = (Map<String, Object>) e.metadata().get("sentry");
        assertThat(sentry).containsEntry("level", "warning").containsEntry("logger", "cart")
                .containsEntry("contexts", Map.of("os", Map.of("name", "Linux")))
                .containsEntry("extra", Map.of("cartSize", 3))
                .containsEntry("user", Map.of("id", 7, "segment", "pro"))
                .containsEntry("sdk", Map.of("name", "sentry.javascript.node", "version", "11.0.0"));
        assertThat(sentry.get("breadcrumbs")).isEqualTo(List.of(Map.of("category", "nav", "message", "to /cart")));
        assertThat(e.metadata().toString()).doesNotContain("dana@", "203.0.113.9");
    }

    @Test
    void deepData_isCutToThePipelinesDepth_soTheErrorIsNotDropped() {
        String deep = "{\"a\":".repeat(20) + "1" + "}".repeat(20);
        Event e = error("{\"message\":\"m\",\"extra\":" + deep + ",\"breadcrumbs\":[{\"data\":" + deep + "}]}");

        assertThat(depth(e.metadata())).isLessThanOrEqualTo(MAX_DEPTH);
        assertThat(e.metadata().toString()).contains("[...]");
    }

    @Test
    void bounded_keepsAValueWithinBoundsAsParsed_andCopiesOnlyWhatItMustCut() {
        Map<String, Object> within = SentryEnvelope.jsonObject("""
                {"os":{"name":"Linux"},"crumbs":[{"category":"nav","message":"to /cart"}],"n":1}
                """.getBytes(StandardCharsets.UTF_8));
        String longText = "x".repeat(3000);
        Map<String, Object> withLongText = SentryEnvelope.jsonObject(("{\"os\":{\"name\":\"Linux\"},\"note\":\"" + longText + "\"}")
                .getBytes(StandardCharsets.UTF_8));

        // no tree copy for data that fits: Sentry's browser SDK sends kilobytes of it with every error
        assertThat(SentryValues.bounded(within, MAX_DEPTH)).isSameAs(within);
        Object cut = SentryValues.bounded(withLongText, MAX_DEPTH);
        assertThat(cut).isNotSameAs(withLongText).isInstanceOf(Map.class);
        assertThat(((Map<?, ?>) cut).get("note")).isEqualTo("x".repeat(2048));
        assertThat(((Map<?, ?>) cut).get("os")).as("a part within bounds is kept as is").isSameAs(withLongText.get("os"));
        assertThat(SentryValues.bounded(within, 1)).isEqualTo(Map.of("os", "[...]", "crumbs", "[...]", "n", 1));
    }

    @Test
    void chainedExceptions_areGroupedByTheOneThrownLast() {
        Event e = error("""
                {"exception":{"values":[
                  {"type":"IOError","value":"disk full","stacktrace":{"frames":[{"filename":"/app/io.js","function":"write","lineno":1}]}},
                  {"type":"SaveError","value":"could not save","stacktrace":{"frames":[
                    {"filename":"node:internal/process/task_queues","function":"processTicks","lineno":95,"colno":5},
                    {"filename":"/app/save.js","function":"save","lineno":12,"colno":3}]}}]}}
                """);

        EventDetails.ErrorDetails d = (EventDetails.ErrorDetails) e.details();
        assertThat(d.errorType()).isEqualTo("SaveError");
        assertThat(d.message()).isEqualTo("could not save");
        assertThat(d.stack()).isEqualTo("""
                SaveError: could not save
                    at save (/app/save.js:12:3)
                    at processTicks (node:internal/process/task_queues:95:5)""");
        assertThat(d.filename()).isEqualTo("/app/save.js");
    }

    private static int depth(Object value) {
        int deepest = 0;
        if (value instanceof Map<?, ?> m) {
            for (Object v : m.values()) {
                deepest = Math.max(deepest, depth(v));
            }
            return deepest + 1;
        }
        if (value instanceof List<?> l) {
            for (Object v : l) {
                deepest = Math.max(deepest, depth(v));
            }
            return deepest + 1;
        }
        return 0;
    }
}
