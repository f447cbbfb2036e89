package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class EnvelopeTemplatesTest {

    private static final long NOW = 1_780_000_000_000L;
    private static final JsonMapper JSON = JsonMapper.shared();

    /** The envelope's lines: header, then item header and payload per item (the JS SDKs write no length). */
    private static List<JsonNode> lines(byte[] body) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : new String(body, StandardCharsets.UTF_8).split("\n", -1)) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    @Test
    void anEnvelopeIsTheHeaderThenOneEventItem_asTheBrowserSdkSendsAnError() {
        List<BatchTemplate> templates = EnvelopeTemplates.generate(1, 16, 42, NOW, "tfk_dsnkey");

        assertThat(templates).hasSize(16);
        for (BatchTemplate template : templates) {
            List<JsonNode> lines = lines(template.body());
            assertThat(lines).hasSize(3);
            JsonNode header = lines.get(0);
            assertThat(header.path("sdk").path("name").asString()).isEqualTo("sentry.javascript.browser");
            assertThat(header.path("trace").path("public_key").asString()).isEqualTo("tfk_dsnkey");
            assertThat(header.path("sent_at").asString()).isEqualTo("2026-05-28T20:26:40Z");
            assertThat(lines.get(1).toString()).isEqualTo("{\"type\":\"event\"}");
            JsonNode event = lines.get(2);
            JsonNode exception = event.path("exception").path("values").get(0);
            assertThat(exception.path("type").asString()).endsWith("Error");
            assertThat(exception.path("stacktrace").path("frames").size()).isBetween(4, 8);
            assertThat(exception.path("stacktrace").path("frames").get(0).path("filename").asString()).startsWith("https://");
            assertThat(exception.path("mechanism").path("handled").asBoolean(true)).isFalse();
            assertThat(event.path("level").asString()).isEqualTo("error");
            assertThat(event.path("platform").asString()).isEqualTo("javascript");
            assertThat(event.path("timestamp").asDouble()).isBetween((NOW - 2_000) / 1000.0, NOW / 1000.0);
            assertThat(event.path("release").asString()).startsWith("shop@");
            assertThat(event.path("request").path("headers").path("User-Agent").asString()).isEqualTo(template.userAgent());
            assertThat(event.path("breadcrumbs").size()).isBetween(3, 8);
            assertThat(event.path("contexts").path("trace").path("trace_id").asString())
                    .hasSize(32).isEqualTo(header.path("trace").path("trace_id").asString());
            // Sentry's ids are 32 characters: the stamped slot, then the template's fixed tail
            assertThat(event.path("event_id").asString()).hasSize(32).startsWith(BatchTemplates.EVENT_ID_PLACEHOLDER);
            assertThat(header.path("event_id").asString()).hasSize(32).startsWith(EnvelopeTemplates.ECHO_PLACEHOLDER);
            assertThat(template.eventCount()).isEqualTo(1);
            assertThat(template.echoOffsets()).hasSize(1);
        }
    }

    @Test
    void theBatchedVariantHoldsBatchManyEventItems() {
        BatchTemplate template = EnvelopeTemplates.generate(20, 1, 42, NOW, "k").getFirst();

        List<JsonNode> lines = lines(template.body());
        assertThat(lines).hasSize(1 + 2 * 20);
        for (int i = 1; i < lines.size(); i += 2) {
            assertThat(lines.get(i).path("type").asString()).isEqualTo("event");
            assertThat(lines.get(i + 1).has("exception")).isTrue();
        }
        assertThat(template.eventCount()).isEqualTo(20);
    }

    @Test
    void theTraceFlowBatchesHoldTheSameErrorsInTraceFlowsShape() {
        BatchTemplate envelope = EnvelopeTemplates.generate(5, 1, 42, NOW, "k").getFirst();
        BatchTemplate batch = EnvelopeTemplates.asTraceFlowBatches(5, 1, 42, NOW, "k").getFirst();

        List<JsonNode> lines = lines(envelope.body());
        JsonNode events = JSON.readTree(batch.body()).path("events");
        assertThat(events.size()).isEqualTo(5);
        assertThat(batch.eventCount()).isEqualTo(5);
        assertThat(batch.userAgent()).isEqualTo(envelope.userAgent());
        for (int i = 0; i < 5; i++) {
            JsonNode sentry = lines.get(2 + 2 * i);
            JsonNode exception = sentry.path("exception").path("values").get(0);
            JsonNode frames = exception.path("stacktrace").path("frames");
            JsonNode newest = frames.get(frames.size() - 1);
            JsonNode event = events.get(i);
            assertThat(event.path("type").asString()).isEqualTo("error");
            assertThat(event.path("appId").asString()).isEqualTo(SyntheticEvents.APP_ID);
            assertThat(event.path("errorType").asString()).isEqualTo(exception.path("type").asString());
            assertThat(event.path("message").asString()).isEqualTo(exception.path("value").asString());
            assertThat(event.path("timestamp").asLong()).isEqualTo(Math.round(sentry.path("timestamp").asDouble() * 1000));
            // Chrome's Error.stack: the newest call first, one "at" line per frame
            assertThat(event.path("stack").asString().split("\n")).hasSize(1 + frames.size());
            assertThat(event.path("stack").asString().split("\n")[1])
                    .isEqualTo("    at " + newest.path("function").asString() + " (" + newest.path("filename").asString() + ":"
                            + newest.path("lineno").asInt() + ":" + newest.path("colno").asInt() + ")");
            assertThat(event.path("lineno").asInt()).isEqualTo(newest.path("lineno").asInt());
            assertThat(event.path("url").asString()).isEqualTo(sentry.path("request").path("url").asString());
            assertThat(event.path("release").asString()).isEqualTo(sentry.path("release").asString());
            assertThat(event.path("properties")).isEqualTo(sentry.path("tags"));
            assertThat(event.path("metadata").path("sentry").path("breadcrumbs")).isEqualTo(sentry.path("breadcrumbs"));
            assertThat(event.path("metadata").path("sentry").path("contexts")).isEqualTo(sentry.path("contexts"));
            assertThat(event.path("eventId").asString()).hasSize(32).startsWith(BatchTemplates.EVENT_ID_PLACEHOLDER);
        }
    }

    @Test
    void stampingGivesEveryEventANewIdAndTheHeaderItsFirstEventsId() {
        BatchTemplate template = EnvelopeTemplates.generate(3, 1, 42, NOW, "k").getFirst();
        PreparedRequest request = PreparedRequest.post(template, "/api/1/envelope/?sentry_key=k", "h:1", "text/plain", Map.of())
                .privateCopy();

        request.stampEventIds(new EventIdSequence("abcd", 1));
        String text = new String(request.bytes(), StandardCharsets.UTF_8);
        List<JsonNode> lines = lines(text.substring(text.indexOf("\r\n\r\n") + 4).getBytes(StandardCharsets.UTF_8));

        String first = lines.get(2).path("event_id").asString();
        assertThat(first).startsWith("abcd001000000000");
        assertThat(lines.get(0).path("event_id").asString()).isEqualTo(first);
        assertThat(lines.get(4).path("event_id").asString()).startsWith("abcd001000000001");
        assertThat(lines.get(6).path("event_id").asString()).startsWith("abcd001000000002");
    }

    @Test
    void theSameSeedGivesTheSameEnvelopes() {
        List<BatchTemplate> a = EnvelopeTemplates.generate(2, 4, 7, NOW, "k");
        List<BatchTemplate> b = EnvelopeTemplates.generate(2, 4, 7, NOW, "k");

        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).body()).isEqualTo(b.get(i).body());
        }
    }
}
