package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class BatchTemplatesTest {

    private static final long NOW = 1_780_000_000_000L;
    private static final JsonMapper JSON = JsonMapper.shared();
    private final List<BatchTemplate> templates = BatchTemplates.generate(50, 64, 42, NOW);

    @Test
    void everyBodyIsJsonWithBatchManyEvents() {
        assertThat(templates).hasSize(64);
        for (BatchTemplate template : templates) {
            JsonNode root = JSON.readTree(template.body());
            assertThat(root.get("events").size()).isEqualTo(50);
            assertThat(template.eventCount()).isEqualTo(50);
        }
    }

    @Test
    void singlesAreOneEventObjectEach_forTheSingleEventEndpoint() {
        List<BatchTemplate> singles = BatchTemplates.singles(16, 42, NOW);

        assertThat(singles).hasSize(16);
        for (BatchTemplate single : singles) {
            JsonNode event = JSON.readTree(single.body());
            assertThat(event.has("events")).isFalse();
            assertThat(event.get("appId").asString()).isEqualTo("demo");
            assertThat(event.get("eventId").asString()).isEqualTo(BatchTemplates.EVENT_ID_PLACEHOLDER);
            assertThat(single.eventCount()).isEqualTo(1);
        }
    }

    @Test
    void everyEventCarriesTheCommonFieldsOfTheApi() {
        for (JsonNode event : allEvents()) {
            assertThat(event.get("appId").asString()).isEqualTo("demo");
            assertThat(event.get("type").asString()).isNotBlank();
            assertThat(event.get("timestamp").asLong()).isBetween(NOW - 10_000, NOW);
            assertThat(event.get("eventId").asString()).hasSize(EventIdSequence.WIDTH);
            assertThat(event.get("sessionId").asString()).isNotBlank();
            assertThat(event.has("userId") || event.has("anonymousId")).isTrue();
            assertThat(event.get("url").asString()).startsWith("https://");
            if (event.get("type").asString().equals("pageview")) {
                assertThat(event.get("userAgent").asString()).startsWith("Mozilla/5.0");
            }
        }
    }

    @Test
    void eachBatchIsOneTabsFlushWhoseUserAgentGoesInTheRequestHeader() {
        for (BatchTemplate template : templates) {
            JsonNode events = JSON.readTree(template.body()).get("events");
            String session = events.get(0).get("sessionId").asString();
            long previous = 0;
            for (JsonNode event : events) {
                assertThat(event.get("sessionId").asString()).isEqualTo(session);
                assertThat(event.get("timestamp").asLong()).isGreaterThanOrEqualTo(previous);
                previous = event.get("timestamp").asLong();
                if (event.has("userAgent")) {
                    assertThat(event.get("userAgent").asString()).isEqualTo(template.userAgent());
                }
            }
            assertThat(template.userAgent()).startsWith("Mozilla/5.0");
        }
        assertThat(templates.stream().map(t -> JSON.readTree(t.body()).get("events").get(0).get("sessionId").asString()).distinct())
                .hasSizeGreaterThan(templates.size() / 2);
    }

    @Test
    void mixContainsEveryEventTypeWithItsFields() {
        Set<String> types = new HashSet<>();
        for (JsonNode event : allEvents()) {
            String type = event.get("type").asString();
            types.add(type);
            switch (type) {
                case "error" -> {
                    assertThat(event.get("errorType").asString()).endsWith("Error");
                    long frames = event.get("stack").asString().lines().filter(l -> l.startsWith("    at ")).count();
                    assertThat(frames).isBetween(3L, 6L);
                }
                case "performance" -> assertThat(event.get("metrics").propertyNames())
                        .containsExactlyInAnyOrder("fcp", "lcp", "fid", "inp", "cls", "ttfb", "domLoad", "load");
                case "web-vital" -> assertThat(event.get("name").asString()).isIn("LCP", "INP", "CLS", "FCP", "TTFB");
                case "click" -> assertThat(event.has("x") && event.has("viewportWidth") && event.has("selector")).isTrue();
                case "resource" -> assertThat(event.has("initiatorType") && event.has("transferSize")).isTrue();
                case "event" -> assertThat(event.get("properties").isObject()).isTrue();
                default -> assertThat(type).isEqualTo("pageview");
            }
        }
        assertThat(types).containsExactlyInAnyOrder("pageview", "click", "event", "web-vital", "performance", "error", "resource");
    }

    @Test
    void meanEventSizeIsAboutThreeHundredBytes() {
        double meanEventBytes = allEvents().stream()
                .mapToInt(event -> JSON.writeValueAsBytes(event).length)
                .average().orElseThrow();

        assertThat(meanEventBytes).isBetween(200.0, 450.0);
    }

    @Test
    void stampingReplacesEveryPlaceholderWithAUniqueId() {
        EventIdSequence first = new EventIdSequence("test", 0);
        EventIdSequence second = new EventIdSequence("test", 1);
        Set<String> ids = new HashSet<>();
        int sent = 0;
        for (int round = 0; round < 2; round++) {
            for (BatchTemplate template : templates) {
                for (EventIdSequence sequence : List.of(first, second)) {
                    PreparedRequest request = PreparedRequest.post(template, "/api/collect/batch", "h:1", "k").privateCopy();
                    request.stampEventIds(sequence);
                    String text = new String(request.bytes(), StandardCharsets.UTF_8);
                    assertThat(text).doesNotContain(BatchTemplates.EVENT_ID_PLACEHOLDER);
                    JsonNode body = JSON.readTree(text.substring(text.indexOf("\r\n\r\n") + 4));
                    body.get("events").forEach(event -> ids.add(event.get("eventId").asString()));
                    sent += template.eventCount();
                }
            }
        }

        assertThat(ids).hasSize(sent).allMatch(id -> id.length() == EventIdSequence.WIDTH && id.startsWith("test"));
    }

    @Test
    void stampingLeavesTheSharedTemplateUntouched() {
        BatchTemplate template = templates.getFirst();
        PreparedRequest shared = PreparedRequest.post(template, "/bench/noop", "h:1", "k");
        PreparedRequest own = shared.privateCopy();

        own.stampEventIds(new EventIdSequence("abcd", 7));

        assertThat(new String(shared.bytes(), StandardCharsets.UTF_8)).contains(BatchTemplates.EVENT_ID_PLACEHOLDER);
    }

    @Test
    void sameSeedGivesSameBodies() {
        List<BatchTemplate> again = BatchTemplates.generate(50, 64, 42, NOW);

        for (int i = 0; i < templates.size(); i++) {
            assertThat(again.get(i).body()).isEqualTo(templates.get(i).body());
        }
    }

    private List<JsonNode> allEvents() {
        return templates.stream()
                .flatMap(t -> StreamSupport.stream(JSON.readTree(t.body()).get("events").spliterator(), false))
                .toList();
    }
}
