package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.SessionSummary;
import dev.traceflow.core.storage.PerformanceQueries;
import dev.traceflow.core.storage.StoredEvent;
import dev.traceflow.storage.tests.GeneratedDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.traceflow.storage.tests.QueryEvents.event;
import static dev.traceflow.storage.tests.QueryEvents.pageview;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link DuckDbCompactor}: closed days are rewritten per app in (type, time) order without losing,
 * duplicating or changing a row or an answer; late events make a range due again; a failure inside
 * a rewrite leaves everything as it was; a loader and deletes running at the same time lose nothing
 * and conflict with nothing; the file does not grow with every rewrite.
 */
class DuckDbCompactorTest {

    /** A Monday: the dataset spans two whole ISO weeks and the first days of a third. */
    private static final Instant START = Instant.parse("2026-10-26T00:00:00Z");
    private static final List<String> APPS = List.of("alpha", "beta");

    private static GeneratedDataset dataset(int visits) {
        return new GeneratedDataset(11, APPS, 30, visits, START, 17);
    }

    private static DuckDbStorage store(Path file, int rowGroupSize) {
        return new DuckDbStorage(file, 1, "512MB", 1_000_000, "16MB", rowGroupSize);
    }

    @Test
    void compactClosedRanges_keepsEveryRowAndAnswer_andStoresEachAppsRangeInTypeThenTimeOrder(@TempDir Path dir) throws Exception {
        try (DuckDbStorage storage = store(dir.resolve("e.duckdb"), 2048)) {
            storage.consumer().accept(dataset(400).events());
            List<String> rowsBefore = rows(storage);
            List<Object> answersBefore = answers(storage);
            assertThat(runs(storage)).isGreaterThan(distinctRuns(storage));

            long rewritten = storage.compactClosedRanges();

            assertThat(rewritten).isEqualTo(rowsBefore.size());
            assertThat(rows(storage)).isEqualTo(rowsBefore);
            assertThat(answers(storage)).isEqualTo(answersBefore);
            // every (app, week, type) is one run of rows in storage order, its times in order
            assertThat(runs(storage)).isEqualTo(distinctRuns(storage));
            assertThat(single(storage, "SELECT count(*) FROM (SELECT ts < lag(ts) OVER (ORDER BY rowid) AS back, "
                    + "app_id = lag(app_id) OVER (ORDER BY rowid) AND type = lag(type) OVER (ORDER BY rowid) AS same FROM events) "
                    + "WHERE back AND same")).isZero();
            // three whole ISO weeks per app, all ended long ago
            assertThat(single(storage, "SELECT count(*) FROM compacted_ranges WHERE days = 7")).isEqualTo(6);
            assertThat(single(storage, "SELECT count(*) FROM compacted_ranges WHERE days = 1")).isZero();
            // nothing left to do
            assertThat(storage.compactClosedRanges()).isZero();
        }
    }

    @Test
    void eventsOfDifferentTypesAtOneInstant_giveTheSameSessionsBeforeAndAfterARewrite(@TempDir Path dir) throws Exception {
        Instant at = Instant.parse("2026-11-03T10:00:00Z");
        // stored pageview first; the rewrite stores clicks before page views (type order)
        List<Event> tied = List.of(
                pageview("alpha", at, "/a").session("tie").eventId("view").client("Firefox", "Linux", "desktop").build(),
                event("alpha", EventType.CLICK, at).session("tie").path("/a").eventId("click")
                        .client("Chrome", "Windows", "mobile").details(new EventDetails.ClickDetails(1, 2, 800, 600, "#a")).build(),
                pageview("alpha", at, "/b").anonymous("anon").eventId("view2").client("Firefox", "Linux", "desktop").build(),
                event("alpha", EventType.EVENT, at).anonymous("anon").path("/b").eventId("custom")
                        .client("Safari", "macOS", "tablet").details(new EventDetails.CustomEventDetails("go")).build());
        try (DuckDbStorage storage = store(dir.resolve("e.duckdb"), 2048)) {
            storage.consumer().accept(tied);
            EventQuery q = EventQuery.of("alpha", at.minus(Duration.ofDays(1)), at.plus(Duration.ofDays(1)));
            List<SessionSummary> before = storage.sessions().summaries(q);
            List<StoredEvent> timelineBefore = storage.sessions().session(q, "tie").orElseThrow().events();

            assertThat(storage.compactClosedRanges()).isEqualTo(4);

            assertThat(storage.sessions().summaries(q)).isEqualTo(before);
            assertThat(storage.sessions().session(q, "tie").orElseThrow().events()).isEqualTo(timelineBefore);
            assertThat(before).extracting(SessionSummary::browser).containsExactlyInAnyOrder("Chrome", "Safari");
        }
    }

    @Test
    void dueRanges_areTheClosedDaysOfAWeekNotEndedYet_andWholeWeeksOnceEnded(@TempDir Path dir) throws Exception {
        try (DuckDbStorage storage = store(dir.resolve("e.duckdb"), 2048);
             var c = storage.database().connect()) {
            storage.consumer().accept(dataset(400).events());
            // Wednesday 4 November is the first day not closed: 26 Oct - 1 Nov has ended, 2 and 3 Nov are closed days
            List<String> due = DuckDbRangeRewrite.pending(c, java.time.LocalDate.parse("2026-11-04"), 30_720).stream()
                    .map(r -> r.appId() + " " + r.firstDay() + " " + r.days()).toList();
            assertThat(due).containsExactly("alpha 2026-11-03 1", "beta 2026-11-03 1", "alpha 2026-11-02 1",
                    "beta 2026-11-02 1", "alpha 2026-10-26 7", "beta 2026-10-26 7");
        }
    }

    @Test
    void todaysEvents_areNotRewritten(@TempDir Path dir) throws Exception {
        Instant now = Instant.now();
        try (DuckDbStorage storage = store(dir.resolve("e.duckdb"), 2048)) {
            storage.consumer().accept(List.of(
                    pageview("alpha", now.minusSeconds(1), "/today").anonymous("t").build(),
                    pageview("alpha", now.minus(Duration.ofDays(3)), "/before").anonymous("t").build()));

            assertThat(storage.compactClosedRanges()).isEqualTo(1);
            assertThat(single(storage, "SELECT count(*) FROM events")).isEqualTo(2);
            assertThat(single(storage, "SELECT count(*) FROM compacted_ranges WHERE first_day = current_date")).isZero();
        }
    }

    @Test
    void lateEventsForACompactedRange_makeItDueAgain_onceTheyAreATenthOfIt(@TempDir Path dir) throws Exception {
        Instant monday = Instant.parse("2026-11-02T00:00:00Z");
        try (DuckDbStorage storage = store(dir.resolve("e.duckdb"), 2048)) {
            storage.consumer().accept(pageviews(monday, 100, "early"));
            assertThat(storage.compactClosedRanges()).isEqualTo(100);

            storage.consumer().accept(pageviews(monday.plusSeconds(5), 9, "late1"));
            assertThat(storage.compactClosedRanges()).as("9 late rows of 100 are not a tenth").isZero();
            storage.consumer().accept(pageviews(monday.plusSeconds(9), 1, "late2"));
            assertThat(storage.compactClosedRanges()).isEqualTo(110);

            assertThat(single(storage, "SELECT row_count FROM compacted_ranges WHERE app_id = 'alpha'")).isEqualTo(110);
            assertThat(single(storage, "SELECT count(DISTINCT event_id) FROM events")).isEqualTo(110);
        }
    }

    @Test
    void deletingAnApp_forgetsItsCompactedRanges_soItsEventsStoredAgainAreCompacted(@TempDir Path dir) throws Exception {
        Instant monday = Instant.parse("2026-11-02T00:00:00Z");
        try (DuckDbStorage storage = store(dir.resolve("e.duckdb"), 2048)) {
            storage.consumer().accept(pageviews(monday, 100, "first"));
            assertThat(storage.compactClosedRanges()).isEqualTo(100);

            storage.consumer().deleteApp("alpha");

            assertThat(single(storage, "SELECT count(*) FROM compacted_ranges")).isZero();
            // fewer rows than the forgotten range held: with its row left, the range would never be due
            storage.consumer().accept(pageviews(monday, 50, "again"));
            assertThat(storage.compactClosedRanges()).isEqualTo(50);
            assertThat(single(storage, "SELECT row_count FROM compacted_ranges WHERE app_id = 'alpha'")).isEqualTo(50);
        }
    }

    @Test
    void retention_forgetsTheCompactedRangesItEmptied_andLowersTheCountOfTheOneItsCutoffFallsInto(@TempDir Path dir) throws Exception {
        try (DuckDbStorage storage = store(dir.resolve("e.duckdb"), 2048)) {
            for (String day : List.of("2026-10-19", "2026-10-26", "2026-11-02", "2026-11-04")) {
                storage.consumer().accept(pageviews(Instant.parse(day + "T12:00:00Z"), 10, "on" + day));
            }
            storage.consumer().accept(List.of(pageview("beta", Instant.parse("2026-10-19T12:00:00Z"), "/b").anonymous("b").build()));
            assertThat(storage.compactClosedRanges()).isEqualTo(41);

            storage.consumer().deleteOlderThan("alpha", Instant.parse("2026-11-03T00:00:00Z"));

            assertThat(strings(storage, "SELECT app_id || ' ' || first_day || ' ' || days || ' ' || row_count "
                    + "FROM compacted_ranges ORDER BY ALL"))
                    .containsExactly("alpha 2026-11-02 7 10", "beta 2026-10-19 7 1");
            assertThat(single(storage, "SELECT count(*) FROM events WHERE app_id = 'alpha'")).isEqualTo(10);
            // a tenth of the 10 left makes the range due again (with the count left at 20: 2 rows)
            storage.consumer().accept(pageviews(Instant.parse("2026-11-04T13:00:00Z"), 1, "late"));
            assertThat(storage.compactClosedRanges()).isEqualTo(11);
        }
    }

    @Test
    void aUsersDelete_lowersTheRowCountsOfTheRangesItTouched_soLateEventsMakeThemDueAsBefore(@TempDir Path dir) throws Exception {
        Instant monday = Instant.parse("2026-11-02T00:00:00Z");
        try (DuckDbStorage storage = store(dir.resolve("e.duckdb"), 2048)) {
            storage.consumer().accept(pageviews(monday, 100, "early"));
            storage.consumer().accept(List.of(pageview("alpha", Instant.parse("2026-10-20T12:00:00Z"), "/o").anonymous("other")
                    .eventId("other").build()));
            assertThat(storage.compactClosedRanges()).isEqualTo(101);

            // early-0 has 34 of the 100 rows, all in one range
            assertThat(storage.consumer().deleteUser("alpha", null, "early-0")).isEqualTo(34);

            assertThat(strings(storage, "SELECT first_day || ' ' || days || ' ' || row_count FROM compacted_ranges ORDER BY ALL"))
                    .containsExactly("2026-10-19 7 1", "2026-11-02 7 66");
            // a tenth of the 66 left; with the count left at 100 it would take 44 late rows, not 6
            storage.consumer().accept(pageviews(monday.plusSeconds(5), 6, "late"));
            assertThat(storage.compactClosedRanges()).isEqualTo(72);
            assertThat(single(storage, "SELECT row_count FROM compacted_ranges WHERE first_day = '2026-11-02'")).isEqualTo(72);
        }
    }

    @Test
    void aUsersDelete_forgetsTheCompactedRangesItEmptied_andLeavesOtherAppsRanges(@TempDir Path dir) throws Exception {
        Instant monday = Instant.parse("2026-11-02T00:00:00Z");
        try (DuckDbStorage storage = store(dir.resolve("e.duckdb"), 2048)) {
            storage.consumer().accept(pageviews(monday, 30, "early"));
            storage.consumer().accept(List.of(
                    pageview("alpha", Instant.parse("2026-10-20T12:00:00Z"), "/a").anonymous("early-0").eventId("alone").build(),
                    pageview("beta", Instant.parse("2026-10-20T12:00:00Z"), "/b").anonymous("early-0").eventId("beta").build()));
            assertThat(storage.compactClosedRanges()).isEqualTo(32);

            storage.consumer().deleteUser("alpha", null, "early-0");

            assertThat(strings(storage, "SELECT app_id || ' ' || first_day || ' ' || row_count FROM compacted_ranges ORDER BY ALL"))
                    .containsExactly("alpha 2026-11-02 20", "beta 2026-10-19 1");
        }
    }

    @Test
    void aRangeWhoseEventsWereDeletedSinceTheLook_isNotRecordedAsCompacted(@TempDir Path dir) throws Exception {
        try (DuckDbStorage storage = store(dir.resolve("e.duckdb"), 2048);
             var c = storage.database().connect()) {
            storage.consumer().accept(pageviews(Instant.parse("2026-11-02T00:00:00Z"), 10, "gone"));
            List<DuckDbRangeRewrite.Range> due = DuckDbRangeRewrite.pending(c, java.time.LocalDate.parse("2026-12-01"), 30_720);
            storage.consumer().deleteApp("alpha");
            c.setAutoCommit(false);

            assertThat(DuckDbRangeRewrite.rewrite(c, due.getFirst(), () -> { })).isZero();

            assertThat(single(storage, "SELECT count(*) FROM compacted_ranges")).isZero();
        }
    }

    @Test
    void aRewriteThatFailsAfterItsDelete_leavesEveryRowWhereItWas(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("e.duckdb");
        List<String> rowsBefore;
        try (DuckDbStorage storage = store(file, 2048)) {
            storage.consumer().accept(dataset(100).events());
            rowsBefore = rowsWithRowids(storage);
            storage.compactor().beforeAppend(() -> {
                throw new IllegalStateException("crash between the delete and the append");
            });

            assertThatThrownBy(storage::compactClosedRanges).hasMessageContaining("crash between");

            assertThat(rowsWithRowids(storage)).isEqualTo(rowsBefore);
            assertThat(single(storage, "SELECT count(*) FROM compacted_ranges")).isZero();
        }
        try (DuckDbStorage reopened = store(file, 2048)) {
            assertThat(rowsWithRowids(reopened)).isEqualTo(rowsBefore);
            assertThat(reopened.compactClosedRanges()).isEqualTo(rowsBefore.size());
        }
    }

    @Test
    void aLoaderAndDeletesDuringCompaction_loseNothing_storeNothingTwice_andConflictWithNothing(@TempDir Path dir)
            throws Exception {
        try (DuckDbStorage storage = store(dir.resolve("e.duckdb"), 2048)) {
            List<Event> first = dataset(300).events();
            storage.consumer().accept(first);
            List<Event> expected = new ArrayList<>(first);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong passes = new AtomicLong();
            CompletableFuture<Void> compacting = CompletableFuture.runAsync(() -> {
                while (!stop.get()) {
                    storage.compactClosedRanges();
                    passes.incrementAndGet();
                }
            });
            try {
                for (int round = 0; round < 40; round++) {
                    // late events for closed days (making their ranges due again), and today's
                    Instant late = START.plus(Duration.ofDays(round % 17)).plus(Duration.ofHours(round % 24));
                    List<Event> batch = new ArrayList<>(pageviews(late, 20, "late" + round));
                    batch.addAll(pageviews(Instant.now().truncatedTo(ChronoUnit.SECONDS), 5, "now" + round));
                    storage.consumer().accept(batch);
                    expected.addAll(batch);
                    if (round % 5 == 4) {
                        String user = "late" + (round - 2) + "-0";
                        storage.consumer().deleteUser("alpha", null, user);
                        expected.removeIf(e -> user.equals(e.anonymousId()) && e.appId().equals("alpha"));
                    }
                    if (round == 30) {
                        storage.consumer().deleteOlderThan("beta", START.plus(Duration.ofDays(5)));
                        expected.removeIf(e -> e.appId().equals("beta") && e.timestamp() < START.plus(Duration.ofDays(5)).toEpochMilli());
                    }
                }
            } finally {
                stop.set(true);
            }
            compacting.get();
            storage.compactClosedRanges();

            assertThat(passes.get()).isPositive();
            assertThat(storage.compactor().rangesCompacted()).isGreaterThan(10);
            assertThat(eventIds(storage)).containsExactlyInAnyOrderElementsOf(
                    expected.stream().map(e -> e.appId() + "/" + e.eventId()).toList());
        }
    }

    @Test
    void rewritingTheSameRangesAgainAndAgain_doesNotGrowTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("e.duckdb");
        try (DuckDbStorage storage = store(file, 2048)) {
            storage.consumer().accept(dataset(2_000).events());
            storage.compactClosedRanges();
            checkpoint(storage);
            long afterFirst = Files.size(file);
            for (int i = 0; i < 8; i++) {
                // every range due again: as if each had grown by late events
                execute(storage, "DELETE FROM compacted_ranges");
                storage.compactClosedRanges();
                checkpoint(storage);
            }
            assertThat(Files.size(file)).isLessThan(afterFirst * 3 / 2);
        }
    }

    @Test
    void inBackground_closedDaysAreCompactedWithoutBeingAsked(@TempDir Path dir) throws Exception {
        try (DuckDbStorage storage = new DuckDbStorage(dir.resolve("e.duckdb"), 1, "512MB", 1000, "16MB", 2048,
                true, Duration.ofHours(1))) {
            storage.consumer().accept(dataset(100).events());
            storage.compactor().awaitIdle();
            assertThat(storage.compactor().rowsCompacted()).isEqualTo(single(storage, "SELECT count(*) FROM events"));
            assertThat(storage.compactor().pendingRanges()).isZero();
        }
    }

    @Test
    void withoutBackgroundCompaction_nothingIsRewrittenUnlessAsked(@TempDir Path dir) throws Exception {
        try (DuckDbStorage storage = store(dir.resolve("e.duckdb"), 2048)) {
            storage.consumer().accept(dataset(100).events());
            Thread.sleep(300);
            assertThat(storage.compactor().rowsCompacted()).isZero();
            assertThat(single(storage, "SELECT count(*) FROM compacted_ranges")).isZero();
        }
    }

    private static List<Event> pageviews(Instant at, int n, String prefix) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(pageview("alpha", at.plusMillis(i), "/p" + i).anonymous(prefix + "-" + (i % 3))
                    .eventId(prefix + "#" + i).build());
        }
        return events;
    }

    /** Answers that read rows of one type and of every type, over the whole dataset. */
    private static List<Object> answers(DuckDbStorage storage) {
        List<Object> answers = new ArrayList<>();
        for (String app : APPS) {
            EventQuery q = EventQuery.of(app, START.minus(Duration.ofDays(1)), START.plus(Duration.ofDays(20)));
            answers.add(storage.performance().webVitals(q, null));
            answers.add(storage.performance().webVitals(q, PerformanceQueries.GroupBy.PATH));
            answers.add(storage.errors().groups(q));
            answers.add(storage.sessions().summaries(q));
            answers.add(storage.counts().countByType(app, q.from(), q.to()));
        }
        return answers;
    }

    /** Every row's columns as text, sorted: what the table holds, whatever its order. */
    private static List<String> rows(DuckDbStorage storage) throws SQLException {
        return strings(storage, "SELECT CAST(e AS VARCHAR) FROM events e ORDER BY 1");
    }

    private static List<String> rowsWithRowids(DuckDbStorage storage) throws SQLException {
        return strings(storage, "SELECT rowid || ' ' || CAST(e AS VARCHAR) FROM events e ORDER BY rowid");
    }

    private static List<String> eventIds(DuckDbStorage storage) throws SQLException {
        return strings(storage, "SELECT app_id || '/' || event_id FROM events");
    }

    /** Runs of equal (app, ISO week, type) in storage order. */
    private static long runs(DuckDbStorage storage) throws SQLException {
        return single(storage, """
                SELECT count(*) FROM (
                    SELECT app_id || date_trunc('week', ts) || type AS k, lag(app_id || date_trunc('week', ts) || type)
                           OVER (ORDER BY rowid) AS before FROM events)
                WHERE before IS DISTINCT FROM k""");
    }

    private static long distinctRuns(DuckDbStorage storage) throws SQLException {
        return single(storage, "SELECT count(DISTINCT app_id || date_trunc('week', ts) || type) FROM events");
    }

    private static List<String> strings(DuckDbStorage storage, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (var c = storage.database().connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static long single(DuckDbStorage storage, String sql) throws SQLException {
        try (var c = storage.database().connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(DuckDbStorage storage, String sql) throws SQLException {
        try (var c = storage.database().connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static void checkpoint(DuckDbStorage storage) throws SQLException {
        execute(storage, "CHECKPOINT");
    }
}
