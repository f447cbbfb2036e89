package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.storage.ProductQueries.ActiveUsers;
import dev.traceflow.storage.tests.InMemoryStorage;
import dev.traceflow.storage.tests.QueryEvents;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.traceflow.storage.tests.QueryEvents.pageview;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Active users from the per-hour users ({@link DuckDbActiveUserHours}, schema V12) answer what the
 * reference answers from the events: ranges not hour-aligned, Berlin's DST end (a 25-hour day),
 * a zone behind UTC, weeks and months, filters; after new events and deletes re-form days; and
 * minute buckets, a path with another filter and a half-hour zone are still answered from the events.
 */
class DuckDbActiveUserHoursTest {

    private static final String APP = "active";
    /** Berlin's clocks go back on 2026-10-25 at 01:00 UTC, in the middle of these six days. */
    private static final Instant START = Instant.parse("2026-10-22T00:00:00Z");
    private static final List<ZoneId> ZONES = List.of(ZoneOffset.UTC, ZoneId.of("Europe/Berlin"),
            ZoneId.of("America/New_York"), ZoneId.of("Asia/Kolkata"));

    /** A browser, a device type, both, a release (which some events lack), a path, a path and a browser. */
    private static final List<Filters> FILTERS = List.of(
            new Filters(null, null, null, "Firefox", null, null, null),
            new Filters(null, null, null, null, null, "mobile", null),
            new Filters(null, null, null, "Chrome", null, "desktop", null),
            new Filters("2.0", null, null, null, null, null, null),
            new Filters(null, null, "/p1", null, null, null, null),
            new Filters(null, null, "/p2", "Chrome", null, null, null));

    /** 40 users (by user id, anonymous id or session alone) with events at random times over six days. */
    private static List<Event> events(long seed, int count) {
        Random r = new Random(seed);
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Instant t = START.plusSeconds(r.nextInt(6 * 86_400));
            int who = r.nextInt(40);
            // a user's events differ in browser, device and release, so a row per combination is kept
            QueryEvents e = pageview(APP, t, "/p" + (i % 3)).client(r.nextBoolean() ? "Firefox" : "Chrome", "Linux",
                    r.nextInt(3) == 0 ? "desktop" : "mobile");
            if (r.nextBoolean()) {
                e.release(r.nextBoolean() ? "1.0" : "2.0");
            }
            switch (who % 3) {
                case 0 -> e.user("u" + who).anonymous("a" + who);
                case 1 -> e.anonymous("a" + who);
                default -> e.session("s" + who);
            }
            events.add(e.build());
        }
        return events;
    }

    /** Ranges: hour-aligned, and not (from 7 minutes past, to 13 minutes before), across the DST end. */
    private static List<EventQuery> queries() {
        List<EventQuery> out = new ArrayList<>();
        List<Instant[]> ranges = List.of(
                new Instant[]{START.plus(Duration.ofDays(1)), START.plus(Duration.ofDays(4))},
                new Instant[]{START.plus(Duration.ofMinutes(60 * 26 + 7)), START.plus(Duration.ofDays(5)).minus(Duration.ofMinutes(13))},
                new Instant[]{START.plus(Duration.ofMinutes(60 * 70 + 7)), START.plus(Duration.ofMinutes(60 * 75 + 50))},
                new Instant[]{START.minus(Duration.ofDays(3)), START.plus(Duration.ofDays(9))});
        for (Instant[] range : ranges) {
            for (ZoneId zone : ZONES) {
                for (Granularity g : List.of(Granularity.HOUR, Granularity.DAY, Granularity.WEEK, Granularity.MONTH)) {
                    out.add(EventQuery.of(APP, range[0], range[1]).withSeries(g, zone));
                }
                for (Filters f : FILTERS) {
                    out.add(EventQuery.of(APP, range[0], range[1]).withSeries(Granularity.DAY, zone).withFilters(f));
                    out.add(EventQuery.of(APP, range[0], range[1]).withSeries(Granularity.HOUR, zone).withFilters(f));
                }
            }
        }
        return out;
    }

    private static void sameAnswers(DuckDbStorage duckdb, InMemoryStorage reference, List<EventQuery> queries) {
        for (EventQuery q : queries) {
            List<ActiveUsers> expected = reference.product().activeUsers(q);
            assertThat(duckdb.product().activeUsers(q)).as("%s %s %s..%s", q.granularity(), q.zone(), q.from(), q.to())
                    .isEqualTo(expected);
        }
    }

    @Test
    void activeUsers_answerAsTheReference_overWholeAndPartialBuckets_inEveryZoneAndGranularity() {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.consumer().accept(events(16, 1500));
            reference.consumer().accept(events(16, 1500));
            sameAnswers(duckdb, reference, queries());
        }
    }

    @Test
    void hourRows_areFormedWithTheDays_andReformedAfterNewEventsAndDeletes() throws Exception {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.refreshSessionsInBackground(false);
            duckdb.consumer().accept(events(1, 800));
            reference.consumer().accept(events(1, 800));
            EventQuery days = EventQuery.of(APP, START, START.plus(Duration.ofDays(6))).withSeries(Granularity.DAY, ZoneOffset.UTC);
            sameAnswers(duckdb, reference, List.of(days));
            assertThat(rows(duckdb, "SELECT count(*) FROM active_user_hours WHERE app_id = 'active' AND first_of_hour"))
                    .as("formed with the days: one marked row per hour and user")
                    .isEqualTo(rows(duckdb, """
                            SELECT count(*) FROM (SELECT DISTINCT date_trunc('hour', ts), coalesce(user_id, anonymous_id, session_id)
                            FROM events WHERE app_id = 'active')"""));

            // new events on day 3 re-form days 2 to 4
            duckdb.consumer().accept(events(2, 300));
            reference.consumer().accept(events(2, 300));
            sameAnswers(duckdb, reference, queries());

            // a user's events deleted (an opt-out), then retention: their days re-form without them
            assertThat(rows(duckdb, "SELECT count(*) FROM active_user_ids WHERE who = 'u3'")).isOne();
            duckdb.consumer().deleteUser(APP, "u3", "a3");
            reference.consumer().deleteUser(APP, "u3", "a3");
            sameAnswers(duckdb, reference, queries());
            assertThat(rows(duckdb, "SELECT count(*) FROM active_user_ids WHERE who = 'u3'")).as("forgotten with their rows").isZero();
            duckdb.consumer().deleteOlderThan(APP, START.plus(Duration.ofHours(50)));
            reference.consumer().deleteOlderThan(APP, START.plus(Duration.ofHours(50)));
            sameAnswers(duckdb, reference, queries());
        }
    }

    /**
     * Which answers read the rows: with the rows emptied behind the cache's back, hour and day
     * buckets of whole-hour zones (with a browser filter, a path filter or none) lose their whole
     * buckets' users, while minute buckets, a path with a browser and India's half-hour offset keep
     * theirs (answered from the events).
     */
    @Test
    void wholeBucketsReadTheRows_minuteFiltersAndHalfHourZonesReadTheEvents() throws Exception {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.refreshSessionsInBackground(false);
            duckdb.consumer().accept(events(3, 600));
            reference.consumer().accept(events(3, 600));
            Instant from = START.plus(Duration.ofMinutes(60 * 26 + 7));
            Instant to = START.plus(Duration.ofDays(4)).minus(Duration.ofMinutes(13));
            List<EventQuery> fromRows = new ArrayList<>();
            for (ZoneId zone : List.of(ZoneOffset.UTC, ZoneId.of("Europe/Berlin"))) {
                for (Granularity g : List.of(Granularity.HOUR, Granularity.DAY)) {
                    fromRows.add(EventQuery.of(APP, from, to).withSeries(g, zone));
                    fromRows.add(EventQuery.of(APP, from, to).withSeries(g, zone).withFilters(FILTERS.getFirst()));
                    fromRows.add(EventQuery.of(APP, from, to).withSeries(g, zone).withFilters(FILTERS.get(4)));
                }
            }
            List<EventQuery> fromEvents = List.of(
                    EventQuery.of(APP, from, from.plus(Duration.ofHours(5))).withSeries(Granularity.MINUTE, ZoneOffset.UTC),
                    EventQuery.of(APP, from, to).withSeries(Granularity.DAY, ZoneOffset.UTC).withFilters(FILTERS.getLast()),
                    EventQuery.of(APP, from, to).withSeries(Granularity.HOUR, ZoneId.of("Asia/Kolkata")));
            sameAnswers(duckdb, reference, fromRows);
            sameAnswers(duckdb, reference, fromEvents);

            try (DuckDBConnection c = duckdb.database().connect(); Statement st = c.createStatement()) {
                st.execute("DELETE FROM active_user_hours");
                st.execute("DELETE FROM active_user_paths");
            }
            for (EventQuery q : fromRows) {
                assertThat(duckdb.product().activeUsers(q)).as("%s %s", q.granularity(), q.zone())
                        .isNotEqualTo(reference.product().activeUsers(q));
            }
            sameAnswers(duckdb, reference, fromEvents);
        }
    }

    /** A file whose days were cached before V12 gets their rows from the migration, as forming would make them. */
    @Test
    void migration_fillsTheRowsOfDaysCachedBeforeIt() throws Exception {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.refreshSessionsInBackground(false);
            duckdb.consumer().accept(events(4, 900));
            reference.consumer().accept(events(4, 900));
            EventQuery days = EventQuery.of(APP, START, START.plus(Duration.ofDays(6))).withSeries(Granularity.DAY, ZoneOffset.UTC);
            duckdb.sessions().count(days);
            String script;
            try (InputStream in = DuckDbSchema.class.getResourceAsStream("schema/V12__active_user_hours.sql")) {
                script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            List<String> statements = DuckDbSchema.statements(script);
            try (DuckDBConnection c = duckdb.database().connect(); Statement st = c.createStatement()) {
                st.execute("DELETE FROM active_user_hours");
                st.execute("DELETE FROM active_user_paths");
                st.execute("DELETE FROM active_user_ids");
                // the script's statements but its tables' creation
                for (String sql : statements) {
                    if (!sql.startsWith("CREATE TABLE")) {
                        st.execute(sql);
                    }
                }
            }
            assertThat(duckdb.sessionDaysFormed()).as("formed once, before the migration").isEqualTo(6);
            sameAnswers(duckdb, reference, queries().stream()
                    .filter(q -> !q.from().isBefore(START) && !q.to().isAfter(days.to())).toList());
            assertThat(duckdb.sessionDaysFormed()).as("no day formed again: the answers read the migrated rows").isEqualTo(6);
        }
    }

    private static long rows(DuckDbStorage duckdb, String sql) throws SQLException {
        try (DuckDBConnection c = duckdb.database().connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
