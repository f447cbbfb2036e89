package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.query.MetricDimension;
import dev.traceflow.storage.tests.InMemoryStorage;
import dev.traceflow.storage.tests.QueryEvents;
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
import java.util.Map;
import java.util.Random;

import static dev.traceflow.storage.tests.QueryEvents.event;
import static dev.traceflow.storage.tests.QueryEvents.pageview;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Event metrics by a session dimension from the per-hour sums ({@link DuckDbEventSessionHours},
 * schema V13) answer what the reference answers: ranges with partial edge hours, whole days and
 * shorter than an hour, in UTC, Berlin across its DST end and a zone behind UTC; filters; all four
 * metrics by all five session dimensions; sessions across hours and midnight, events of no session,
 * client sessions (one whose id is a user's); after new events, deletes, and newest days formed
 * first; and a path filter, minute buckets and a half-hour zone falling back still join the events.
 */
class DuckDbEventSessionHoursTest {

    private static final String APP = "evh";
    /** Berlin's clocks go back on 2026-10-25 at 01:00 UTC, in the middle of these six days. */
    private static final Instant START = Instant.parse("2026-10-22T00:00:00Z");
    /** Adelaide's clocks (a half-hour offset) go back from +10:30 to +9:30 on 2026-04-04 at 16:30 UTC, in these six days. */
    private static final Instant APRIL = Instant.parse("2026-04-02T00:00:00Z");
    private static final String APRIL_APP = "evh-april";
    private static final List<ZoneId> ZONES = List.of(ZoneOffset.UTC, ZoneId.of("Europe/Berlin"), ZoneId.of("America/New_York"));
    private static final List<Metric> METRICS = List.of(Metric.EVENTS, Metric.PAGE_VIEWS, Metric.CONVERSIONS, Metric.REVENUE);
    private static final List<MetricDimension> DIMENSIONS = List.of(MetricDimension.BROWSER, MetricDimension.OS,
            MetricDimension.DEVICE_TYPE, MetricDimension.COUNTRY, MetricDimension.TRAFFIC_SOURCE);
    /** A browser, a release and a browser, a device type. */
    private static final List<Filters> FILTERS = List.of(
            new Filters(null, null, null, "Firefox", null, null, null),
            new Filters("2.0", null, null, "Chrome", null, null, null),
            new Filters(null, null, null, null, null, "mobile", null));
    private static final Filters PATH = new Filters(null, null, "/p1", null, null, null, null);
    private static final String[] BROWSERS = {"Firefox", "Chrome", "Safari"};
    private static final String[] COUNTRIES = {"DE", "FR", "US"};
    private static final String[] SOURCES = {"direct", "search", "social"};

    /**
     * 60 visitors' visits of one to six events a few minutes apart (so across hours and midnight),
     * by user, anonymous id or client session (some client ids are users' ids), each event with its
     * own browser, device, country and source (a session takes its first's); and events of no one.
     */
    static List<Event> events(Instant start, long seed, int visits) {
        return events(APP, start, seed, visits);
    }

    /** As {@link #events(Instant, long, int)} for {@code app}; ids differ by seed (a client id reused far apart makes days unsafe). */
    static List<Event> events(String app, Instant start, long seed, int visits) {
        Random r = new Random(seed);
        List<Event> events = new ArrayList<>();
        for (int v = 0; v < visits; v++) {
            Instant t = start.plusSeconds(r.nextInt(6 * 86_400));
            int who = r.nextInt(60);
            int n = 1 + r.nextInt(6);
            for (int i = 0; i < n; i++) {
                int kind = r.nextInt(10);
                QueryEvents e = kind < 6 ? pageview(app, t, "/p" + r.nextInt(3))
                        : kind < 8 ? event(app, EventType.CLICK, t).path("/p" + r.nextInt(3))
                        : event(app, kind == 8 ? EventType.CONVERSION : EventType.PURCHASE, t)
                                .properties(Map.of("revenue", r.nextInt(8) * 0.5));
                e.client(BROWSERS[r.nextInt(3)], r.nextBoolean() ? "Linux" : "Windows", r.nextInt(3) == 0 ? "desktop" : "mobile")
                        .country(COUNTRIES[r.nextInt(3)]).trafficSource(SOURCES[r.nextInt(3)]);
                if (r.nextBoolean()) {
                    e.release(r.nextBoolean() ? "1.0" : "2.0");
                }
                switch (who % 5) {
                    case 0, 1 -> e.user("u" + who).anonymous("a" + who);
                    case 2 -> e.anonymous("a" + who);
                    case 3 -> e.session("s" + seed + "-" + who + "-" + v);
                    default -> {
                        // a client session whose id is a user's (one visit per seed), or no session
                        if (v == seed % 12 * 5 && r.nextBoolean()) {
                            e.session("u" + v);
                        }
                    }
                }
                events.add(e.build());
                t = t.plusSeconds(60 + r.nextInt(25 * 60));
            }
        }
        return events;
    }

    /** Partial edge hours, whole days, shorter than an hour, hour-aligned hours, wider than the data. */
    private static List<Instant[]> ranges(Instant start) {
        return List.of(
                new Instant[]{start.plus(Duration.ofMinutes(60 * 26 + 7)), start.plus(Duration.ofDays(5)).minus(Duration.ofMinutes(13))},
                new Instant[]{start.plus(Duration.ofDays(1)), start.plus(Duration.ofDays(4))},
                new Instant[]{start.plus(Duration.ofMinutes(60 * 70 + 7)), start.plus(Duration.ofMinutes(60 * 70 + 50))},
                new Instant[]{start.plus(Duration.ofMinutes(60 * 70 + 50)), start.plus(Duration.ofMinutes(60 * 73 + 10))},
                new Instant[]{start.plus(Duration.ofHours(49)), start.plus(Duration.ofHours(52))},
                new Instant[]{start.minus(Duration.ofDays(3)), start.plus(Duration.ofDays(9))});
    }

    private static List<EventQuery> queries(List<ZoneId> zones, List<Filters> filters) {
        List<EventQuery> out = new ArrayList<>();
        List<Granularity> granularities = List.of(Granularity.HOUR, Granularity.DAY, Granularity.WEEK, Granularity.MONTH);
        for (Instant[] range : ranges(START)) {
            for (ZoneId zone : zones) {
                for (Granularity g : granularities) {
                    out.add(EventQuery.of(APP, range[0], range[1]).withSeries(g, zone));
                }
                for (int i = 0; i < filters.size(); i++) {
                    out.add(EventQuery.of(APP, range[0], range[1]).withSeries(granularities.get(i % 2), zone).withFilters(filters.get(i)));
                }
            }
        }
        return out;
    }

    private static int sameAnswers(DuckDbStorage duckdb, InMemoryStorage reference, List<EventQuery> queries,
                                   List<MetricDimension> dimensions) {
        int compared = 0;
        for (EventQuery q : queries) {
            for (Metric m : METRICS) {
                for (MetricDimension d : dimensions) {
                    assertThat(duckdb.metrics().series(q, m, d, 10))
                            .as("%s by %s, %s %s %s..%s %s", m, d, q.granularity(), q.zone(), q.from(), q.to(), q.filters())
                            .isEqualTo(reference.metrics().series(q, m, d, 10));
                    compared++;
                }
            }
        }
        return compared;
    }

    @Test
    void everyMetricAndSessionDimension_answersAsTheReference_overWholeAndPartialHours_inEveryZone() {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.consumer().accept(events(START, 16, 700));
            reference.consumer().accept(events(START, 16, 700));
            List<EventQuery> queries = queries(ZONES, FILTERS);
            // every dimension unfiltered in UTC, the browser and device type everywhere
            sameAnswers(duckdb, reference, queries.subList(0, 7), DIMENSIONS);
            sameAnswers(duckdb, reference, queries, List.of(MetricDimension.BROWSER, MetricDimension.DEVICE_TYPE));
            assertThat(rows(duckdb, "SELECT sum(events) FROM event_session_hours WHERE app_id = 'evh'"))
                    .as("formed with the days: every event in one row")
                    .isEqualTo(rows(duckdb, "SELECT count(*) FROM events WHERE app_id = 'evh'"));
        }
    }

    @Test
    void hourRows_areReformed_afterNewEventsAndDeletes_andWithNewestDaysFormedFirst() {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.refreshSessionsInBackground(false);
            duckdb.consumer().accept(events(START, 1, 500));
            reference.consumer().accept(events(START, 1, 500));
            List<MetricDimension> dims = List.of(MetricDimension.BROWSER, MetricDimension.COUNTRY);
            // the last days first, then the earlier ones: runs formed newest first
            EventQuery last = EventQuery.of(APP, START.plus(Duration.ofDays(4)), START.plus(Duration.ofDays(6)))
                    .withSeries(Granularity.DAY, ZoneOffset.UTC);
            sameAnswers(duckdb, reference, List.of(last), dims);
            sameAnswers(duckdb, reference, queries(List.of(ZoneOffset.UTC, ZoneId.of("Europe/Berlin")), FILTERS), dims);

            // new events on every day re-form the days (sessions now merge across the old ones)
            duckdb.consumer().accept(events(START, 2, 200));
            reference.consumer().accept(events(START, 2, 200));
            sameAnswers(duckdb, reference, queries(List.of(ZoneOffset.UTC, ZoneId.of("Europe/Berlin")), FILTERS), dims);

            // an opt-out, then retention: their days re-form without the events
            duckdb.consumer().deleteUser(APP, "u5", "a5");
            reference.consumer().deleteUser(APP, "u5", "a5");
            duckdb.consumer().deleteOlderThan(APP, START.plus(Duration.ofHours(50)));
            reference.consumer().deleteOlderThan(APP, START.plus(Duration.ofHours(50)));
            sameAnswers(duckdb, reference, queries(List.of(ZoneOffset.UTC, ZoneId.of("Europe/Berlin")), FILTERS), dims);
        }
    }

    /**
     * Which answers read the rows: with a stand-in browser planted in every row behind the cache's
     * back, whole hours of whole-hour zones (unfiltered or with filters) show it, while a path
     * filter, minute buckets and Adelaide's half-hour offset (falling back) join the events.
     */
    @Test
    void wholeHoursReadTheRows_pathMinutesAndHalfHourZonesJoinTheEvents() throws Exception {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.refreshSessionsInBackground(false);
            List<Event> events = new ArrayList<>(events(START, 3, 400));
            events.addAll(events(APRIL_APP, APRIL, 4, 400));
            duckdb.consumer().accept(events);
            reference.consumer().accept(events);
            // ranges with whole hours, filters that leave events in them
            List<EventQuery> fromRows = queries(List.of(ZoneOffset.UTC, ZoneId.of("Europe/Berlin")), FILTERS).stream()
                    .filter(q -> Duration.between(q.from(), q.to()).toHours() >= 2 && q.from().isAfter(START)
                            && q.filters().release() == null).toList();
            List<EventQuery> fromEvents = new ArrayList<>();
            for (Instant[] range : ranges(START)) {
                fromEvents.add(EventQuery.of(APP, range[0], range[1]).withSeries(Granularity.DAY, ZoneOffset.UTC).withFilters(PATH));
            }
            fromEvents.add(EventQuery.of(APP, ranges(START).getFirst()[0], ranges(START).getFirst()[0].plus(Duration.ofHours(3)))
                    .withSeries(Granularity.MINUTE, ZoneOffset.UTC));
            for (Instant[] range : ranges(APRIL)) {
                fromEvents.add(EventQuery.of(APRIL_APP, range[0], range[1])
                        .withSeries(Granularity.HOUR, ZoneId.of("Australia/Adelaide")));
                fromEvents.add(EventQuery.of(APRIL_APP, range[0], range[1]).withSeries(Granularity.DAY, ZoneId.of("Australia/Adelaide")));
            }
            List<MetricDimension> browser = List.of(MetricDimension.BROWSER);
            sameAnswers(duckdb, reference, fromRows, browser);
            sameAnswers(duckdb, reference, fromEvents, browser);

            try (DuckDBConnection c = duckdb.database().connect(); Statement st = c.createStatement()) {
                st.execute("UPDATE event_session_hours SET s_browser = 'Planted'");
            }
            for (EventQuery q : fromRows) {
                assertThat(duckdb.metrics().series(q, Metric.EVENTS, MetricDimension.BROWSER, 10))
                        .as("%s %s %s", q.granularity(), q.zone(), q.filters())
                        .anySatisfy(p -> assertThat(p.dimensionValue()).isEqualTo("Planted"));
            }
            sameAnswers(duckdb, reference, fromEvents, browser);
        }
    }

    /** A file whose days were cached before V13 gets their rows from the migration, as forming would make them. */
    @Test
    void migration_fillsTheRowsOfDaysCachedBeforeIt() throws Exception {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.refreshSessionsInBackground(false);
            duckdb.consumer().accept(events(START, 5, 500));
            reference.consumer().accept(events(START, 5, 500));
            EventQuery days = EventQuery.of(APP, START, START.plus(Duration.ofDays(6))).withSeries(Granularity.DAY, ZoneOffset.UTC);
            duckdb.sessions().count(days);
            long formed = duckdb.sessionDaysFormed();
            String script;
            try (InputStream in = DuckDbSchema.class.getResourceAsStream("schema/V13__event_session_hours.sql")) {
                script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            try (DuckDBConnection c = duckdb.database().connect(); Statement st = c.createStatement()) {
                st.execute("DELETE FROM event_session_hours");
                // the script's statements but its table's creation
                for (String sql : DuckDbSchema.statements(script)) {
                    if (!sql.startsWith("CREATE TABLE")) {
                        st.execute(sql);
                    }
                }
            }
            List<EventQuery> queries = queries(List.of(ZoneOffset.UTC, ZoneId.of("Europe/Berlin")), FILTERS).stream()
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
