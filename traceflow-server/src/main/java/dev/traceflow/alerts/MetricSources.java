package dev.traceflow.alerts;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.storage.ErrorQueries;
import dev.traceflow.core.storage.MetricsOverview;
import dev.traceflow.core.storage.PerformanceQueries.VitalStats;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The answers a rule's metric is computed from ({@link MetricReader}): read from the store
 * ({@link StoreSources}) or from what the rules of the same minute already read ({@link MinuteAnswers}).
 * Several metrics come from one answer (every web vital from one {@link #webVitals}, every session
 * metric from one {@link #overview}), so answers are what is shared, not metrics.
 */
interface MetricSources {

    ErrorQueries.Totals errorTotals(EventQuery q);

    List<VitalStats> webVitals(EventQuery q);

    MetricsOverview overview(EventQuery q);

    /** The total of a series that adds up over time (a count or a sum of events), over the query's range. */
    double total(AdditiveSeries series, EventQuery q);

    /** Ingest outcomes by reason (and {@code accepted}) of an app, as {@code GET /api/ingest/stats} counts them. */
    Map<String, Long> ingestOutcomes(String appId, Instant from, Instant to);
}
