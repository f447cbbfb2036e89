package dev.traceflow.core.storage;

import dev.traceflow.core.query.Metric;

/**
 * {@code GET /api/metrics/overview}: each field is the {@link Metric} of the same name over the
 * query's whole range as one bucket.
 *
 * @param bounceRate         0..1, 0 without sessions with page views
 * @param avgSessionDuration seconds
 * @param revenue            sum of the conversions' {@code properties.revenue}
 */
public record MetricsOverview(long visitors, long sessions, long pageViews, double bounceRate, double avgSessionDuration,
                              double pagesPerSession, long engagedSessions, long newUsers, long returningUsers,
                              long conversions, double revenue) {
}
