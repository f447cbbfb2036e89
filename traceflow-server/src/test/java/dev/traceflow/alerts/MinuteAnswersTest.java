package dev.traceflow.alerts;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.storage.MetricsOverview;
import dev.traceflow.core.storage.PerformanceQueries.VitalStats;
import dev.traceflow.core.storage.StorageException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MinuteAnswersTest {

    private static final Instant END = Instant.parse("2026-12-04T12:00:00Z");

    /**
     * A store whose page views in the minute starting at {@code t} are {@code t}'s minute of the day
     * (so every window has its own known total), counting what is read from it.
     */
    static final class FakeStore extends StoreSources {

        final List<String> reads = new ArrayList<>();
        final AtomicInteger overviews = new AtomicInteger();
        volatile CountDownLatch overviewGate;
        final AtomicInteger catchUps = new AtomicInteger();
        volatile CountDownLatch catchUpGate;
        volatile boolean caughtUp = true;

        FakeStore() {
            super(null, null, null);
        }

        @Override
        boolean catchUp() {
            catchUps.incrementAndGet();
            pass(catchUpGate);
            synchronized (reads) {
                reads.add("catch-up");
            }
            return caughtUp;
        }

        /** Waits until the test opens the gate, if there is one. */
        private static void pass(CountDownLatch gate) {
            if (gate != null) {
                try {
                    gate.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        static double perMinuteValue(Instant minuteStart) {
            return minuteStart.atZone(ZoneOffset.UTC).toLocalTime().toSecondOfDay() / 60.0;
        }

        @Override
        double[] perMinute(AdditiveSeries series, EventQuery q) {
            synchronized (reads) {
                reads.add(series.kind() + " " + q.filters().release() + " " + q.from() + ".." + q.to());
            }
            int n = (int) Duration.between(q.from(), q.to()).toMinutes();
            double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                values[i] = perMinuteValue(q.from().plus(Duration.ofMinutes(i)));
            }
            return values;
        }

        @Override
        public double total(AdditiveSeries series, EventQuery q) {
            synchronized (reads) {
                reads.add("total " + q.from() + ".." + q.to());
            }
            return -1;
        }

        @Override
        public MetricsOverview overview(EventQuery q) {
            overviews.incrementAndGet();
            pass(overviewGate);
            return new MetricsOverview(7, 7, 3, 1, 0.5, 10, 20, 4, 3, 0, 0.0);
        }

        @Override
        public List<VitalStats> webVitals(EventQuery q) {
            synchronized (reads) {
                reads.add("vitals " + q.from() + ".." + q.to());
            }
            throw new StorageException("the event store is not answering");
        }
    }

    private static EventQuery window(Duration length) {
        return window(length, Filters.NONE);
    }

    private static EventQuery window(Duration length, Filters filters) {
        return new EventQuery("shop", END.minus(length), END, filters, null, ZoneOffset.UTC);
    }

    private static double expected(Duration length) {
        double sum = 0;
        for (Instant t = END.minus(length); t.isBefore(END); t = t.plus(Duration.ofMinutes(1))) {
            sum += FakeStore.perMinuteValue(t);
        }
        return sum;
    }

    @Test
    void windowsOfOneCount_areSummedFromOneSeries_readingOnlyTheMinutesALongerWindowAdds() {
        FakeStore store = new FakeStore();
        AtomicInteger meter = new AtomicInteger();
        MinuteAnswers answers = new MinuteAnswers(END, store, meter::incrementAndGet, () -> { });

        assertThat(answers.total(AdditiveSeries.PAGE_VIEWS, window(Duration.ofMinutes(5)))).isEqualTo(expected(Duration.ofMinutes(5)));
        assertThat(answers.total(AdditiveSeries.PAGE_VIEWS, window(Duration.ofHours(2)))).isEqualTo(expected(Duration.ofHours(2)));
        assertThat(answers.total(AdditiveSeries.PAGE_VIEWS, window(Duration.ofMinutes(17)))).isEqualTo(expected(Duration.ofMinutes(17)));
        assertThat(answers.total(AdditiveSeries.PAGE_VIEWS, window(Duration.ofDays(6)))).isEqualTo(expected(Duration.ofDays(6)));

        assertThat(store.reads).containsExactly("catch-up",
                "EVENT_METRIC null 2026-12-04T11:55:00Z..2026-12-04T12:00:00Z",
                "EVENT_METRIC null 2026-12-04T10:00:00Z..2026-12-04T11:55:00Z",
                "EVENT_METRIC null 2026-11-28T12:00:00Z..2026-12-04T10:00:00Z");
        assertThat(meter).hasValue(3);
    }

    @Test
    void anotherSeriesOrFilterOrWindowEnd_isReadOnItsOwn() {
        FakeStore store = new FakeStore();
        MinuteAnswers answers = new MinuteAnswers(END, store, () -> { }, () -> { });
        answers.total(AdditiveSeries.PAGE_VIEWS, window(Duration.ofMinutes(5)));
        answers.total(AdditiveSeries.ERRORS, window(Duration.ofMinutes(5)));
        answers.total(AdditiveSeries.PAGE_VIEWS, window(Duration.ofMinutes(5), new Filters("2.0", null, null, null, null, null, null)));
        EventQuery weekAgo = new EventQuery("shop", END.minus(Duration.ofDays(7)).minus(Duration.ofMinutes(5)), END.minus(Duration.ofDays(7)),
                Filters.NONE, null, ZoneOffset.UTC);
        answers.total(AdditiveSeries.PAGE_VIEWS, weekAgo);

        assertThat(store.reads).containsExactly("catch-up",
                "EVENT_METRIC null 2026-12-04T11:55:00Z..2026-12-04T12:00:00Z",
                "ERROR_EVENTS null 2026-12-04T11:55:00Z..2026-12-04T12:00:00Z",
                "EVENT_METRIC 2.0 2026-12-04T11:55:00Z..2026-12-04T12:00:00Z",
                "EVENT_METRIC null 2026-11-27T11:55:00Z..2026-11-27T12:00:00Z");
    }

    @Test
    void windowsLongerThanSixDays_orNotOnWholeMinutes_askTheStoreForTheirTotal_once() {
        FakeStore store = new FakeStore();
        MinuteAnswers answers = new MinuteAnswers(END, store, () -> { }, () -> { });
        EventQuery longWindow = window(Duration.ofDays(10));
        EventQuery ragged = new EventQuery("shop", END.minusSeconds(90), END, Filters.NONE, null, ZoneOffset.UTC);

        assertThat(answers.total(AdditiveSeries.PAGE_VIEWS, longWindow)).isEqualTo(-1);
        assertThat(answers.total(AdditiveSeries.PAGE_VIEWS, longWindow)).isEqualTo(-1);
        assertThat(answers.total(AdditiveSeries.PAGE_VIEWS, ragged)).isEqualTo(-1);
        assertThat(store.reads).containsExactly("catch-up", "total 2026-11-24T12:00:00Z..2026-12-04T12:00:00Z",
                "total 2026-12-04T11:58:30Z..2026-12-04T12:00:00Z");
    }

    @Test
    void rulesEvaluatedAtOnce_waitForTheOneReadOfAnAnswer_ratherThanReadingItAgain() throws Exception {
        FakeStore store = new FakeStore();
        store.overviewGate = new CountDownLatch(1);
        MinuteAnswers answers = new MinuteAnswers(END, store, () -> { }, () -> { });
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<MetricsOverview>> all = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                all.add(pool.submit(() -> answers.overview(window(Duration.ofHours(1)))));
            }
            Thread.sleep(100); // let them all reach the answer being read
            store.overviewGate.countDown();
            for (Future<MetricsOverview> f : all) {
                assertThat(f.get(10, TimeUnit.SECONDS).sessions()).isEqualTo(7);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.overviews).hasValue(1);
    }

    @Test
    void aFailedRead_failsEveryRuleThatNeedsItInTheMinute_withTheSameReason_readOnce() {
        FakeStore store = new FakeStore();
        MinuteAnswers answers = new MinuteAnswers(END, store, () -> { }, () -> { });
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> answers.webVitals(window(Duration.ofMinutes(10))))
                    .isInstanceOf(StorageException.class).hasMessage("the event store is not answering");
        }
        assertThat(store.reads).containsExactly("catch-up", "vitals 2026-12-04T11:50:00Z..2026-12-04T12:00:00Z");
    }

    @Test
    void theMinutesFirstRead_catchesUpWithIngestOnce_andEveryReadWaitsForIt() throws Exception {
        FakeStore store = new FakeStore();
        store.catchUpGate = new CountDownLatch(1);
        AtomicInteger behind = new AtomicInteger();
        MinuteAnswers answers = new MinuteAnswers(END, store, () -> { }, behind::incrementAndGet);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Double>> all = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                Duration length = Duration.ofMinutes(i);
                all.add(pool.submit(() -> answers.total(AdditiveSeries.PAGE_VIEWS, window(length, new Filters("r" + length, null, null, null,
                        null, null, null)))));
            }
            Thread.sleep(100); // let them all reach the catch-up
            synchronized (store.reads) {
                assertThat(store.reads).as("no read before the catch-up has finished").isEmpty();
            }
            store.catchUpGate.countDown();
            for (Future<Double> f : all) {
                assertThat(f.get(10, TimeUnit.SECONDS)).isPositive();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.catchUps).hasValue(1);
        assertThat(store.reads).hasSize(4).first().isEqualTo("catch-up");
        assertThat(behind).hasValue(0);
    }

    @Test
    void aCatchUpThatRanOutOfTime_isReported_andTheMinuteStillReads() {
        FakeStore store = new FakeStore();
        store.caughtUp = false;
        AtomicInteger behind = new AtomicInteger();
        MinuteAnswers answers = new MinuteAnswers(END, store, () -> { }, behind::incrementAndGet);

        assertThat(answers.total(AdditiveSeries.PAGE_VIEWS, window(Duration.ofMinutes(5)))).isEqualTo(expected(Duration.ofMinutes(5)));
        assertThat(answers.total(AdditiveSeries.ERRORS, window(Duration.ofMinutes(5)))).isEqualTo(expected(Duration.ofMinutes(5)));
        assertThat(behind).as("reported once for the minute").hasValue(1);
        assertThat(store.catchUps).hasValue(1);
    }
}
