package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails.PerformanceDetails;
import dev.traceflow.core.event.EventDetails.ResourceDetails;
import dev.traceflow.core.event.EventDetails.ResourceTiming;
import dev.traceflow.core.event.EventDetails.WebVitalDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.WebVitals;
import dev.traceflow.core.storage.PerformanceQueries;
import dev.traceflow.core.storage.PerformanceQueries.GroupBy;
import dev.traceflow.core.storage.PerformanceQueries.MetricStats;
import dev.traceflow.core.storage.PerformanceQueries.ResourceStats;
import dev.traceflow.core.storage.PerformanceQueries.ResourceStatsPage;
import dev.traceflow.core.storage.PerformanceQueries.VitalStats;
import dev.traceflow.storage.tests.InMemoryStorage;
import dev.traceflow.storage.tests.QueryEvents;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DuckDB's performance answers equal the reference backend's on seeded random datasets built to
 * hit the tricky cases often: few web-vitals ids (many repeats), few distinct times (ties broken
 * by the order stored), values on the rating thresholds, events without the grouped dimension.
 */
class DuckDbPerformanceAgainstReferenceTest {

    private static final String APP = "rand";
    private static final Instant DAY = Instant.parse("2026-11-24T00:00:00Z");
    private static final String[] PATHS = {"/a", "/b", "/c", null};
    private static final String[][] CLIENTS = {{"Chrome", "Windows", "desktop"}, {"Safari", "iOS", "mobile"},
            {"Firefox", "Linux", "desktop"}, {"Chrome", "Android", "tablet"}};
    private static final String[] RELEASES = {"1.0", "2.0", null};
    private static final String[] RESOURCES = {"https://cdn.test/a.js", "https://cdn.test/b.css", "https://api.test/x"};
    private static final String[] INITIATORS = {"script", "link", "fetch"};

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void sameAnswers(long seed) {
        Random random = new Random(seed);
        List<Event> events = dataset(random);
        try (DuckDbStorage duck = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            // in a few batches, as the loader stores them
            for (int from = 0; from < events.size(); from += 37) {
                List<Event> batch = events.subList(from, Math.min(events.size(), from + 37));
                duck.consumer().accept(batch);
                reference.consumer().accept(batch);
            }
            for (int i = 0; i < 8; i++) {
                EventQuery q = query(random);
                GroupBy groupBy = random.nextInt(4) == 0 ? null : GroupBy.values()[random.nextInt(GroupBy.values().length)];
                int limit = 1 + random.nextInt(12);
                String what = "seed " + seed + ", query " + q + ", groupBy " + groupBy + ", limit " + limit;
                assertSame(duck.performance(), reference.performance(), q, groupBy, limit, what);
            }
        }
    }

    private static void assertSame(PerformanceQueries duck, PerformanceQueries reference, EventQuery q, GroupBy groupBy,
                                   int limit, String what) {
        List<MetricStats> expectedMetrics = reference.metrics(q);
        List<MetricStats> metrics = duck.metrics(q);
        assertThat(metrics).as(what).hasSameSizeAs(expectedMetrics);
        for (int i = 0; i < metrics.size(); i++) {
            MetricStats a = metrics.get(i);
            MetricStats e = expectedMetrics.get(i);
            assertThat(List.of(a.name(), a.count())).as(what).isEqualTo(List.of(e.name(), e.count()));
            assertClose(new double[] {a.p50(), a.p75(), a.p95()}, new double[] {e.p50(), e.p75(), e.p95()}, what);
        }

        assertSameVitals(duck.webVitals(q, groupBy), reference.webVitals(q, groupBy), what);
        // one statement for every release (DuckDB) against one webVitals call per release (the reference's default)
        List<String> releases = List.of("2.0", "1.0", "9.9");
        Map<String, List<VitalStats>> expectedByRelease = reference.webVitalsByRelease(q, releases);
        Map<String, List<VitalStats>> byRelease = duck.webVitalsByRelease(q, releases);
        assertThat(List.copyOf(byRelease.keySet())).as(what).isEqualTo(List.copyOf(expectedByRelease.keySet()));
        expectedByRelease.forEach((release, expected) -> assertSameVitals(byRelease.get(release), expected, what + ", release " + release));

        ResourceStatsPage expectedResources = reference.resources(q, limit);
        ResourceStatsPage resources = duck.resources(q, limit);
        assertThat(resources.total()).as(what).isEqualTo(expectedResources.total());
        assertThat(resources.items()).as(what).hasSameSizeAs(expectedResources.items());
        for (int i = 0; i < resources.items().size(); i++) {
            ResourceStats a = resources.items().get(i);
            ResourceStats e = expectedResources.items().get(i);
            assertThat(List.of(a.name(), a.initiatorType(), a.count())).as(what).isEqualTo(List.of(e.name(), e.initiatorType(), e.count()));
            assertClose(new double[] {a.p50(), a.p75(), a.p95()}, new double[] {e.p50(), e.p75(), e.p95()}, what);
            if (e.avgTransferSize() == null) {
                assertThat(a.avgTransferSize()).as(what).isNull();
            } else {
                assertClose(new double[] {a.avgTransferSize()}, new double[] {e.avgTransferSize()}, what);
            }
        }
    }

    private static void assertSameVitals(List<VitalStats> vitals, List<VitalStats> expectedVitals, String what) {
        assertThat(vitals).as(what).hasSameSizeAs(expectedVitals);
        for (int i = 0; i < vitals.size(); i++) {
            VitalStats a = vitals.get(i);
            VitalStats e = expectedVitals.get(i);
            assertThat(List.of(a.name(), String.valueOf(a.group()), a.count(), a.rating(), a.good(), a.needsImprovement(), a.poor()))
                    .as(what).isEqualTo(List.of(e.name(), String.valueOf(e.group()), e.count(), e.rating(), e.good(),
                            e.needsImprovement(), e.poor()));
            assertClose(new double[] {a.p50(), a.p75(), a.p95()}, new double[] {e.p50(), e.p75(), e.p95()}, what);
        }
    }

    private static void assertClose(double[] actual, double[] expected, String what) {
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as(what).isCloseTo(expected[i], Offset.offset(1e-9 * Math.max(1, Math.abs(expected[i]))));
        }
    }

    private static EventQuery query(Random random) {
        Instant from = DAY.plusSeconds(random.nextInt(3) * 1200L);
        Instant to = from.plusSeconds(1200L + random.nextInt(3) * 1200L);
        Filters filters = switch (random.nextInt(5)) {
            case 0 -> new Filters(null, null, pick(random, PATHS), null, null, null, null);
            case 1 -> new Filters(null, null, null, null, null, pick(random, CLIENTS)[2], null);
            case 2 -> new Filters(pick(random, RELEASES), null, null, "Chrome", null, null, null);
            default -> Filters.NONE;
        };
        return EventQuery.of(APP, from, to).withFilters(filters);
    }

    private static List<Event> dataset(Random random) {
        List<Event> events = new ArrayList<>();
        int n = 50 + random.nextInt(250);
        for (int i = 0; i < n; i++) {
            // 60 distinct times over an hour: many ties
            Instant at = DAY.plusSeconds(random.nextInt(60) * 60L);
            String[] client = pick(random, CLIENTS);
            QueryEvents e = switch (random.nextInt(3)) {
                case 0 -> {
                    String name = pick(random, WebVitals.NAMES.toArray(String[]::new));
                    String id = random.nextInt(6) == 0 ? null : "v-" + random.nextInt(15);
                    yield QueryEvents.event(APP, EventType.WEB_VITAL, at)
                            .details(new WebVitalDetails(name, value(random, name), null, null, id, null));
                }
                case 1 -> {
                    Map<String, Double> metrics = new LinkedHashMap<>();
                    for (String key : PerformanceQueries.METRIC_NAMES) {
                        if (random.nextBoolean()) {
                            String vital = WebVitals.ofPerformanceMetric(key);
                            metrics.put(key, vital == null ? (double) random.nextInt(5000) : value(random, vital));
                        }
                    }
                    List<ResourceTiming> timings = new ArrayList<>();
                    for (int r = random.nextInt(3); r > 0; r--) {
                        timings.add(timing(random));
                    }
                    yield QueryEvents.event(APP, EventType.PERFORMANCE, at).details(new PerformanceDetails(metrics, timings));
                }
                default -> QueryEvents.event(APP, EventType.RESOURCE, at).details(new ResourceDetails(timing(random)));
            };
            events.add(e.path(pick(random, PATHS)).client(client[0], client[1], client[2]).release(pick(random, RELEASES)).build());
        }
        return events;
    }

    /** A value of a vital, often exactly on one of its thresholds. */
    private static double value(Random random, String vital) {
        double[] t = WebVitals.thresholds(vital);
        return switch (random.nextInt(4)) {
            case 0 -> t[0];
            case 1 -> t[1];
            default -> Math.round(random.nextDouble() * t[1] * 1.5 * 1000) / 1000.0;
        };
    }

    private static ResourceTiming timing(Random random) {
        return new ResourceTiming(pick(random, RESOURCES), pick(random, INITIATORS), (double) random.nextInt(100),
                random.nextInt(2000) / 4.0, random.nextBoolean() ? null : (double) random.nextInt(50_000));
    }

    private static <T> T pick(Random random, T[] values) {
        return values[random.nextInt(values.length)];
    }
}
