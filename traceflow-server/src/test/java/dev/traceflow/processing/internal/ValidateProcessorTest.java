package dev.traceflow.processing.internal;

import dev.traceflow.support.TestProperties;
import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.pipeline.EventBatch;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ValidateProcessorTest {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private final ValidateProcessor validate = new ValidateProcessor(TestProperties.defaults(), Clock.fixed(NOW, ZoneOffset.UTC));

    private static Event at(Instant t) {
        return Event.builder("app", EventType.PAGEVIEW, t.toEpochMilli()).build();
    }

    @Test
    void validate_timestampWindowIsOneDayAheadAndThirtyDaysBehind() {
        EventBatch batch = Events.batch(
                at(NOW.plus(Duration.ofHours(23))),
                at(NOW.plus(Duration.ofHours(25))),
                at(NOW.minus(Duration.ofDays(29))),
                at(NOW.minus(Duration.ofDays(31))));
        validate.process(batch);
        assertThat(batch.isLive(0)).isTrue();
        assertThat(batch.isLive(1)).isFalse();
        assertThat(batch.isLive(2)).isTrue();
        assertThat(batch.isLive(3)).isFalse();
        assertThat(batch.drops()).allSatisfy(d -> assertThat(d.code()).isEqualTo("TIMESTAMP_OUT_OF_RANGE"));
    }

    @Test
    void validate_aTimestampInSecondsOrMicrosecondsIsNamedAsSuch() {
        EventBatch batch = Events.batch(
                Event.builder("app", EventType.PAGEVIEW, NOW.getEpochSecond()).build(),
                Event.builder("app", EventType.PAGEVIEW, NOW.toEpochMilli() * 1000).build(),
                at(NOW.minus(Duration.ofDays(400))));
        validate.process(batch);

        assertThat(batch.drops()).extracting(d -> d.message()).containsExactly(
                "timestamp is more than 30 days behind the server clock; it looks like seconds: send epoch milliseconds",
                "timestamp is more than 24 hours ahead of the server clock; it looks like microseconds: send epoch milliseconds",
                "timestamp is more than 30 days behind the server clock");
    }

    @Test
    void validate_propertiesMayNestEightLevelsNotNine() {
        EventBatch batch = Events.batch(
                Events.of(EventType.EVENT, NOW).properties(nested(8)).build(),
                Events.of(EventType.EVENT, NOW).properties(nested(9)).build(),
                Events.of(EventType.EVENT, NOW).properties(Map.of("list", List.of(List.of(nested(7))))).build());
        validate.process(batch);
        assertThat(batch.isLive(0)).isTrue();
        assertThat(batch.isLive(1)).isFalse();
        assertThat(batch.drops().getFirst().code()).isEqualTo("TOO_DEEP");
        assertThat(batch.isLive(2)).as("arrays count as levels").isFalse();
    }

    /** A properties map whose nesting depth is {@code levels} (the map itself is level 1). */
    static Map<String, Object> nested(int levels) {
        Map<String, Object> root = new HashMap<>();
        Map<String, Object> current = root;
        for (int i = 1; i < levels; i++) {
            Map<String, Object> next = new HashMap<>();
            current.put("k", next);
            current = next;
        }
        current.put("leaf", 1);
        return root;
    }
}
