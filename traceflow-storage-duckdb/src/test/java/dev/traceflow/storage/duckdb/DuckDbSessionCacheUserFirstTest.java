package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.query.MetricDimension;
import dev.traceflow.core.query.SeriesPoint;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.tests.InMemoryStorage;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;

import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static dev.traceflow.storage.tests.QueryEvents.pageview;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cached sessions' {@code user_first} (schema V10): each row's user's first session start,
 * which new and returning users read instead of grouping every cached session by user. It must
 * stay the minimum over the user's cached rows whichever order days are formed in and whatever
 * deletes re-form, or those answers drift from the reference backend's.
 */
class DuckDbSessionCacheUserFirstTest {

    private static final String APP = "firsts";
    private static final Instant DAY1 = Instant.parse("2026-11-02T00:00:00Z");

    private static Instant at(int day, int hour) {
        return DAY1.plus(Duration.ofDays(day - 1)).plus(Duration.ofHours(hour));
    }

    private static EventQuery days(int first, int last) {
        return EventQuery.of(APP, at(first, 0), at(last + 1, 0)).withSeries(Granularity.DAY, ZoneOffset.UTC);
    }

    /** "old" visits on days 1 and 5, "late" on days 5 and 6, "mid" on day 3 (with day 3 as the day before its second visit). */
    private static List<Event> visits() {
        List<Event> events = new ArrayList<>();
        for (int day : List.of(1, 5)) {
            events.add(pageview(APP, at(day, 12), "/a").user("old").client("Firefox", "Linux", "desktop").build());
        }
        for (int day : List.of(5, 6)) {
            events.add(pageview(APP, at(day, 9), "/b").user("late").client("Chrome", "Windows", "desktop").build());
        }
        events.add(pageview(APP, at(3, 8), "/c").anonymous("mid").build());
        events.add(pageview(APP, at(6, 8), "/c").anonymous("mid").build());
        return events;
    }

    @Test
    void newAndReturningUsers_areRightWhenEarlierDaysAreFormedAfterLaterOnes() {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.refreshSessionsInBackground(false);
            duckdb.consumer().accept(visits());
            reference.consumer().accept(visits());
            // days 5 and 6 first, as the background refresh forms them (newest first): then "old"
            // and "mid" look new there until the earlier days are formed
            assertThat(duckdb.sessions().count(days(5, 6))).isEqualTo(4);

            sameUsers(duckdb, reference, days(1, 6));
            sameUsers(duckdb, reference, days(5, 6));
        }
    }

    @Test
    void deletingAUsersFirstSessions_makesTheirLaterSessionTheFirst() {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.refreshSessionsInBackground(false);
            duckdb.consumer().accept(visits());
            reference.consumer().accept(visits());
            sameUsers(duckdb, reference, days(1, 6));

            // retention drops days 1 and 2: "old" first visits on day 5 now, so is new there
            duckdb.consumer().deleteOlderThan(APP, at(3, 0));
            reference.consumer().deleteOlderThan(APP, at(3, 0));
            sameUsers(duckdb, reference, days(3, 6));
            assertThat(values(duckdb.metrics().series(days(5, 5), Metric.NEW_USERS, null, 10))).containsExactly(2.0);

            duckdb.consumer().deleteUser(APP, "late", null);
            reference.consumer().deleteUser(APP, "late", null);
            sameUsers(duckdb, reference, days(3, 6));
        }
    }

    @Test
    void newUsersAndAFilteredOverview_readTheCachedRowsUserFirst_whenTheCacheHoldsTheAppsHistory() throws Exception {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory()) {
            duckdb.refreshSessionsInBackground(false);
            duckdb.consumer().accept(visits());
            // an unfiltered overview reads user_prev instead (DuckDbOverviewHoursTest)
            EventQuery firefox = days(5, 5).withFilters(new Filters(null, null, null, "Firefox", null, null, null));
            assertThat(values(duckdb.metrics().series(days(5, 5), Metric.NEW_USERS, null, 10))).containsExactly(1.0);
            assertThat(duckdb.metrics().overview(firefox).newUsers()).isEqualTo(0);

            // a stand-in value only this path reads: every session of day 5 marked as its user's first
            try (DuckDBConnection c = duckdb.database().connect(); Statement st = c.createStatement()) {
                st.execute("UPDATE session_cache SET user_first = start_ts WHERE day = DATE '2026-11-06'");
            }
            assertThat(values(duckdb.metrics().series(days(5, 5), Metric.NEW_USERS, null, 10))).containsExactly(2.0);
            assertThat(duckdb.metrics().overview(firefox).newUsers()).isEqualTo(1);
        }
    }

    private static void sameUsers(EventStorage duckdb, EventStorage reference, EventQuery q) {
        for (Metric m : List.of(Metric.NEW_USERS, Metric.RETURNING_USERS)) {
            for (MetricDimension d : new MetricDimension[] {null, MetricDimension.BROWSER}) {
                List<SeriesPoint> expected = reference.metrics().series(q, m, d, 10);
                assertThat(duckdb.metrics().series(q, m, d, 10)).as("%s by %s, %s", m, d, q).isEqualTo(expected);
            }
        }
        assertThat(duckdb.metrics().overview(q)).as("overview, %s", q).usingRecursiveComparison()
                .isEqualTo(reference.metrics().overview(q));
    }

    private static List<Double> values(List<SeriesPoint> points) {
        return points.stream().map(SeriesPoint::value).toList();
    }
}
