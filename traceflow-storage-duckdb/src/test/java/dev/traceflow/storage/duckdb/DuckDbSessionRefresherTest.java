package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Granularity;
import dev.traceflow.storage.tests.InMemoryStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static dev.traceflow.storage.tests.QueryEvents.pageview;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DuckDbSessionRefresher}: after a load, the cached days it outdated are formed again in the
 * background, so the next read forms none; passes are bounded; days nobody read are left alone.
 */
class DuckDbSessionRefresherTest {

    private static final String APP = "refreshed";
    private static final Instant DAY1 = Instant.parse("2026-09-01T00:00:00Z");

    private static Instant noon(int day) {
        return DAY1.plus(Duration.ofDays(day - 1)).plus(Duration.ofHours(12));
    }

    private static EventQuery days(int first, int last) {
        return EventQuery.of(APP, DAY1.plus(Duration.ofDays(first - 1)), DAY1.plus(Duration.ofDays(last)))
                .withSeries(Granularity.DAY, ZoneOffset.UTC);
    }

    /** One visit a day on the days {@code first..last}, by visitors named with {@code prefix}. */
    private static List<Event> visits(int first, int last, String prefix) {
        List<Event> events = new ArrayList<>();
        for (int d = first; d <= last; d++) {
            events.add(pageview(APP, noon(d), "/home").anonymous(prefix + d).build());
            events.add(pageview(APP, noon(d).plusSeconds(60), "/shop").anonymous(prefix + d).build());
        }
        return events;
    }

    private static void load(DuckDbStorage duckdb, InMemoryStorage reference, List<Event> events) throws InterruptedException {
        duckdb.consumer().accept(events);
        reference.consumer().accept(events);
        // deterministic, not timed: the pass the load asked for has run
        duckdb.sessionRefresher().awaitIdle();
    }

    @Test
    void aLoadOnCachedDays_isFormedAgainInTheBackground_soTheNextReadFormsNothing() throws Exception {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            DuckDbSessionCache cache = duckdb.reads().sessionCache();
            load(duckdb, reference, visits(1, 6, "a"));
            assertThat(duckdb.sessions().count(days(1, 6))).isEqualTo(6);
            assertThat(cache.formedOnRead()).isEqualTo(6);
            assertThat(cache.formedInBackground()).as("nothing was cached when the load came").isZero();

            load(duckdb, reference, visits(3, 3, "b"));

            assertThat(cache.formedInBackground()).as("days 2, 3 and 4").isEqualTo(3);
            assertThat(duckdb.sessions().count(days(1, 6))).isEqualTo(7);
            assertThat(duckdb.sessions().transitions(days(1, 6), 10)).isEqualTo(reference.sessions().transitions(days(1, 6), 10));
            assertThat(cache.formedOnRead()).as("the reads formed nothing").isEqualTo(6);
            DuckDbSessionCacheTest.sameAnswers(duckdb, reference, days(1, 6));
        }
    }

    @Test
    void withoutTheRefresh_theNextReadFormsTheOutdatedDays() throws Exception {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.refreshSessionsInBackground(false);
            DuckDbSessionCache cache = duckdb.reads().sessionCache();
            load(duckdb, reference, visits(1, 6, "a"));
            assertThat(duckdb.sessions().count(days(1, 6))).isEqualTo(6);

            load(duckdb, reference, visits(3, 3, "b"));

            assertThat(duckdb.sessions().count(days(1, 6))).isEqualTo(7);
            assertThat(cache.formedOnRead()).isEqualTo(6 + 3);
            assertThat(cache.formedInBackground()).isZero();
        }
    }

    /** A load whose pass never ran (the process stopped first): the next start re-forms its days before any read. */
    @Test
    void daysOutdatedBeforeARestart_areFormedAgainAtStart_notByTheFirstRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("events.duckdb");
        try (InMemoryStorage reference = new InMemoryStorage()) {
            try (DuckDbStorage before = new DuckDbStorage(file, 1, "512MB", 1000)) {
                load(before, reference, visits(1, 6, "a"));
                assertThat(before.sessions().count(days(1, 6))).isEqualTo(6);
                before.refreshSessionsInBackground(false);
                load(before, reference, visits(3, 3, "b"));
            }
            try (DuckDbStorage after = new DuckDbStorage(file, 1, "512MB", 1000)) {
                after.sessionRefresher().awaitIdle();
                DuckDbSessionCache cache = after.reads().sessionCache();
                assertThat(cache.formedInBackground()).as("days 2, 3 and 4, at start").isEqualTo(3);
                assertThat(after.sessions().count(days(1, 6))).isEqualTo(7);
                assertThat(cache.formedOnRead()).as("the first read formed nothing").isZero();
                DuckDbSessionCacheTest.sameAnswers(after, reference, days(1, 6));
            }
        }
    }

    @Test
    void daysNoReadAskedFor_areLeftToReads() throws Exception {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            load(duckdb, reference, visits(1, 6, "a"));
            assertThat(duckdb.sessions().count(days(1, 2))).isEqualTo(2);

            load(duckdb, reference, visits(5, 6, "b"));

            assertThat(duckdb.reads().sessionCache().formedInBackground()).as("days 1..3 are current").isZero();
            DuckDbSessionCacheTest.sameAnswers(duckdb, reference, days(1, 6));
        }
    }

    @Test
    void aPassFormsAtMostItsBound_theRestInTheNextPass() throws Exception {
        int days = DuckDbSessionRefresher.MAX_DAYS_PER_PASS + 8;
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            DuckDbSessionRefresher refresher = duckdb.sessionRefresher();
            load(duckdb, reference, visits(1, days, "a"));
            assertThat(duckdb.sessions().count(days(1, days))).isEqualTo(days);
            long passes = refresher.passes();

            load(duckdb, reference, visits(1, days, "b"));

            assertThat(duckdb.reads().sessionCache().formedInBackground()).isEqualTo(days);
            assertThat(refresher.passes() - passes).as("two passes: %d days, then 8", DuckDbSessionRefresher.MAX_DAYS_PER_PASS)
                    .isEqualTo(2);
            long formedOnRead = duckdb.reads().sessionCache().formedOnRead();
            assertThat(duckdb.sessions().count(days(1, days))).isEqualTo(2L * days);
            assertThat(duckdb.reads().sessionCache().formedOnRead()).isEqualTo(formedOnRead);
            assertThat(refresher.failures()).isZero();
        }
    }
}
