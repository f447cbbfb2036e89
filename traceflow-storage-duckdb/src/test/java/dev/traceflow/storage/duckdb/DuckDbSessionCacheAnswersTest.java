package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.query.MetricDimension;
import dev.traceflow.core.query.SeriesPoint;
import dev.traceflow.core.query.SessionSummary;
import dev.traceflow.core.storage.MetricsOverview;
import dev.traceflow.core.storage.PageTransition;
import dev.traceflow.core.storage.SessionDetail;
import dev.traceflow.core.storage.StoredEvent;
import dev.traceflow.storage.tests.InMemoryStorage;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.traceflow.storage.tests.QueryEvents.event;
import static dev.traceflow.storage.tests.QueryEvents.pageview;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Paths, a session's detail, event metrics broken down by a session dimension and the overview read
 * {@link DuckDbSessionCache}'s rows (schema V6) and answer exactly what forming the sessions from
 * the events answers: across midnight, without a client sessionId, and (answered from the events)
 * for sessions longer than the horizon.
 */
class DuckDbSessionCacheAnswersTest {

    private static final String APP = "answers";
    private static final Instant DAY1 = Instant.parse("2026-11-02T00:00:00Z");

    private static Instant at(int day, String time) {
        return DAY1.plus(Duration.ofDays(day - 1)).plus(Duration.between(Instant.parse("2000-01-01T00:00:00Z"),
                Instant.parse("2000-01-01T" + time + "Z")));
    }

    private static EventQuery days(int first, int last) {
        return EventQuery.of(APP, DAY1.plus(Duration.ofDays(first - 1)), DAY1.plus(Duration.ofDays(last)))
                .withSeries(Granularity.DAY, ZoneOffset.UTC);
    }

    /**
     * Day 2 23:50 to day 3 00:10: a visitor without sessionId (Firefox, from search) and a client
     * session (Safari, direct), each with events on both days; and a visitor on day 3 alone.
     */
    private static List<Event> acrossMidnight() {
        List<Event> events = new ArrayList<>();
        events.add(pageview(APP, at(2, "23:50:00"), "/late").anonymous("night").client("Firefox", "Linux", "desktop")
                .trafficSource("search").build());
        events.add(pageview(APP, at(3, "00:05:00"), "/later").anonymous("night").client("Chrome", "Linux", "desktop")
                .trafficSource("direct").build());
        events.add(event(APP, EventType.CLICK, at(3, "00:06:00")).anonymous("night").path("/later").build());
        events.add(pageview(APP, at(2, "23:55:00"), "/in").session("tab").client("Safari", "macOS", "desktop")
                .trafficSource("direct").build());
        events.add(pageview(APP, at(3, "00:10:00"), "/out").session("tab").user("u-tab").build());
        events.add(pageview(APP, at(3, "09:00:00"), "/late").anonymous("morning").client("Firefox", "Windows", "desktop")
                .build());
        events.add(event(APP, EventType.CLICK, at(3, "09:30:00")).path("/late").build());
        return events;
    }

    @Test
    void sessionsAcrossMidnight_answerAsFormedFromTheEvents_withAndWithoutSessionId() {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.consumer().accept(acrossMidnight());
            reference.consumer().accept(acrossMidnight());
            for (EventQuery q : List.of(days(1, 4), days(2, 2), days(3, 3), days(3, 4))) {
                DuckDbSessionCacheTest.sameAnswers(duckdb, reference, q);
            }

            // the visit without sessionId belongs to day 2, with its events of both days
            SessionSummary night = duckdb.sessions().summaries(days(2, 2)).stream()
                    .filter(s -> "night".equals(s.user())).findFirst().orElseThrow();
            SessionDetail detail = duckdb.sessions().session(days(2, 2), night.id()).orElseThrow();
            assertThat(detail.events()).extracting(StoredEvent::timestamp)
                    .containsExactly(at(2, "23:50:00").toEpochMilli(), at(3, "00:05:00").toEpochMilli(),
                            at(3, "00:06:00").toEpochMilli());
            assertThat(duckdb.sessions().session(days(3, 3), night.id())).as("not a session of day 3").isEmpty();
            assertThat(duckdb.sessions().transitions(days(2, 2), 10)).containsExactlyInAnyOrder(
                    new PageTransition(PageTransition.ENTRY, "/late", 1), new PageTransition("/late", "/later", 1),
                    new PageTransition(PageTransition.ENTRY, "/in", 1), new PageTransition("/in", "/out", 1));
            // day 3's page views by browser: both visits from day 2 count with their first event's browser
            assertThat(duckdb.metrics().series(days(3, 3), Metric.PAGE_VIEWS, MetricDimension.BROWSER, 10))
                    .extracting(SeriesPoint::dimensionValue, SeriesPoint::value)
                    .containsExactlyInAnyOrder(tuple("Firefox", 2.0),
                            tuple("Safari", 1.0));
        }
    }

    /**
     * A user back on day 3 after a Chrome visit on day 1, one new on day 3 and a client session on
     * day 4, all three on Firefox in the range: the overview counts the first as returning even where
     * the filter leaves out the visit that made them so.
     */
    private static List<Event> returningAndNew() {
        List<Event> events = new ArrayList<>();
        events.add(pageview(APP, at(1, "10:00:00"), "/").anonymous("back").client("Chrome", "Linux", "desktop").build());
        events.add(pageview(APP, at(3, "10:00:00"), "/").anonymous("back").client("Firefox", "Linux", "desktop").build());
        events.add(pageview(APP, at(3, "10:05:00"), "/pricing").anonymous("back").client("Firefox", "Linux", "desktop").build());
        events.add(pageview(APP, at(3, "12:00:00"), "/").anonymous("fresh").client("Firefox", "Windows", "desktop").build());
        events.add(event(APP, EventType.CONVERSION, at(3, "12:01:00")).anonymous("fresh").path("/").build());
        events.add(pageview(APP, at(4, "09:00:00"), "/docs").session("tab").user("u-tab").client("Firefox", "macOS", "desktop")
                .build());
        return events;
    }

    @Test
    void theOverview_fromCachedSessions_answersAsFormedFromTheEvents_withFiltersAndReturningUsers() throws SQLException {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.consumer().accept(returningAndNew());
            reference.consumer().accept(returningAndNew());
            EventQuery firefox = days(3, 4).withFilters(new Filters(null, null, null, "Firefox", null, null, null));
            List<EventQuery> queries = List.of(days(1, 4), days(3, 4), days(2, 3), days(1, 1), firefox,
                    days(1, 4).withFilters(new Filters(null, null, "/", null, null, null, null)));
            List<MetricsOverview> live = new ArrayList<>();
            duckdb.useSessionCache(false);
            for (EventQuery q : queries) {
                live.add(duckdb.metrics().overview(q));
            }
            duckdb.useSessionCache(true);
            for (int i = 0; i < queries.size(); i++) {
                EventQuery q = queries.get(i);
                assertThat(duckdb.metrics().overview(q)).as("cached, %s", q).isEqualTo(live.get(i))
                        .isEqualTo(reference.metrics().overview(q));
            }
            MetricsOverview f = duckdb.metrics().overview(firefox);
            assertThat(List.of(f.visitors(), f.sessions(), f.newUsers(), f.returningUsers(), f.engagedSessions()))
                    .containsExactly(3L, 3L, 2L, 1L, 2L);

            // answered from what the cache holds: rows changed by hand (never done outside tests) show;
            // with two filters (one or none read the hours of DuckDbOverviewHoursTest): the sums of whole
            // hours from session_filter_hours (V19), the users and the partial hours from session_cache
            EventQuery firefoxDesktop = firefox.withFilters(new Filters(null, null, null, "Firefox", null, "desktop", null));
            assertThat(duckdb.metrics().overview(firefoxDesktop)).isEqualTo(f);
            try (DuckDBConnection c = duckdb.database().connect(); Statement st = c.createStatement()) {
                st.execute("UPDATE session_filter_hours SET views = 5 WHERE hour = TIMESTAMP '2026-11-05 09:00:00'");
                st.execute("UPDATE session_cache SET user_first = TIMESTAMP '2026-11-04 10:00:00' WHERE who = 'back'");
            }
            MetricsOverview edited = duckdb.metrics().overview(firefoxDesktop);
            assertThat(edited.pagesPerSession()).isEqualTo((2 + 1 + 5) / 3.0);
            assertThat(List.of(edited.newUsers(), edited.returningUsers())).containsExactly(3L, 0L);
            EventQuery partialHours = EventQuery.of(APP, at(3, "09:30:00"), at(4, "09:30:00")).withFilters(firefoxDesktop.filters());
            assertThat(duckdb.metrics().overview(partialHours).pagesPerSession()).isEqualTo((2 + 1 + 1) / 3.0);
        }
    }

    /**
     * What the cache holds shows in the answer: a cached row changed by hand (never done outside
     * this test) changes paths, the detail and the breakdown, which forming from the events would not.
     */
    @Test
    void pathsDetailAndSessionBreakdownsReadTheCachedRows() throws SQLException {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory()) {
            duckdb.consumer().accept(acrossMidnight());
            EventQuery q = days(2, 3);
            List<PageTransition> paths = duckdb.sessions().transitions(q, 10);
            String tab = "tab";
            SessionDetail detail = duckdb.sessions().session(q, tab).orElseThrow();
            assertThat(detail.summary().browser()).isEqualTo("Safari");

            try (DuckDBConnection c = duckdb.database().connect(); Statement st = c.createStatement()) {
                st.execute("UPDATE session_cache SET browser = 'Cached', "
                        + "transitions = [{'from_page': NULL, 'to_page': '/cached'}] WHERE id = 'tab'");
                // whole hours of an event breakdown read the session's value from the hour sums formed with it (V13)
                st.execute("UPDATE event_session_hours SET s_browser = 'Cached' WHERE s_browser = 'Safari'");
            }

            assertThat(duckdb.sessions().transitions(q, 10)).as("was %s", paths)
                    .contains(new PageTransition(PageTransition.ENTRY, "/cached", 1))
                    .doesNotContain(new PageTransition("/in", "/out", 1));
            assertThat(duckdb.sessions().session(q, tab)).get()
                    .satisfies(d -> assertThat(d.summary().browser()).isEqualTo("Cached"))
                    .satisfies(d -> assertThat(d.events()).isEqualTo(detail.events()));
            assertThat(duckdb.metrics().series(days(3, 3), Metric.PAGE_VIEWS, MetricDimension.BROWSER, 10))
                    .extracting(SeriesPoint::dimensionValue).contains("Cached").doesNotContain("Safari");

            duckdb.useSessionCache(false);
            assertThat(duckdb.sessions().transitions(q, 10)).isEqualTo(paths);
        }
    }

    /**
     * A client sessionId equal to a user's id, at the same time as that user's visit without one:
     * the breakdown by a session dimension finds an event's cached session by its session id or by
     * its user and time (one join for both), never a session of the other kind.
     */
    @Test
    void aClientSessionIdEqualToAUserId_breaksDownEachEventByItsOwnKindOfSession() {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            List<Event> events = List.of(
                    pageview(APP, at(3, "10:00:00"), "/a").session("bob").client("Safari", "macOS", "desktop").build(),
                    pageview(APP, at(3, "10:01:00"), "/b").session("bob").build(),
                    pageview(APP, at(3, "10:00:30"), "/a").user("bob").client("Firefox", "Linux", "desktop").build(),
                    pageview(APP, at(3, "10:02:00"), "/c").user("bob").client("Chrome", "Linux", "desktop").build());
            duckdb.consumer().accept(events);
            reference.consumer().accept(events);
            DuckDbSessionCacheTest.sameAnswers(duckdb, reference, days(3, 3));
            assertThat(duckdb.metrics().series(days(3, 3), Metric.PAGE_VIEWS, MetricDimension.BROWSER, 10))
                    .extracting(SeriesPoint::dimensionValue, SeriesPoint::value)
                    .containsExactlyInAnyOrder(tuple("Safari", 2.0), tuple("Firefox", 2.0));
        }
    }

    /**
     * Conversions by a session dimension join only the cached sessions that can hold them (of the
     * range, with conversions): a conversion still takes its session's value when the session
     * started the day before the range, and one of no session keeps its own.
     */
    @Test
    void conversionsByASessionDimension_takeTheirSessionsValue_fromTheDayBeforeToo() {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            List<Event> events = new ArrayList<>(acrossMidnight());
            events.add(event(APP, EventType.PURCHASE, at(3, "00:08:00")).session("tab").client("Chrome", "Linux", "mobile")
                    .properties(Map.of("revenue", 5)).build());
            events.add(event(APP, EventType.CONVERSION, at(3, "00:07:00")).anonymous("night").client("Edge", "Windows", "desktop")
                    .build());
            events.add(event(APP, EventType.CONVERSION, at(3, "09:40:00")).client("Opera", "Windows", "desktop").build());
            // a session of the day before without conversions: not joined, and no event of the range is its
            events.add(pageview(APP, at(2, "08:00:00"), "/early").session("early").client("Safari", "iOS", "mobile").build());
            duckdb.consumer().accept(events);
            reference.consumer().accept(events);
            DuckDbSessionCacheTest.sameAnswers(duckdb, reference, days(3, 3));
            for (Metric m : List.of(Metric.CONVERSIONS, Metric.REVENUE)) {
                for (MetricDimension d : List.of(MetricDimension.BROWSER, MetricDimension.DEVICE_TYPE, MetricDimension.OS)) {
                    assertThat(duckdb.metrics().series(days(3, 3), m, d, 10)).as(m + " by " + d)
                            .isEqualTo(reference.metrics().series(days(3, 3), m, d, 10));
                }
            }
            assertThat(duckdb.metrics().series(days(3, 3), Metric.CONVERSIONS, MetricDimension.BROWSER, 10))
                    .extracting(SeriesPoint::dimensionValue, SeriesPoint::value)
                    .containsExactlyInAnyOrder(tuple("Safari", 1.0), tuple("Firefox", 1.0), tuple("Opera", 1.0));
        }
    }

    /**
     * New and returning users by a session dimension count each cell's users once, and keep a
     * dimension value whose users are all of the other kind, at 0.
     */
    @Test
    void newAndReturningUsersByADimension_keepAValueWithNoneOfTheKind() {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            List<Event> events = List.of(
                    pageview(APP, at(1, "10:00:00"), "/a").user("old").client("Firefox", "Linux", "desktop").build(),
                    pageview(APP, at(3, "10:00:00"), "/a").user("old").client("Chrome", "Linux", "desktop").build(),
                    pageview(APP, at(3, "14:00:00"), "/b").user("old").client("Chrome", "Linux", "desktop").build(),
                    pageview(APP, at(3, "11:00:00"), "/a").user("fresh").client("Firefox", "Linux", "desktop").build(),
                    pageview(APP, at(3, "15:00:00"), "/b").user("fresh").client("Firefox", "Linux", "desktop").build());
            duckdb.consumer().accept(events);
            reference.consumer().accept(events);
            for (Metric m : List.of(Metric.NEW_USERS, Metric.RETURNING_USERS)) {
                assertThat(duckdb.metrics().series(days(3, 3), m, MetricDimension.BROWSER, 10)).as(m.wireName())
                        .isEqualTo(reference.metrics().series(days(3, 3), m, MetricDimension.BROWSER, 10));
            }
            assertThat(duckdb.metrics().series(days(3, 3), Metric.NEW_USERS, MetricDimension.BROWSER, 10))
                    .extracting(SeriesPoint::dimensionValue, SeriesPoint::value)
                    .containsExactlyInAnyOrder(tuple("Firefox", 1.0), tuple("Chrome", 0.0));
            assertThat(duckdb.metrics().series(days(3, 3), Metric.RETURNING_USERS, MetricDimension.BROWSER, 10))
                    .extracting(SeriesPoint::dimensionValue, SeriesPoint::value)
                    .containsExactlyInAnyOrder(tuple("Chrome", 1.0), tuple("Firefox", 0.0));
        }
    }

    @Test
    void aClientSessionIdThatLooksFormed_keepsItsOwnEvents() {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            List<Event> events = new ArrayList<>(acrossMidnight());
            // a client id starting with ~ like formed ids, with a user who also has events without one
            events.add(pageview(APP, at(3, "12:00:00"), "/a").session("~0123456789abcdef").user("both").build());
            events.add(pageview(APP, at(3, "12:01:00"), "/b").user("both").build());
            duckdb.consumer().accept(events);
            reference.consumer().accept(events);
            DuckDbSessionCacheTest.sameAnswers(duckdb, reference, days(3, 3));
            assertThat(duckdb.sessions().session(days(3, 3), "~0123456789abcdef")).get()
                    .satisfies(d -> assertThat(d.events()).singleElement()
                            .satisfies(e -> assertThat(e.path()).isEqualTo("/a")));
        }
    }
}
