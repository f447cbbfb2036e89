package dev.traceflow.realtime.internal;

import dev.traceflow.core.event.EventType;
import dev.traceflow.storage.EventsStored;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code metrics_updated}: a round's increments per app, in seed 004's shape, only for apps that had events. */
class LiveMetricsTest {

    private final RecordingPublisher publisher = new RecordingPublisher();
    private final List<RecordingPublisher.Published> published = publisher.published;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final LiveMetrics live = new LiveMetrics(publisher, Clock.fixed(Instant.parse("2026-12-04T21:30:05.123Z"), ZoneOffset.UTC), meters);

    private static EventsStored load(String appId, Map<EventType, Long> counts) {
        return new EventsStored(Instant.now(), List.of(new EventsStored.AppEvents(appId, counts, 0, List.of(), Set.of())));
    }

    private static long value(JsonNode payload, String metricType, String dimensionValue) {
        for (JsonNode m : payload.path("metrics")) {
            if (m.path("metricType").asString().equals(metricType)
                    && (dimensionValue == null ? m.path("dimension").isNull() : dimensionValue.equals(m.path("dimensionValue").asString()))) {
                return m.path("value").asLong();
            }
        }
        return 0;
    }

    @Test
    void aRound_publishesEachAppsIncrements_onItsMetricsTopic_inSeed004sShape() {
        live.stored(load("shop", Map.of(EventType.PAGEVIEW, 3L, EventType.ERROR, 1L)));
        live.stored(load("shop", Map.of(EventType.PAGEVIEW, 2L, EventType.PURCHASE, 1L, EventType.CONVERSION, 2L)));
        live.stored(load("kiosk", Map.of(EventType.CLICK, 4L)));

        live.publishRound();

        assertThat(published).extracting(RecordingPublisher.Published::topic).containsOnly("traceflow:metrics");
        assertThat(published).extracting(RecordingPublisher.Published::appId).containsExactlyInAnyOrder("shop", "kiosk");
        JsonNode shop = published.stream().filter(p -> p.appId().equals("shop")).findFirst().orElseThrow().payload();
        assertThat(shop.path("type").asString()).isEqualTo("metrics_updated");
        assertThat(shop.path("timestamp").asString()).isEqualTo("2026-12-04T21:30:05.123Z");
        assertThat(value(shop, "events", null)).isEqualTo(9);
        assertThat(value(shop, "page_views", null)).isEqualTo(5);
        assertThat(value(shop, "errors", null)).isEqualTo(1);
        assertThat(value(shop, "conversions", null)).isEqualTo(3);
        assertThat(value(shop, "events", "pageview")).isEqualTo(5);
        assertThat(value(shop, "events", "purchase")).isEqualTo(1);
        for (JsonNode m : shop.path("metrics")) {
            assertThat(m.path("granularity").asString()).isEqualTo("minute");
            assertThat(m.propertyNames()).containsExactly("metricType", "granularity", "value", "dimension", "dimensionValue");
        }
        JsonNode kiosk = published.stream().filter(p -> p.appId().equals("kiosk")).findFirst().orElseThrow().payload();
        assertThat(value(kiosk, "page_views", null)).as("absent, not zero").isZero();
        assertThat(kiosk.toString()).doesNotContain("page_views");
    }

    @Test
    void aRoundWithoutEvents_publishesNothing_andEachLoadCountsOnce() {
        live.stored(load("shop", Map.of(EventType.PAGEVIEW, 1L)));
        live.publishRound();
        live.publishRound();
        live.stored(load("shop", Map.of()));
        live.publishRound();

        assertThat(published).hasSize(1);
        assertThat(value(published.getFirst().payload(), "events", null)).isEqualTo(1);
    }

    @Test
    void aRefusedPublish_isCounted_andTheNextRoundGoesOn() {
        live.stored(load("shop", Map.of(EventType.PAGEVIEW, 1L)));
        publisher.refusing = true;
        live.publishRound();
        publisher.refusing = false;
        live.stored(load("shop", Map.of(EventType.PAGEVIEW, 2L)));
        live.publishRound();

        assertThat(meters.counter("traceflow.realtime.live.metrics.failed").count()).isEqualTo(1);
        assertThat(published).hasSize(1);
        assertThat(value(published.getFirst().payload(), "events", null)).isEqualTo(2);
    }
}
