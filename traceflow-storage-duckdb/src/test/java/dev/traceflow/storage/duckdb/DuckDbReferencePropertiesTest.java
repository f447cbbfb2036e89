package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.query.EventAggregate;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.query.MetricDimension;
import dev.traceflow.core.query.SeriesPoint;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.MetricsOverview;
import dev.traceflow.storage.tests.GeneratedDataset;
import dev.traceflow.storage.tests.InMemoryStorage;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DuckDB's answers against the reference backend's ({@code InMemoryStorage}) on random datasets
 * ({@link GeneratedDataset}), random ranges, zones, granularities, filters, dimensions and limits:
 * every metric series and the overview, session summaries, active users and custom-event
 * aggregates must agree (values to 1e-9 relative).
 */
class DuckDbReferencePropertiesTest {

    private static final String APP = "generated";

    @Provide
    Arbitrary<Granularity> granularities() {
        return Arbitraries.of(Granularity.HOUR, Granularity.DAY, Granularity.WEEK, Granularity.MONTH);
    }

    @Provide
    Arbitrary<ZoneId> zones() {
        return Arbitraries.of(GeneratedDataset.ZONES);
    }

    @Property(tries = 20)
    void duckDbAnswersAsTheReference(@ForAll long seed, @ForAll("zones") ZoneId zone,
                                     @ForAll("granularities") Granularity granularity) {
        GeneratedDataset dataset = GeneratedDataset.small(seed, APP);
        List<Event> events = dataset.events();
        try (EventStorage reference = new InMemoryStorage(); EventStorage duckdb = DuckDbStorage.inMemory()) {
            reference.consumer().accept(events);
            duckdb.consumer().accept(events);
            Random r = new Random(seed);
            Instant from = dataset.start().plus(Duration.ofMinutes(r.nextInt(36 * 60)));
            Instant to = dataset.start().plus(Duration.ofDays(dataset.days())).minus(Duration.ofMinutes(r.nextInt(36 * 60)));
            EventQuery q = EventQuery.of(APP, from, to).withFilters(filters(r)).withSeries(granularity, zone);
            String where = "seed " + seed + ", " + q;

            assertThat(duckdb.sessions().summaries(q)).as("sessions, %s", where).isEqualTo(reference.sessions().summaries(q));
            MetricsOverview expected = reference.metrics().overview(q);
            MetricsOverview actual = duckdb.metrics().overview(q);
            assertThat(actual).as("overview, %s", where).usingRecursiveComparison()
                    .withComparatorForType((a, b) -> close(a, b) ? 0 : Double.compare(a, b), Double.class)
                    .isEqualTo(expected);
            for (Metric m : Metric.values()) {
                same(duckdb.metrics().series(q, m, null, 10), reference.metrics().series(q, m, null, 10), m + ", " + where);
                MetricDimension d = dimensionFor(m, r);
                int limit = 1 + r.nextInt(6);
                same(duckdb.metrics().series(q, m, d, limit), reference.metrics().series(q, m, d, limit),
                        m + " by " + d + " top " + limit + ", " + where);
            }
            assertThat(duckdb.product().activeUsers(q)).as("active users, %s", where).isEqualTo(reference.product().activeUsers(q));
            for (String aggregate : List.of("count", "unique_users", "sum:size", "avg:size")) {
                for (String breakdown : new String[] {null, "type"}) {
                    EventAggregate a = EventAggregate.parse("message_sent", aggregate, breakdown, 1 + r.nextInt(4));
                    same(duckdb.product().events(q, a), reference.product().events(q, a), a + ", " + where);
                }
            }
            EventAggregate errors = EventAggregate.parse("error_occurred", "count", "errorType", 10);
            same(duckdb.product().events(q, errors), reference.product().events(q, errors), "errors, " + where);
        }
    }

    private static Filters filters(Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> new Filters(null, null, null, "Chrome", null, null, null);
            case 1 -> new Filters(null, null, "/home", null, null, null, null);
            case 2 -> new Filters("1.1", null, null, null, null, null, "DE");
            default -> Filters.NONE;
        };
    }

    private static MetricDimension dimensionFor(Metric m, Random r) {
        List<MetricDimension> supported = new ArrayList<>();
        for (MetricDimension d : MetricDimension.values()) {
            if (m.supports(d)) {
                supported.add(d);
            }
        }
        return supported.get(r.nextInt(supported.size()));
    }

    private static void same(List<SeriesPoint> actual, List<SeriesPoint> expected, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            SeriesPoint a = actual.get(i);
            SeriesPoint e = expected.get(i);
            assertThat(a.ts()).as("%s: ts of point %d", what, i).isEqualTo(e.ts());
            assertThat(a.dimensionValue()).as("%s: dimension of point %d", what, i).isEqualTo(e.dimensionValue());
            assertThat(close(a.value(), e.value())).as("%s: value of point %d: %s, expected %s", what, i, a.value(), e.value())
                    .isTrue();
        }
    }

    private static boolean close(double a, double b) {
        return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.max(Math.abs(a), Math.abs(b)));
    }
}
