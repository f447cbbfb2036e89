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

    private static FieldReader json(String json) {
        return new FieldReader(SentryEnvelope.jsonObject(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static Event error(String json) {
        return new SentryEvents("shop", "header-UA", 1_764_806_400_000L, MAX_DEPTH).error(json(json), 0, json.length());
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
