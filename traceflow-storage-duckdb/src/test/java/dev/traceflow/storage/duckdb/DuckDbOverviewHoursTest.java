package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.storage.MetricsOverview;
import dev.traceflow.storage.tests.InMemoryStorage;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.traceflow.storage.tests.QueryEvents.event;
import static dev.traceflow.storage.tests.QueryEvents.pageview;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The unfiltered overview from the cached sessions' {@code user_prev} and {@code overview_hours}
 * (schema V11, {@link DuckDbOverviewHours}): both must stay exact whichever order days are formed
 * in and whatever stores and deletes re-form, and ranges with partial edge hours must add up to the
 * reference backend's answer.
 */
class DuckDbOverviewHoursTest {

    private static final String APP = "hours";
    private static final Instant DAY1 = Instant.parse("2026-11-02T00:00:00Z");

    private static Instant at(int day, int hour, int minute) {
        return DAY1.plus(Duration.ofDays(day - 1)).plus(Duration.ofHours(hour)).plus(Duration.ofMinutes(minute));
    }

    private static EventQuery range(Instant from, Instant to) {
        return EventQuery.of(APP, from, to);
    }

    private static List<EventQuery> ranges() {
        return List.of(range(at(1, 0, 0), at(7, 0, 0)), range(at(5, 0, 0), at(7, 0, 0)),
                range(at(2, 9, 30), at(5, 12, 10)), range(at(4, 9, 0), at(4, 9, 40)),
                range(at(4, 8, 55), at(4, 10, 0)), range(at(3, 23, 59), at(6, 0, 1)), range(at(6, 8, 0), at(6, 9, 0)));
    }

    /**
     * "old" on days 1, 4 and 6 (release 1.1 on day 4); "tie" with two client sessions starting at
     * the same time on day 4 (Firefox) after one on day 2; "late" on days 5 and 6; "mid" on day 3; conversions with revenue, and a
     * page view of no session on day 4.
     */
    private static List<Event> visits() {
        List<Event> events = new ArrayList<>();
        for (int day : List.of(1, 4, 6)) {
            String release = day == 4 ? "1.1" : "1.0";
            events.add(pageview(APP, at(day, 9, 10), "/a").user("old").client("Firefox", "Linux", "desktop").release(release).build());
            events.add(pageview(APP, at(day, 9, 20), "/b").user("old").client("Firefox", "Linux", "desktop").release(release).build());
        }
        events.add(pageview(APP, at(2, 23, 50), "/").session("t-0").user("tie").release("1.1").build());
        for (String sid : List.of("t-b", "t-a")) {
            events.add(pageview(APP, at(4, 9, 30), "/").session(sid).user("tie").release("1.1").client("Firefox", "macOS", "desktop")
                    .build());
        }
        events.add(event(APP, EventType.CONVERSION, at(4, 9, 35)).session("t-a").user("tie").path("/")
                .properties(Map.of("revenue", 12.5)).build());
        for (int day : List.of(5, 6)) {
            events.add(pageview(APP, at(day, 8, 58), "/c").user("late").client("Chrome", "Windows", "desktop").build());
            events.add(event(APP, EventType.PURCHASE, at(day, 9, 1)).user("late").path("/c")
                    .properties(Map.of("revenue", 40.25)).build());
        }
        events.add(pageview(APP, at(3, 8, 0), "/d").anonymous("mid").build());
        events.add(pageview(APP, at(4, 9, 50), "/lost").build());
        return events;
    }

    @Test
    void theOverview_matchesTheReference_whenDaysAreFormedOutOfOrderAndReformedByStoresAndDeletes() throws Exception {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.refreshSessionsInBackground(false);
            duckdb.consumer().accept(visits());
            reference.consumer().accept(visits());
            // the newest days first, as the background refresh forms them; the earlier ones after
            assertThat(duckdb.sessions().count(range(at(5, 0, 0), at(7, 0, 0)))).isEqualTo(3);
            sameOverviews(duckdb, reference);

            // a store on day 3 re-forms days 2..4: "mid" returns, "old" gains a session before day 4's
            List<Event> more = List.of(pageview(APP, at(3, 7, 0), "/e").user("old").build(),
                    pageview(APP, at(3, 9, 0), "/d").anonymous("mid").build());
            duckdb.consumer().accept(more);
            reference.consumer().accept(more);
            sameOverviews(duckdb, reference);

            // retention drops days 1 and 2: "old" and "tie" start later now
            duckdb.consumer().deleteOlderThan(APP, at(3, 0, 0));
            reference.consumer().deleteOlderThan(APP, at(3, 0, 0));
            sameOverviews(duckdb, reference);

            duckdb.consumer().deleteUser(APP, "late", null);
            reference.consumer().deleteUser(APP, "late", null);
            sameOverviews(duckdb, reference);
        }
    }

    @Test
    void anOverviewOfNoneOrOneFilter_readsUserPrevAndTheHours_oneOfTwoFiltersTheSessions() throws Exception {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory()) {
            duckdb.refreshSessionsInBackground(false);
            duckdb.consumer().accept(visits());
            EventQuery days = range(at(1, 0, 0), at(7, 0, 0));
            EventQuery firefox = days.withFilters(new Filters(null, null, null, "Firefox", null, null, null));
            EventQuery two = days.withFilters(new Filters("1.1", null, null, "Firefox", null, null, null));
            MetricsOverview before = duckdb.metrics().overview(days);
            MetricsOverview firefoxBefore = duckdb.metrics().overview(firefox);
            MetricsOverview twoBefore = duckdb.metrics().overview(two);

            // stand-in values only the unfiltered path reads (never done outside tests)
            try (DuckDBConnection c = duckdb.database().connect(); Statement st = c.createStatement()) {
                st.execute("UPDATE session_cache SET user_prev = NULL, user_prev_browser = NULL, user_prev_release = NULL");
                st.execute("UPDATE overview_hours SET page_views = page_views + 100 WHERE hour = TIMESTAMP '2026-11-05 09:00:00'");
            }
            MetricsOverview after = duckdb.metrics().overview(days);
            // every session now counts as a visitor and as new
            assertThat(after.visitors()).isEqualTo(after.sessions()).isGreaterThan(before.visitors());
            assertThat(after.newUsers()).isEqualTo(after.sessions());
            assertThat(after.pageViews()).isEqualTo(before.pageViews() + 100);
            MetricsOverview firefoxAfter = duckdb.metrics().overview(firefox);
            assertThat(firefoxAfter.visitors()).isEqualTo(firefoxAfter.sessions()).isGreaterThan(firefoxBefore.visitors());
            assertThat(firefoxAfter.pageViews()).isEqualTo(firefoxBefore.pageViews() + 100);
            assertThat(duckdb.metrics().overview(two)).isEqualTo(twoBefore);
        }
    }

    /**
     * Two filters, release 1.1 and Firefox (sessions by their first event's columns, events by their
     * own): "both" matches both on days 2 and 5, and on day 5 a page view of its session is of
     * release 1.0 on Chrome; "half" matches one filter in each session, and a page view of its day-5
     * session has both values (counted as an event, not as a session); "early" first comes on day 1
     * with release 1.0 (a new user whose first session is before any range that starts later) and
     * matches both on day 4, with a client session and a purchase; a page view of no user or session
     * matches both on day 6.
     */
    private static List<Event> twoFilterVisits() {
        List<Event> events = new ArrayList<>();
        for (int day : List.of(2, 5)) {
            events.add(pageview(APP, at(day, 9, 10), "/a").user("both").client("Firefox", "Linux", "desktop").release("1.1").build());
            events.add(pageview(APP, at(day, 9, 25), "/b").user("both").client("Firefox", "Linux", "desktop").release("1.1").build());
        }
        events.add(pageview(APP, at(5, 9, 40), "/c").user("both").client("Chrome", "Linux", "desktop").release("1.0").build());
        events.add(pageview(APP, at(3, 8, 50), "/a").user("half").client("Chrome", "Windows", "desktop").release("1.1").build());
        events.add(pageview(APP, at(5, 9, 5), "/a").user("half").client("Firefox", "Windows", "desktop").release("1.0").build());
        events.add(pageview(APP, at(5, 9, 15), "/b").user("half").client("Firefox", "Windows", "desktop").release("1.1").build());
        events.add(pageview(APP, at(1, 22, 0), "/a").user("early").client("Firefox", "macOS", "desktop").release("1.0").build());
        events.add(pageview(APP, at(4, 8, 58), "/a").session("e-1").user("early").client("Firefox", "macOS", "desktop")
                .release("1.1").build());
        events.add(event(APP, EventType.PURCHASE, at(4, 9, 3)).session("e-1").user("early").path("/a")
                .client("Firefox", "macOS", "desktop").release("1.1").properties(Map.of("revenue", 12.5)).build());
        events.add(event(APP, EventType.CONVERSION, at(4, 9, 20)).session("e-1").user("early").path("/a")
                .release("1.1").properties(Map.of("revenue", 3.25)).build());
        events.add(pageview(APP, at(6, 8, 30), "/d").client("Firefox", "Android", "mobile").release("1.1").build());
        return events;
    }

    private static final List<Filters> TWO_FILTERS = List.of(new Filters("1.1", null, null, "Firefox", null, null, null),
            new Filters("1.0", null, null, "Firefox", null, null, null), new Filters("1.1", null, null, "Chrome", null, null, null),
            new Filters("1.1", null, null, "Firefox", null, "desktop", null), new Filters("1.1", null, "/a", "Firefox", null, null, null));

    @Test
    void theOverviewOfTwoFilters_matchesTheReference_forUsersAndEventsThatMatchOnlyOneFilter() throws Exception {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.refreshSessionsInBackground(false);
            duckdb.consumer().accept(twoFilterVisits());
            reference.consumer().accept(twoFilterVisits());
            List<EventQuery> ranges = new ArrayList<>(ranges());
            // no whole hour; partial first and last hours with matching events (early's and both's page
            // views); the days after "early"'s first
            ranges.add(range(at(4, 8, 59), at(4, 9, 21)));
            ranges.add(range(at(4, 8, 30), at(5, 9, 20)));
            ranges.add(range(at(4, 0, 0), at(7, 0, 0)));
            for (EventQuery range : ranges) {
                for (Filters f : TWO_FILTERS) {
                    EventQuery q = range.withFilters(f);
                    assertThat(duckdb.metrics().overview(q)).as("overview, %s", q).isEqualTo(reference.metrics().overview(q));
                }
            }
        }
    }

    @Test
    void theOverviewOfTwoFilters_readsTheEventsWholeHoursFromTheirRows_butWithAPathFilterTheEvents() throws Exception {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory()) {
            duckdb.refreshSessionsInBackground(false);
            duckdb.consumer().accept(twoFilterVisits());
            EventQuery days = range(at(1, 0, 0), at(7, 0, 0));
            EventQuery two = days.withFilters(new Filters("1.1", null, null, "Firefox", null, null, null));
            EventQuery withPath = days.withFilters(new Filters("1.1", null, "/a", "Firefox", null, null, null));
            MetricsOverview twoBefore = duckdb.metrics().overview(two);
            MetricsOverview withPathBefore = duckdb.metrics().overview(withPath);

            // stand-in values only the hours' rows hold (never done outside tests)
            try (DuckDBConnection c = duckdb.database().connect(); Statement st = c.createStatement()) {
                st.execute("""
                        UPDATE event_session_hours SET page_views = page_views + 100
                        WHERE hour = TIMESTAMP '2026-11-06 09:00:00' AND release = '1.1' AND browser = 'Firefox' AND os = 'Linux'""");
            }
            assertThat(duckdb.metrics().overview(two).pageViews()).isEqualTo(twoBefore.pageViews() + 100);
            assertThat(duckdb.metrics().overview(withPath)).isEqualTo(withPathBefore);
        }
    }

    /** No filter, one (the path of sessions is their entry page, of events their own), and two (answered by grouping). */
    private static final List<Filters> FILTERS = List.of(Filters.NONE,
            new Filters(null, null, null, "Firefox", null, null, null), new Filters(null, null, "/a", null, null, null, null),
            new Filters(null, null, "/b", null, null, null, null), new Filters("1.0", null, null, null, null, null, null),
            new Filters("1.1", null, null, "Firefox", null, null, null));

    private static void sameOverviews(DuckDbStorage duckdb, InMemoryStorage reference) throws SQLException {
        for (EventQuery range : ranges()) {
            for (Filters f : FILTERS) {
                EventQuery q = range.withFilters(f);
                assertThat(duckdb.metrics().overview(q)).as("overview, %s", q).isEqualTo(reference.metrics().overview(q));
            }
        }
        assertThat(wrongUserPrev(duckdb)).as("rows whose user_prev is not their user's previous start").isEmpty();
        assertThat(wrongHours(duckdb)).as("hours that differ from the cached rows and the events").isEmpty();
    }

    /** Rows whose user_prev (or user_prev_browser, _release, _path) differs from the previous start among the user's rows. */
    private static List<String> wrongUserPrev(DuckDbStorage duckdb) throws SQLException {
        List<String> wrong = new ArrayList<>();
        for (String column : List.of("", "browser", "release", "entry_page")) {
            String prev = column.isEmpty() ? "user_prev" : "user_prev_" + (column.equals("entry_page") ? "path" : column);
            String partition = column.isEmpty() ? "app_id, who" : "app_id, who, " + column;
            wrong.addAll(strings(duckdb, """
                    SELECT '%1$s of ' || id || ': ' || coalesce(%1$s::VARCHAR, 'NULL') || ', expected ' || coalesce(prev::VARCHAR, 'NULL')
                    FROM (SELECT *, lag(start_ts) OVER (PARTITION BY %2$s ORDER BY start_ts, id) AS prev
                          FROM session_cache WHERE who IS NOT NULL)
                    WHERE %1$s IS DISTINCT FROM prev""".formatted(prev, partition)));
        }
        return wrong;
    }

    /** Hours of the cached days whose sums over all sessions or events differ from the rows and events they sum. */
    private static List<String> wrongHours(DuckDbStorage duckdb) throws SQLException {
        return strings(duckdb, """
                WITH s AS (
                    SELECT date_trunc('hour', start_ts) AS hour, count(*) AS sessions, sum(page_views) AS views
                    FROM session_cache GROUP BY ALL
                ), e AS (
                    SELECT date_trunc('hour', ts) AS hour, count(*) FILTER (WHERE type = 'pageview') AS page_views
                    FROM events WHERE ts::DATE IN (SELECT day FROM session_cache_days) GROUP BY ALL
                ), expected AS (
                    SELECT hour, coalesce(s.sessions, 0) AS sessions, coalesce(s.views, 0) AS views,
                           coalesce(e.page_views, 0) AS page_views
                    FROM s FULL JOIN e USING (hour)
                )
                SELECT coalesce(x.hour, h.hour)::VARCHAR
                FROM expected x FULL JOIN (SELECT * FROM overview_hours WHERE dim = '') h USING (hour)
                WHERE x.sessions IS DISTINCT FROM h.sessions OR x.views IS DISTINCT FROM h.views
                   OR x.page_views IS DISTINCT FROM h.page_views""");
    }

    private static List<String> strings(DuckDbStorage duckdb, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (DuckDBConnection c = duckdb.database().connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
