package dev.traceflow.alerts;

import dev.traceflow.core.query.EventAggregate;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.query.SeriesPoint;
import dev.traceflow.core.query.TimeBuckets;
import dev.traceflow.core.storage.ErrorQueries;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.MetricsOverview;
import dev.traceflow.core.storage.PerformanceQueries.VitalStats;
import dev.traceflow.ingest.IngestOutcomeTotals;
import dev.traceflow.storage.EventWriteQueue;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * Every answer read from the store, through the same capabilities the read API answers from, so a
 * rule fires on exactly the number a person sees on the matching endpoint.
 */
@Component
class StoreSources implements MetricSources {

    /** The longest a minute's first read waits for the events acknowledged before it to be loaded. */
    static final Duration CATCH_UP_WAIT = Duration.ofSeconds(10);

    private final EventStorage storage;
    private final IngestOutcomeTotals ingest;
    private final EventWriteQueue queue;

    StoreSources(EventStorage storage, IngestOutcomeTotals ingest, EventWriteQueue queue) {
        this.storage = storage;
        this.ingest = ingest;
        this.queue = queue;
    }

    /**
     * Waits until every event acknowledged so far is loaded (read your writes, as a read with
     * {@code fresh=true} does), so that a window that ended before now counts the events that were
     * sent inside it, not only those the loader had already taken: the loader may hold an event up
     * to {@code load-max-delay}, and a rule due a second after its window ends would otherwise miss
     * them for good. Called once a minute (the minute's first read), so it cuts at most one small
     * load a minute into the loader's large ones.
     *
     * @return false when {@link #CATCH_UP_WAIT} passed first (the rules then measure what is loaded)
     */
    boolean catchUp() {
        try {
            return queue.awaitStored(CATCH_UP_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public ErrorQueries.Totals errorTotals(EventQuery q) {
        return storage.errors().totals(q);
    }

    @Override
    public List<VitalStats> webVitals(EventQuery q) {
        return storage.performance().webVitals(q, null);
    }

    @Override
    public MetricsOverview overview(EventQuery q) {
        return storage.metrics().overview(q);
    }

    @Override
    public double total(AdditiveSeries series, EventQuery q) {
        if (series.kind() == AdditiveSeries.Kind.ERROR_EVENTS) {
            return storage.errors().totals(q).events();
        }
        double total = 0;
        for (SeriesPoint p : points(series, q.withSeries(granularityFor(q), ZoneOffset.UTC))) {
            total += p.value();
        }
        return total;
    }

    @Override
    public Map<String, Long> ingestOutcomes(String appId, Instant from, Instant to) {
        return ingest.totals(appId, from, to);
    }

    /**
     * The series' value in every minute of the query's range, oldest first ({@code from} and
     * {@code to} on whole minutes, at most {@link TimeBuckets#MAX_BUCKETS} minutes).
     */
    double[] perMinute(AdditiveSeries series, EventQuery q) {
        EventQuery minutes = q.withSeries(Granularity.MINUTE, ZoneOffset.UTC);
        TimeBuckets buckets = minutes.buckets();
        double[] values = new double[buckets.size()];
        if (series.kind() == AdditiveSeries.Kind.ERROR_EVENTS) {
            List<Long> counts = storage.errors().series(minutes, null);
            for (int i = 0; i < values.length; i++) {
                values[i] = counts.get(i);
            }
            return values;
        }
        for (SeriesPoint p : points(series, minutes)) {
            int i = buckets.indexOf(p.ts());
            if (i < 0) {
                throw new IllegalStateException("a point at " + p.ts() + " outside the minutes of " + q.from() + " .. " + q.to());
            }
            values[i] += p.value();
        }
        return values;
    }

    private List<SeriesPoint> points(AdditiveSeries series, EventQuery q) {
        return switch (series.kind()) {
            case EVENT_METRIC -> storage.metrics().series(q, series.metric(), null, 1);
            case NAMED_EVENTS -> storage.product().events(q, EventAggregate.parse(series.eventName(), "count", null, 1));
            case ERROR_EVENTS -> throw new IllegalArgumentException("error events are read as counts per bucket");
        };
    }

    /** A granularity with few enough buckets (at most 10,000) to cover any window a rule may have. */
    private static Granularity granularityFor(EventQuery q) {
        Duration range = Duration.between(q.from(), q.to());
        return range.compareTo(Duration.ofDays(6)) <= 0 ? Granularity.MINUTE
                : range.compareTo(Duration.ofDays(400)) <= 0 ? Granularity.HOUR : Granularity.DAY;
    }
}
