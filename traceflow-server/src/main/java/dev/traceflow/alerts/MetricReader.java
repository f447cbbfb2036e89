package dev.traceflow.alerts;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.storage.MetricsOverview;
import dev.traceflow.core.storage.PerformanceQueries.VitalStats;

import java.util.Map;

/**
 * Computes an {@link AlertMetric} over one window from the answers of a {@link MetricSources}: the
 * store's, or those the rules of the same minute share. How each metric is defined lives here
 * once, whichever way its answers are read.
 */
final class MetricReader {

    private MetricReader() {
    }

    static Measurement measure(AlertMetric metric, EventQuery q, MetricSources sources) {
        return switch (metric.source()) {
            case ENGINE -> metric.engineMetric().sessionMetric() ? session(metric.engineMetric(), sources.overview(q))
                    : count(sources.total(AdditiveSeries.eventMetric(metric.engineMetric()), q));
            case ERROR_COUNT -> count(sources.total(AdditiveSeries.ERRORS, q));
            case ERROR_USERS -> {
                long n = sources.errorTotals(q).users();
                yield new Measurement((double) n, n);
            }
            case ERROR_RATE -> {
                double errors = sources.total(AdditiveSeries.ERRORS, q);
                long pageViews = Math.round(sources.total(AdditiveSeries.PAGE_VIEWS, q));
                yield new Measurement(pageViews == 0 ? null : errors / pageViews, pageViews);
            }
            case VITAL_P75 -> {
                VitalStats row = sources.webVitals(q).stream().filter(v -> v.name().equals(metric.argument())).findFirst().orElse(null);
                yield row == null || row.count() == 0 ? new Measurement(null, 0) : new Measurement(row.p75(), row.count());
            }
            case EVENT_COUNT -> count(sources.total(AdditiveSeries.namedEvents(metric.argument()), q));
            case INGEST_DROPPED -> {
                Map<String, Long> totals = sources.ingestOutcomes(q.appId(), q.from(), q.to());
                long n = metric.argument() != null ? totals.getOrDefault(metric.argument(), 0L)
                        : totals.entrySet().stream().filter(e -> !e.getKey().equals("accepted")).mapToLong(Map.Entry::getValue).sum();
                yield new Measurement((double) n, n);
            }
        };
    }

    private static Measurement count(double n) {
        return new Measurement(n, Math.round(n));
    }

    private static Measurement session(Metric metric, MetricsOverview o) {
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
}
