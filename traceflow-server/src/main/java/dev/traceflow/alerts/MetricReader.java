package dev.traceflow.alerts;

import dev.traceflow.core.query.EventAggregate;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.query.SeriesPoint;
import dev.traceflow.core.storage.ErrorQueries;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.MetricsOverview;
import dev.traceflow.core.storage.PerformanceQueries.VitalStats;
import dev.traceflow.ingest.IngestOutcomeTotals;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * Measures an {@link AlertMetric} over one query through the same storage capabilities the read
 * API answers from, so a rule fires on exactly the number a person sees on the matching endpoint.
 */
@Component
class MetricReader {

    private final EventStorage storage;
    private final IngestOutcomeTotals ingest;

    MetricReader(EventStorage storage, IngestOutcomeTotals ingest) {
        this.storage = storage;
        this.ingest = ingest;
    }

    Measurement measure(AlertMetric metric, EventQuery q) {
        return switch (metric.source()) {
            case ENGINE -> engine(metric.engineMetric(), q);
            case ERROR_COUNT -> {
                long n = storage.errors().totals(q).events();
                yield new Measurement((double) n, n);
            }
            case ERROR_USERS -> {
                long n = storage.errors().totals(q).users();
                yield new Measurement((double) n, n);
            }
            case ERROR_RATE -> {
                ErrorQueries.Totals errors = storage.errors().totals(q);
                long pageViews = Math.round(sum(q, Metric.PAGE_VIEWS));
                yield new Measurement(pageViews == 0 ? null : (double) errors.events() / pageViews, pageViews);
            }
            case VITAL_P75 -> {
                VitalStats row = storage.performance().webVitals(q, null).stream()
                        .filter(v -> v.name().equals(metric.argument())).findFirst().orElse(null);
                yield row == null || row.count() == 0 ? new Measurement(null, 0) : new Measurement(row.p75(), row.count());
            }
            case EVENT_COUNT -> {
                double n = 0;
                for (SeriesPoint p : storage.product().events(series(q), EventAggregate.parse(metric.argument(), "count", null, 1))) {
                    n += p.value();
                }
                yield new Measurement(n, Math.round(n));
            }
            case INGEST_DROPPED -> {
                Map<String, Long> totals = ingest.totals(q.appId(), q.from(), q.to());
                long n = metric.argument() != null ? totals.getOrDefault(metric.argument(), 0L)
                        : totals.entrySet().stream().filter(e -> !e.getKey().equals("accepted")).mapToLong(Map.Entry::getValue).sum();
                yield new Measurement((double) n, n);
            }
        };
    }

    private Measurement engine(Metric metric, EventQuery q) {
        if (!metric.sessionMetric()) {
            double v = sum(q, metric);
            return new Measurement(v, Math.round(v));
        }
        MetricsOverview o = storage.metrics().overview(q);
        double value = switch (metric) {
            case SESSIONS -> o.sessions();
            case ENGAGED_SESSIONS -> o.engagedSessions();
            case BOUNCE_RATE -> o.bounceRate();
            case AVG_SESSION_DURATION -> o.avgSessionDuration();
            case PAGES_PER_SESSION -> o.pagesPerSession();
            case NEW_USERS -> o.newUsers();
            case RETURNING_USERS -> o.returningUsers();
            case VISITORS -> o.visitors();
            default -> throw new IllegalStateException("not a session metric: " + metric);
        };
        return new Measurement(metric.ratio() && o.sessions() == 0 ? null : value, metric.ratio() ? o.sessions() : Math.round(value));
    }

    /** An event metric's total over the query: the sum of its series (event metrics add up across buckets). */
    private double sum(EventQuery q, Metric metric) {
        double total = 0;
        for (SeriesPoint p : storage.metrics().series(series(q), metric, null, 1)) {
            total += p.value();
        }
        return total;
    }

    /** The query as a series with few enough buckets (at most 10,000) to cover any window a rule may have. */
    private static EventQuery series(EventQuery q) {
        Duration range = Duration.between(q.from(), q.to());
        Granularity g = range.compareTo(Duration.ofDays(6)) <= 0 ? Granularity.MINUTE
                : range.compareTo(Duration.ofDays(400)) <= 0 ? Granularity.HOUR : Granularity.DAY;
        return q.withSeries(g, ZoneOffset.UTC);
    }
}
