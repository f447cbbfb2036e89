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
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.MetricsOverview;
import dev.traceflow.core.storage.SessionDetail;
import dev.traceflow.core.storage.StoredEvent;
import dev.traceflow.storage.tests.GeneratedDataset;
import dev.traceflow.storage.tests.InMemoryStorage;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.traceflow.storage.tests.QueryEvents.event;
import static dev.traceflow.storage.tests.QueryEvents.pageview;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * {@link DuckDbSessionCache}: days are formed once and reused, writes and deletes outdate exactly
 * the days whose sessions they can change, and every answer equals the one formed from the events
 * (the cache turned off) and the reference backend's.
 */
class DuckDbSessionCacheTest {

    private static final String APP = "cached";
    private static final Instant DAY1 = Instant.parse("2026-11-02T00:00:00Z");

    @TempDir
    Path dir;

    private static Instant day(int n) {
        return DAY1.plus(Duration.ofDays(n - 1));
    }

    private static Instant at(int dayNumber, String time) {
        return day(dayNumber).plus(Duration.between(Instant.parse("2000-01-01T00:00:00Z"),
                Instant.parse("2000-01-01T" + time + "Z")));
    }

    private static EventQuery days(int first, int last) {
        return EventQuery.of(APP, day(first), day(last + 1)).withSeries(Granularity.DAY, ZoneOffset.UTC);
    }

    /** One visitor's visit of two page views on each of six days. */
    private static List<Event> sixDays() {
        List<Event> events = new ArrayList<>();
        for (int d = 1; d <= 6; d++) {
            events.add(pageview(APP, at(d, "12:00:00"), "/home").anonymous("a-" + d).build());
            events.add(pageview(APP, at(d, "12:05:00"), "/shop").anonymous("a-" + d).build());
        }
        return events;
    }

    @Test
    void aDayIsFormedOnce_thenReadFromTheCache() {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory()) {
            // counts the days reads form: none formed in the background
            duckdb.refreshSessionsInBackground(false);
            duckdb.consumer().accept(sixDays());

            assertThat(duckdb.sessions().count(days(1, 6))).isEqualTo(6);
            assertThat(duckdb.sessionDaysFormed()).as("each day of the range once").isEqualTo(6);

            assertThat(duckdb.sessions().count(days(1, 6))).isEqualTo(6);
            assertThat(duckdb.sessions().summaries(days(2, 3))).hasSize(2);
            assertThat(duckdb.metrics().series(days(1, 6), Metric.BOUNCE_RATE, null, 10)).hasSize(6);
            assertThat(duckdb.sessionDaysFormed()).as("nothing formed again").isEqualTo(6);

            assertThat(duckdb.sessions().count(days(5, 8))).isEqualTo(2);
            assertThat(duckdb.sessionDaysFormed()).as("only the two new days").isEqualTo(8);
        }
    }

    /**
     * The day before an app's first events is versioned (its events outdate it) but holds no
     * session: new users (every day of the app's history) and event metrics by a session dimension
     * (the day before the range too) answer without forming it.
     */
    @Test
    void theDayBeforeTheAppsFirstEvents_isNotFormed() {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            // counts the days reads form: none formed in the background
            duckdb.refreshSessionsInBackground(false);
            duckdb.consumer().accept(sixDays());
            reference.consumer().accept(sixDays());

            for (Metric m : List.of(Metric.NEW_USERS, Metric.RETURNING_USERS, Metric.PAGE_VIEWS)) {
                MetricDimension d = m == Metric.PAGE_VIEWS ? MetricDimension.BROWSER : null;
                assertThat(duckdb.metrics().series(days(1, 6), m, d, 10)).as(m.wireName())
                        .isEqualTo(reference.metrics().series(days(1, 6), m, d, 10));
            }
            assertThat(duckdb.metrics().overview(days(1, 6))).isEqualTo(reference.metrics().overview(days(1, 6)));
            assertThat(duckdb.sessionDaysFormed()).as("days 1 to 6, not day 0").isEqualTo(6);
        }
    }

    /**
     * Events stored before days had versions (schema V5): the first versioned day may hold events,
     * and the days before it too; they are formed, not taken for empty.
     */
    @Test
    void daysWithEventsBeforeTheFirstVersionedDay_areFormed() throws SQLException {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.refreshSessionsInBackground(false);
            duckdb.consumer().accept(sixDays());
            reference.consumer().accept(sixDays());
            try (DuckDBConnection c = duckdb.database().connect(); Statement st = c.createStatement()) {
                st.execute("DELETE FROM day_versions WHERE app_id = '" + APP + "' AND day < DATE '2026-11-04'");
            }
            assertThat(duckdb.sessions().count(days(1, 6))).isEqualTo(6);
            for (Metric m : List.of(Metric.NEW_USERS, Metric.PAGE_VIEWS)) {
                MetricDimension d = m == Metric.PAGE_VIEWS ? MetricDimension.BROWSER : null;
                assertThat(duckdb.metrics().series(days(3, 6), m, d, 10)).as(m.wireName())
                        .isEqualTo(reference.metrics().series(days(3, 6), m, d, 10));
            }
        }
    }

    @Test
    void newEventsOutdateTheirDayAndTheDaysEitherSide_andTheAnswerChanges() {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory()) {
            // counts the days reads form: none formed in the background
            duckdb.refreshSessionsInBackground(false);
            duckdb.consumer().accept(sixDays());
            assertThat(duckdb.sessions().count(days(1, 6))).isEqualTo(6);
            long formed = duckdb.sessionDaysFormed();

            // day 3: a new visitor, a new session
            duckdb.consumer().accept(List.of(pageview(APP, at(3, "08:00:00"), "/new").anonymous("new").build()));

            assertThat(duckdb.sessions().count(days(1, 6))).isEqualTo(7);
            assertThat(duckdb.sessionDaysFormed() - formed).as("days 2, 3 and 4").isEqualTo(3);

            // an event 20 minutes after day 4's visit joins that session: its page views change
            formed = duckdb.sessionDaysFormed();
            duckdb.consumer().accept(List.of(pageview(APP, at(4, "12:25:00"), "/more").anonymous("a-4").build()));
            List<SessionSummary> day4 = duckdb.sessions().summaries(days(4, 4));
            assertThat(day4).singleElement().satisfies(s -> {
                assertThat(s.pageViews()).isEqualTo(3);
                assertThat(s.exitPage()).isEqualTo("/more");
            });
            assertThat(duckdb.sessionDaysFormed() - formed).as("only day 4 was asked for").isEqualTo(1);
        }
    }

    @Test
    void anEventJustAfterMidnightChangesTheSessionThatStartedTheDayBefore() {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            List<Event> late = List.of(pageview(APP, at(2, "23:50:00"), "/late").user("u").build());
            duckdb.consumer().accept(late);
            reference.consumer().accept(late);
            assertThat(duckdb.sessions().summaries(days(1, 3))).isEqualTo(reference.sessions().summaries(days(1, 3)));

            List<Event> after = List.of(pageview(APP, at(3, "00:10:00"), "/after").user("u").build());
            duckdb.consumer().accept(after);
            reference.consumer().accept(after);

            for (EventQuery q : List.of(days(1, 3), days(2, 2), days(3, 3), days(3, 5))) {
                assertThat(duckdb.sessions().summaries(q)).as("%s", q).isEqualTo(reference.sessions().summaries(q));
            }
            assertThat(duckdb.sessions().summaries(days(2, 2))).singleElement()
                    .satisfies(s -> assertThat(s.pageViews()).isEqualTo(2));
        }
    }

    @Test
    void deletesOutdateTheCachedDays() {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            List<Event> events = new ArrayList<>(sixDays());
            events.add(pageview(APP, at(3, "15:00:00"), "/x").user("leaving").build());
            events.add(pageview(APP, at(5, "15:00:00"), "/y").user("leaving").build());
            duckdb.consumer().accept(events);
            reference.consumer().accept(events);
            sameAnswers(duckdb, reference, days(1, 6));

            duckdb.consumer().deleteUser(APP, "leaving", null);
            reference.consumer().deleteUser(APP, "leaving", null);
            assertThat(duckdb.sessions().count(days(1, 6))).isEqualTo(6);
            sameAnswers(duckdb, reference, days(1, 6));

            duckdb.consumer().deleteOlderThan(APP, day(3));
            reference.consumer().deleteOlderThan(APP, day(3));
            assertThat(duckdb.sessions().count(days(1, 6))).isEqualTo(4);
            sameAnswers(duckdb, reference, days(1, 6));

            duckdb.consumer().deleteApp(APP);
            reference.consumer().deleteApp(APP);
            assertThat(duckdb.sessions().count(days(1, 6))).isZero();
            sameAnswers(duckdb, reference, days(1, 6));
        }
    }

    @Test
    void answersWithAndWithoutTheCacheAgree_onGeneratedData_inAFile() {
        try (DuckDbStorage duckdb = new DuckDbStorage(dir.resolve("c.duckdb"), 1, "512MB", 100_000);
             InMemoryStorage reference = new InMemoryStorage()) {
            for (long seed = 1; seed <= 2; seed++) {
                GeneratedDataset dataset = GeneratedDataset.small(seed, APP);
                List<Event> events = dataset.events();
                // in two loads: the second lands in days the first one's answers cached
                int half = events.size() / 2;
                duckdb.consumer().accept(events.subList(0, half));
                reference.consumer().accept(events.subList(0, half));
                Random r = new Random(seed);
                for (int round = 0; round < 2; round++) {
                    for (int i = 0; i < 3; i++) {
                        Instant from = dataset.start().plus(Duration.ofMinutes(r.nextInt(3 * 24 * 60)));
                        Instant to = from.plus(Duration.ofMinutes(60 + r.nextInt(3 * 24 * 60)));
                        Filters filters = r.nextBoolean() ? Filters.NONE : new Filters(null, null, null, "Chrome", null, null, null);
                        EventQuery q = EventQuery.of(APP, from, to).withFilters(filters)
                                .withSeries(r.nextBoolean() ? Granularity.HOUR : Granularity.DAY, ZoneOffset.UTC);
                        sameAnswers(duckdb, reference, q);
                        duckdb.useSessionCache(false);
                        try {
                            sameAnswers(duckdb, reference, q);
                        } finally {
                            duckdb.useSessionCache(true);
                        }
                    }
                    if (round == 0) {
                        duckdb.consumer().accept(events.subList(half, events.size()));
                        reference.consumer().accept(events.subList(half, events.size()));
                    }
                }
            }
            assertThat(duckdb.sessionDaysFormed()).as("the cache was used").isPositive();
        }
    }

    @Test
    void sessionsLongerThanTheHorizonAreAnsweredAsFromTheEvents() {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            List<Event> events = new ArrayList<>(sixDays());
            // a client session id reused three days apart, and one spanning 30 hours
            events.add(pageview(APP, at(2, "10:00:00"), "/a").session("reused").user("r").build());
            events.add(pageview(APP, at(5, "10:00:00"), "/b").session("reused").user("r").build());
            events.add(pageview(APP, at(3, "01:00:00"), "/c").session("long").build());
            events.add(pageview(APP, at(4, "07:00:00"), "/d").session("long").build());
            // a user busy every 20 minutes for 26 hours
            for (int m = 0; m <= 26 * 60; m += 20) {
                events.add(event(APP, EventType.CLICK, at(1, "06:00:00").plus(Duration.ofMinutes(m))).user("busy").build());
            }
            duckdb.consumer().accept(events);
            reference.consumer().accept(events);
            for (int first = 1; first <= 5; first++) {
                for (int last : new int[] {first, first + 1, 6}) {
                    sameAnswers(duckdb, reference, days(first, last));
                }
            }
            EventQuery notAligned = EventQuery.of(APP, at(2, "09:00:00"), at(5, "11:00:00"))
                    .withSeries(Granularity.DAY, ZoneOffset.UTC);
            sameAnswers(duckdb, reference, notAligned);
        }
    }

    /**
     * A reader racing the loader: every load adds one session to a day the reads have cached, and
     * every read must count at least the sessions committed before it started (a stale cached day
     * would count fewer) and at most those committed when it ended.
     */
    @Test
    void aReadRacingLoadsNeverServesStaleSessions() throws Exception {
        try (DuckDbStorage duckdb = new DuckDbStorage(dir.resolve("r.duckdb"), 2, "512MB", 100_000)) {
            duckdb.consumer().accept(sixDays());
            EventQuery q = days(1, 6);
            assertThat(duckdb.sessions().count(q)).isEqualTo(6);
            int loads = 40;
            AtomicInteger committed = new AtomicInteger();
            AtomicBoolean done = new AtomicBoolean();
            List<String> wrong = new CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                while (!done.get()) {
                    int before = committed.get();
                    long count = duckdb.sessions().count(q);
                    MetricsOverview overview = duckdb.metrics().overview(q);
                    int after = committed.get();
                    if (count < 6 + before || count > 6 + after || overview.sessions() < 6 + before
                            || overview.sessions() > 6 + after) {
                        wrong.add("count " + count + ", overview " + overview.sessions() + " with " + before + ".." + after
                                + " loads committed");
                    }
                }
            });
            reader.start();
            for (int i = 0; i < loads; i++) {
                // on a cached day, hours apart: a new session each
                duckdb.consumer().accept(List.of(pageview(APP, at(3, "00:00:00").plus(Duration.ofMinutes(40L * i)), "/r")
                        .anonymous("racer").build()));
                committed.incrementAndGet();
            }
            done.set(true);
            reader.join();
            assertThat(wrong).isEmpty();
            assertThat(duckdb.sessions().count(q)).isEqualTo(6 + loads);
        }
    }

    /**
     * The answers read from sessions, compared with the reference backend's: lists and metrics,
     * and those that need more than a session's summary (paths, each session's detail, event
     * metrics broken down by a session dimension).
     */
    static void sameAnswers(EventStorage duckdb, EventStorage reference, EventQuery q) {
        List<SessionSummary> sessions = reference.sessions().summaries(q);
        assertThat(duckdb.sessions().summaries(q)).as("sessions, %s", q).isEqualTo(sessions);
        assertThat(duckdb.sessions().transitions(q, 1000)).as("paths, %s", q)
                .isEqualTo(reference.sessions().transitions(q, 1000));
        // about 20 sessions spread over the list: a detail is one query each
        for (int i = 0; i < sessions.size(); i += Math.max(1, sessions.size() / 20)) {
            SessionSummary s = sessions.get(i);
            SessionDetail expected = reference.sessions().session(q, s.id()).orElseThrow();
            assertThat(duckdb.sessions().session(q, s.id())).as("session %s, %s", s.id(), q).get().satisfies(d -> {
                assertThat(d.summary()).isEqualTo(expected.summary());
                // the events themselves, not every typed field: the backends read a click stored
                // without coordinates back differently (zeros against none), whichever way its session is found
                assertThat(d.events()).extracting(StoredEvent::type, StoredEvent::timestamp, StoredEvent::path,
                                StoredEvent::properties)
                        .containsExactlyElementsOf(expected.events().stream()
                                .map(e -> tuple(e.type(), e.timestamp(), e.path(), e.properties())).toList());
            });
        }
        for (MetricDimension d : List.of(MetricDimension.BROWSER, MetricDimension.TRAFFIC_SOURCE)) {
            for (Metric m : List.of(Metric.EVENTS, Metric.PAGE_VIEWS, Metric.REVENUE)) {
                sameSeries(duckdb.metrics().series(q, m, d, 10), reference.metrics().series(q, m, d, 10), m + " by " + d, q);
            }
        }
        assertThat(duckdb.sessions().count(q)).as("count, %s", q).isEqualTo(reference.sessions().count(q));
        assertThat(duckdb.metrics().overview(q)).as("overview, %s", q).usingRecursiveComparison()
                .withComparatorForType((a, b) -> close(a, b) ? 0 : Double.compare(a, b), Double.class)
                .isEqualTo(reference.metrics().overview(q));
        for (Metric m : List.of(Metric.SESSIONS, Metric.BOUNCE_RATE, Metric.AVG_SESSION_DURATION, Metric.VISITORS,
                Metric.NEW_USERS, Metric.RETURNING_USERS)) {
            sameSeries(duckdb.metrics().series(q, m, null, 10), reference.metrics().series(q, m, null, 10), m.toString(), q);
        }
    }

    private static void sameSeries(List<SeriesPoint> actual, List<SeriesPoint> expected, String what, EventQuery q) {
        assertThat(actual).as("%s, %s", what, q).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i).ts()).isEqualTo(expected.get(i).ts());
            assertThat(actual.get(i).dimensionValue()).as("%s point %d, %s", what, i, q).isEqualTo(expected.get(i).dimensionValue());
            assertThat(close(actual.get(i).value(), expected.get(i).value()))
                    .as("%s point %d, %s: %s, expected %s", what, i, q, actual.get(i), expected.get(i)).isTrue();
        }
    }

    private static boolean close(double a, double b) {
        return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.max(Math.abs(a), Math.abs(b)));
    }
}
