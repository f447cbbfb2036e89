package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.query.MetricDimension;
import dev.traceflow.storage.tests.InMemoryStorage;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Event metrics by a session dimension with a path filter from the per-hour, per-path sums
 * ({@link DuckDbEventSessionHours}, schema V17) answer what the reference answers: whole and
 * partial hours in UTC and in Berlin across its DST end, hour, day and week buckets, every metric
 * and session dimension; with the events of {@link #events}: sessions
 * across hours and midnight, events of no session, events whose path is not their session's entry
 * page; after new events, an opt-out and retention. A path filter with another filter still joins.
 */
class DuckDbEventSessionPathHoursTest {

    private static final String APP = "evh";
    /** Berlin's clocks go back on 2026-10-25 at 01:00 UTC, in the middle of these six days. */
    private static final Instant START = Instant.parse("2026-10-22T00:00:00Z");
    private static final List<ZoneId> ZONES = List.of(ZoneOffset.UTC, ZoneId.of("Europe/Berlin"));
    private static final List<Metric> METRICS = List.of(Metric.EVENTS, Metric.PAGE_VIEWS, Metric.CONVERSIONS, Metric.REVENUE);
    private static final List<MetricDimension> DIMENSIONS = List.of(MetricDimension.BROWSER, MetricDimension.OS,
            MetricDimension.DEVICE_TYPE, MetricDimension.COUNTRY, MetricDimension.TRAFFIC_SOURCE);
    private static final List<Filters> PATHS = List.of(path("/p0"), path("/p1"), path("/p2"), path("/nowhere"));
    /** A path with another filter: the path rows keep no other filter column. */
    private static final Filters PATH_AND_BROWSER = new Filters(null, null, "/p1", "Firefox", null, null, null);

    private static Filters path(String path) {
        return new Filters(null, null, path, null, null, null, null);
    }

    /** Partial edge hours, whole days, shorter than an hour, hour-aligned hours, wider than the data. */
    private static List<Instant[]> ranges() {
        return List.of(
                new Instant[]{START.plus(Duration.ofMinutes(60 * 26 + 7)), START.plus(Duration.ofDays(5)).minus(Duration.ofMinutes(13))},
                new Instant[]{START.plus(Duration.ofDays(1)), START.plus(Duration.ofDays(4))},
                new Instant[]{START.plus(Duration.ofMinutes(60 * 70 + 7)), START.plus(Duration.ofMinutes(60 * 70 + 50))},
                new Instant[]{START.plus(Duration.ofMinutes(60 * 70 + 50)), START.plus(Duration.ofMinutes(60 * 73 + 10))},
                new Instant[]{START.plus(Duration.ofHours(49)), START.plus(Duration.ofHours(52))},
                new Instant[]{START.minus(Duration.ofDays(3)), START.plus(Duration.ofDays(9))});
    }

    /** Every range in every zone by hour, day and week, each with one of the paths in turn. */
    private static List<EventQuery> queries(List<Filters> filters) {
        List<EventQuery> out = new ArrayList<>();
        List<Granularity> granularities = List.of(Granularity.HOUR, Granularity.DAY, Granularity.WEEK);
        int i = 0;
        for (Instant[] range : ranges()) {
            for (ZoneId zone : ZONES) {
                for (Granularity g : granularities) {
                    out.add(EventQuery.of(APP, range[0], range[1]).withSeries(g, zone).withFilters(filters.get(i++ % filters.size())));
                }
            }
        }
        return out;
    }

    private static void sameAnswers(DuckDbStorage duckdb, InMemoryStorage reference, List<EventQuery> queries,
                                    List<MetricDimension> dimensions) {
        for (EventQuery q : queries) {
            for (Metric m : METRICS) {
                for (MetricDimension d : dimensions) {
                    assertThat(duckdb.metrics().series(q, m, d, 10))
                            .as("%s by %s, %s %s %s..%s %s", m, d, q.granularity(), q.zone(), q.from(), q.to(), q.filters())
                            .isEqualTo(reference.metrics().series(q, m, d, 10));
                }
            }
        }
    }

    /**
     * {@link DuckDbEventSessionHoursTest#events}, with two of every three conversions and
     * purchases on a path (a checkout page), so that a path filter counts conversions too.
     */
    private static List<Event> events(long seed, int visits) {
        List<Event> events = DuckDbEventSessionHoursTest.events(START, seed, visits);
        int conversions = 0;
        for (Event e : events) {
            if (e.path() == null && (e.type() == EventType.CONVERSION || e.type() == EventType.PURCHASE) && conversions++ % 3 != 0) {
                e.path("/p" + conversions % 3);
            }
        }
        return events;
    }

    private static void accept(DuckDbStorage duckdb, InMemoryStorage reference, List<Event> events) {
        duckdb.consumer().accept(events);
        reference.consumer().accept(events);
    }

    @Test
    void everyMetricAndSessionDimension_withAPath_answersAsTheReference_andAfterNewEventsAndDeletes() {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.refreshSessionsInBackground(false);
            accept(duckdb, reference, events(16, 700));
            List<EventQuery> queries = queries(PATHS);
            sameAnswers(duckdb, reference, queries, DIMENSIONS);
            assertThat(rows(duckdb, "SELECT sum(events) FROM event_session_path_hours WHERE app_id = 'evh' AND dim = 'browser'"))
                    .as("formed with the days: every event with a path in one row per dimension")
                    .isEqualTo(rows(duckdb, "SELECT count(*) FROM events WHERE app_id = 'evh' AND path IS NOT NULL"))
                    .isEqualTo(rows(duckdb, "SELECT sum(events) FROM event_session_path_hours WHERE app_id = 'evh' AND dim = 'country'"));

            // new events on every day re-form the days, then an opt-out and retention
            List<MetricDimension> dims = List.of(MetricDimension.BROWSER, MetricDimension.TRAFFIC_SOURCE);
            accept(duckdb, reference, events(2, 200));
            sameAnswers(duckdb, reference, queries, dims);
            duckdb.consumer().deleteUser(APP, "u5", "a5");
            reference.consumer().deleteUser(APP, "u5", "a5");
            duckdb.consumer().deleteOlderThan(APP, START.plus(Duration.ofHours(50)));
            reference.consumer().deleteOlderThan(APP, START.plus(Duration.ofHours(50)));
            sameAnswers(duckdb, reference, queries, dims);
            assertThat(rows(duckdb, "SELECT sum(events) FROM event_session_path_hours WHERE app_id = 'evh' AND dim = 'os' "
                    + "AND day IN (SELECT day FROM session_cache_days WHERE app_id = 'evh')"))
                    .as("the cached days' rows hold the events left")
                    .isEqualTo(rows(duckdb, "SELECT count(*) FROM events WHERE app_id = 'evh' AND path IS NOT NULL "
                            + "AND ts::DATE IN (SELECT day FROM session_cache_days WHERE app_id = 'evh')"));
        }
    }

    /**
     * Which answers read the rows: with a stand-in value planted in every path row behind the
     * cache's back, whole hours with a path filter show it, while a path with another filter and
     * minute buckets join the events (and so answer as the reference).
     */
    @Test
    void wholeHoursWithAPathReadTheRows_aPathWithAnotherFilterAndMinutesJoinTheEvents() throws Exception {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.refreshSessionsInBackground(false);
            accept(duckdb, reference, events(3, 400));
            List<EventQuery> fromRows = queries(PATHS.subList(0, 3)).stream()
                    .filter(q -> Duration.between(q.from(), q.to()).toHours() >= 2 && q.from().isAfter(START)).toList();
            List<EventQuery> fromEvents = new ArrayList<>(queries(List.of(PATH_AND_BROWSER)));
            fromEvents.add(EventQuery.of(APP, ranges().getFirst()[0], ranges().getFirst()[0].plus(Duration.ofHours(3)))
                    .withSeries(Granularity.MINUTE, ZoneOffset.UTC).withFilters(path("/p1")));
            List<MetricDimension> browser = List.of(MetricDimension.BROWSER);
            sameAnswers(duckdb, reference, fromRows, browser);
            sameAnswers(duckdb, reference, fromEvents, browser);

            try (DuckDBConnection c = duckdb.database().connect(); Statement st = c.createStatement()) {
                st.execute("UPDATE event_session_path_hours SET dim_value = 'Planted' WHERE dim = 'browser'");
            }
            for (EventQuery q : fromRows) {
                assertThat(duckdb.metrics().series(q, Metric.EVENTS, MetricDimension.BROWSER, 10))
                        .as("%s %s %s..%s %s", q.granularity(), q.zone(), q.from(), q.to(), q.filters())
                        .anySatisfy(p -> assertThat(p.dimensionValue()).isEqualTo("Planted"));
            }
            sameAnswers(duckdb, reference, fromEvents, browser);
        }
    }

    /** A file whose days were cached before V17 gets their rows from the migration, as forming would make them. */
    @Test
    void migration_fillsTheRowsOfDaysCachedBeforeIt() throws Exception {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.refreshSessionsInBackground(false);
            accept(duckdb, reference, events(5, 500));
            EventQuery days = EventQuery.of(APP, START, START.plus(Duration.ofDays(6))).withSeries(Granularity.DAY, ZoneOffset.UTC);
            duckdb.sessions().count(days);
            long formed = duckdb.sessionDaysFormed();
            String script;
            try (InputStream in = DuckDbSchema.class.getResourceAsStream("schema/V17__event_session_path_hours.sql")) {
                script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            try (DuckDBConnection c = duckdb.database().connect(); Statement st = c.createStatement()) {
                st.execute("DELETE FROM event_session_path_hours");
                // the script's statements but its table's creation
                for (String sql : DuckDbSchema.statements(script)) {
                    if (!sql.startsWith("CREATE TABLE")) {
                        st.execute(sql);
                    }
                }
            }
            List<EventQuery> queries = queries(PATHS).stream()
                    .filter(q -> q.from().isAfter(START) && !q.to().isAfter(days.to())).toList();
            sameAnswers(duckdb, reference, queries, DIMENSIONS);
            assertThat(duckdb.sessionDaysFormed()).as("no day formed again: the answers read the migrated rows").isEqualTo(formed);
        }
    }

    private static long rows(DuckDbStorage duckdb, String sql) {
        try (DuckDBConnection c = duckdb.database().connect(); Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
