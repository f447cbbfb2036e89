package dev.traceflow.realtime.internal;

import dev.traceflow.core.event.EventType;
import dev.traceflow.storage.EventsStored;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code metrics_updated}: a round's increments per app, in seed 004's shape, only for apps that had events. */
class LiveMetricsTest {

    private final RecordingPublisher publisher = new RecordingPublisher();
    private final List<RecordingPublisher.Published> published = publisher.published;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final LiveMetrics live = new LiveMetrics(publisher, Clock.fixed(Instant.parse("2026-12-04T21:30:05.123Z"), ZoneOffset.UTC), meters, 100);

    private static EventsStored load(String appId, Map<EventType, Long> counts) {
        return load(appId, counts, EventsStored.Breakdown.NONE);
    }

    private static EventsStored load(String appId, Map<EventType, Long> counts, EventsStored.Breakdown breakdown) {
        return new EventsStored(Instant.now(), List.of(new EventsStored.AppEvents(appId, counts, 0, List.of(), Set.of(), breakdown, List.of())));
    }

    private static long value(JsonNode payload, String metricType, String dimensionValue) {
        return (long) number(payload, metricType, dimensionValue);
    }

    private static double number(JsonNode payload, String metricType, String dimensionValue) {
        for (JsonNode m : payload.path("metrics")) {
            if (m.path("metricType").asString().equals(metricType)
                    && (dimensionValue == null ? m.path("dimension").isNull() : dimensionValue.equals(m.path("dimensionValue").asString()))) {
                return m.path("value").asDouble();
            }
        }
        return 0;
    }

    private static List<String> dimensionValues(JsonNode payload, String metricType) {
        List<String> values = new ArrayList<>();
        for (JsonNode m : payload.path("metrics")) {
            if (m.path("metricType").asString().equals(metricType) && !m.path("dimension").isNull()) {
                values.add(m.path("dimensionValue").asString());
            }
        }
        return values;
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

    @Test
    void pageViewsByPath_conversionsByType_andRevenue_addUpOverTheRoundsLoads() {
        live.stored(load("shop", Map.of(EventType.PAGEVIEW, 3L, EventType.PURCHASE, 1L),
                new EventsStored.Breakdown(Map.of("/", 2L, "/cart", 1L), Map.of("order", 1L), 19.5)));
        live.stored(load("shop", Map.of(EventType.PAGEVIEW, 1L, EventType.CONVERSION, 2L),
                new EventsStored.Breakdown(Map.of("/cart", 1L), Map.of("signup", 1L), 0.25)));

        live.publishRound();

        JsonNode shop = published.getFirst().payload();
        assertThat(value(shop, "page_views", "/")).isEqualTo(2);
        assertThat(value(shop, "page_views", "/cart")).isEqualTo(2);
        assertThat(shop.toString()).contains("\"dimension\":\"path\"");
        assertThat(value(shop, "conversions", "order")).isEqualTo(1);
        assertThat(value(shop, "conversions", "signup")).isEqualTo(1);
        assertThat(number(shop, "revenue", null)).isEqualTo(19.75);
        assertThat(dimensionValues(shop, "page_views")).as("most frequent first, ties by value").containsExactly("/", "/cart");
    }

    @Test
    void aRoundWithoutConversions_hasNoRevenue_andWithConversionsOfNoRevenue_aZero() {
        live.stored(load("shop", Map.of(EventType.PAGEVIEW, 1L)));
        live.publishRound();
        live.stored(load("shop", Map.of(EventType.CONVERSION, 1L)));
        live.publishRound();

        assertThat(published.get(0).payload().toString()).doesNotContain("revenue");
        assertThat(published.get(1).payload().toString()).contains("\"metricType\":\"revenue\"");
        assertThat(number(published.get(1).payload(), "revenue", null)).isZero();
    }

    @Test
    void aBreakdownNamesTheTopValues_andSumsTheRestAsOther_holdingABoundedNumberOfValues() {
        Map<String, Long> paths = new HashMap<>();
        for (int i = 0; i < LiveMetrics.MAX_HELD_VALUES; i++) {
            paths.put("/p" + i, i < 5 ? 100L : 1L);
        }
        live.stored(load("shop", Map.of(EventType.PAGEVIEW, 500L + LiveMetrics.MAX_HELD_VALUES - 5 + 7),
                new EventsStored.Breakdown(paths, Map.of(), 0)));
        // held values are full: a new path counts as other, a held one still by itself
        live.stored(load("shop", Map.of(EventType.PAGEVIEW, 7L), new EventsStored.Breakdown(Map.of("/new", 4L, "/p0", 3L), Map.of(), 0)));

        live.publishRound();

        JsonNode shop = published.getFirst().payload();
        List<String> named = dimensionValues(shop, "page_views");
        assertThat(named).hasSize(LiveMetrics.TOP_VALUES + 1).startsWith("/p0", "/p1", "/p2", "/p3", "/p4").endsWith(LiveMetrics.OTHER)
                .doesNotContain("/new");
        assertThat(value(shop, "page_views", "/p0")).isEqualTo(103);
        long namedSum = 0;
        for (String path : named) {
            namedSum += value(shop, "page_views", path);
        }
        assertThat(namedSum).as("nothing lost: the named and other add up to the held counts")
                .isEqualTo(5 * 100 + (LiveMetrics.MAX_HELD_VALUES - 5) + 7);
        assertThat(value(shop, "page_views", LiveMetrics.OTHER)).isEqualTo(LiveMetrics.MAX_HELD_VALUES - 5 - (LiveMetrics.TOP_VALUES - 5) + 4);
    }

    private static EventsStored sessionLoad(String appId, EventsStored.SessionEvent... events) {
        return new EventsStored(Instant.now(), List.of(new EventsStored.AppEvents(appId, Map.of(EventType.PAGEVIEW, (long) events.length), 0,
                List.of(), Set.of(), EventsStored.Breakdown.NONE, List.of(events))));
    }

    private static EventsStored.SessionEvent pageView(String sessionId, long at, String country) {
        return new EventsStored.SessionEvent(sessionId, null, at, true, false,
                new EventsStored.SessionDimensions("mobile", "direct", "Chrome", "Android", country));
    }

    @Test
    void sessionsStarted_andMadeEngaged_inTheRound_allAndBySessionDimension() {
        long t = Instant.parse("2026-12-04T21:29:00Z").toEpochMilli();
        live.stored(sessionLoad("shop", pageView("s1", t, "DE"), pageView("s2", t, "DE"), pageView("s3", t, null)));
        live.stored(sessionLoad("shop", pageView("s1", t + 1000, "FR")));

        live.publishRound();

        JsonNode shop = published.getFirst().payload();
        assertThat(value(shop, "sessions", null)).isEqualTo(3);
        assertThat(value(shop, "engaged_sessions", null)).as("s1 has two page views").isEqualTo(1);
        assertThat(value(shop, "sessions", "DE")).isEqualTo(2);
        assertThat(value(shop, "sessions", "(none)")).isEqualTo(1);
        assertThat(value(shop, "sessions", "Chrome")).isEqualTo(3);
        assertThat(value(shop, "engaged_sessions", "DE")).isEqualTo(1);
        assertThat(dimensionValues(shop, "sessions")).containsExactly("mobile", "direct", "Chrome", "Android", "DE", "(none)");
        assertThat(shop.toString()).contains("\"dimension\":\"device_type\"", "\"dimension\":\"traffic_source\"",
                "\"dimension\":\"country\"");
    }

    @Test
    void aSessionIsNotCountedAgainInALaterRound_andACorrectionCanBeNegative() {
        long t = Instant.parse("2026-12-04T21:29:00Z").toEpochMilli();
        live.stored(sessionLoad("shop", pageView("s1", t + 5000, "DE")));
        live.publishRound();
        live.stored(sessionLoad("shop", pageView("s1", t, "FR")));
        live.publishRound();

        JsonNode later = published.get(1).payload();
        assertThat(later.toString()).as("the total nets to nothing").doesNotContain("\"metricType\":\"sessions\",\"granularity\":\"minute\",\"value\":0");
        assertThat(value(later, "sessions", null)).isZero();
        assertThat(value(later, "sessions", "DE")).isEqualTo(-1);
        assertThat(value(later, "sessions", "FR")).isEqualTo(1);
        assertThat(value(later, "sessions", "mobile")).as("unchanged values net to nothing, left out").isZero();
        assertThat(dimensionValues(later, "sessions")).containsExactlyInAnyOrder("FR", "DE");
    }
}
