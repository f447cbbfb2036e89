package dev.traceflow.alerts;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.storage.ErrorQueries;
import dev.traceflow.core.storage.MetricsOverview;
import dev.traceflow.core.storage.PerformanceQueries.VitalStats;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;

/**
 * The answers the rules evaluated within one minute read from the store, shared between them. Every
 * scheduled rule measures complete minutes (its window ends at the start of the minute it runs in),
 * so within a minute:
 * <ul>
 *   <li>an answer is read once per (source, app, filters, window) however many rules need it, and
 *       a source answers several metrics at once (every web vital's p75 from one read, every
 *       session metric from one overview, error count and error rate from the same error events);</li>
 *   <li>a measure that adds up over time ({@link AdditiveSeries}: event counts, revenue, error
 *       events) is read per minute bucket, once per (app, filters), back as far as the longest
 *       window asked so far (a longer window reads only the minutes it adds), and each window is a
 *       sum over it: rules with a thousand different windows on page views cost one scan, not a
 *       thousand.</li>
 * </ul>
 * Before its first read the minute catches up with ingest ({@link StoreSources#catchUp}): every
 * event acknowledged until then is counted, however long the loader would have held it. What is
 * acknowledged later, even if dated inside a window, is not in the answers already read this minute.
 *
 * <p>Thread-safe: a round may evaluate rules in parallel; a second rule needing an answer being read
 * waits for it rather than reading it again. A failed read fails every rule that needs it within
 * the minute, each with the same reason.
 */
final class MinuteAnswers implements MetricSources {

    /** Windows up to this long are summed from minute buckets (8,640, under the series limit of 10,000). */
    static final Duration LONGEST_MINUTE_SERIES = Duration.ofDays(6);

    private final Instant minute;
    private final StoreSources store;
    private final Runnable onStoreRead;
    private final Runnable onBehind;
    /** Whether the minute's catch-up with ingest ran; guarded by this (a read waits while another runs it). */
    private boolean caughtUp;
    private final Map<Key, FutureTask<Object>> answers = new ConcurrentHashMap<>();
    private final Map<SeriesKey, MinuteSeries> series = new ConcurrentHashMap<>();

    /**
     * @param onStoreRead called once for every query that goes to the store (a meter)
     * @param onBehind    called when the catch-up ran out of time (the minute reads what is loaded)
     */
    MinuteAnswers(Instant minute, StoreSources store, Runnable onStoreRead, Runnable onBehind) {
        this.minute = minute;
        this.store = store;
        this.onStoreRead = onStoreRead;
        this.onBehind = onBehind;
    }

    Instant minute() {
        return minute;
    }

    private record Key(String source, String appId, Instant from, Instant to, Filters filters) {

        Key(String source, EventQuery q) {
            this(source, q.appId(), q.from(), q.to(), q.filters());
        }
    }

    private record SeriesKey(AdditiveSeries series, String appId, Filters filters, Instant end) {
    }

    @Override
    public ErrorQueries.Totals errorTotals(EventQuery q) {
        return once(new Key("error totals", q), () -> store.errorTotals(q));
    }

    @Override
    public List<VitalStats> webVitals(EventQuery q) {
        return once(new Key("web vitals", q), () -> store.webVitals(q));
    }

    @Override
    public MetricsOverview overview(EventQuery q) {
        return once(new Key("overview", q), () -> store.overview(q));
    }

    @Override
    public Map<String, Long> ingestOutcomes(String appId, Instant from, Instant to) {
        return once(new Key("ingest outcomes", appId, from, to, null), () -> store.ingestOutcomes(appId, from, to));
    }

    @Override
    public double total(AdditiveSeries s, EventQuery q) {
        if (!bySeries(q)) {
            return once(new Key(s.toString(), q), () -> store.total(s, q));
        }
        MinuteSeries minutes = series.computeIfAbsent(new SeriesKey(s, q.appId(), q.filters(), q.to()), k -> new MinuteSeries());
        int wanted = (int) Duration.between(q.from(), q.to()).toMinutes();
        return minutes.total(wanted, (from, to) -> {
            beforeStoreRead();
            return store.perMinute(s, new EventQuery(q.appId(), from, to, q.filters(), null, q.zone()));
        }, q.to());
    }

    /** Whether the window is whole minutes, short enough to be summed from minute buckets. */
    private static boolean bySeries(EventQuery q) {
        return q.granularity() == null && q.from().toEpochMilli() % 60_000 == 0 && q.to().toEpochMilli() % 60_000 == 0
                && q.from().isBefore(q.to()) && Duration.between(q.from(), q.to()).compareTo(LONGEST_MINUTE_SERIES) <= 0;
    }

    @SuppressWarnings("unchecked")
    private <T> T once(Key key, Supplier<T> read) {
        FutureTask<Object> mine = new FutureTask<>(read::get);
        FutureTask<Object> first = answers.putIfAbsent(key, mine);
        if (first == null) {
            beforeStoreRead();
            mine.run();
            first = mine;
        }
        try {
            return (T) first.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for another rule's query", e);
        }
    }

    private void beforeStoreRead() {
        catchUpOnce();
        onStoreRead.run();
    }

    private synchronized void catchUpOnce() {
        if (!caughtUp) {
            caughtUp = true;
            if (!store.catchUp()) {
                onBehind.run();
            }
        }
    }

    /** Reads the minutes {@code [from, to)}, oldest first. */
    @FunctionalInterface
    interface MinuteRead {
        double[] read(Instant from, Instant to);
    }

    /**
     * One measure per minute bucket, going back from a window end as far as has been asked for.
     * {@code back[k]} is the minute that ends {@code k} minutes before the end.
     */
    static final class MinuteSeries {

        private double[] back = new double[0];
        private int covered;

        synchronized double total(int minutes, MinuteRead read, Instant end) {
            if (minutes > covered) {
                double[] older = read.read(end.minus(Duration.ofMinutes(minutes)), end.minus(Duration.ofMinutes(covered)));
                if (older.length != minutes - covered) {
                    throw new IllegalStateException("read " + older.length + " minutes, not " + (minutes - covered));
                }
                back = Arrays.copyOf(back, minutes);
                for (int j = 0; j < older.length; j++) {
                    back[minutes - 1 - j] = older[j];
                }
                covered = minutes;
            }
            double total = 0;
            for (int k = 0; k < minutes; k++) {
                total += back[k];
            }
            return total;
        }
    }
}
