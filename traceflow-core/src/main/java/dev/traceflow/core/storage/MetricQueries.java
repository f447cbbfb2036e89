package dev.traceflow.core.storage;

import dev.traceflow.core.query.DimensionSeries;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.query.MetricDimension;
import dev.traceflow.core.query.SeriesPoint;
import dev.traceflow.core.query.Sessionizer;

import java.util.List;

/**
 * Read capability: the metrics engine: series of page views, sessions, visitors... with dimensions,
 * and the overview (API.md {@code /api/metrics*}). Every method takes an {@link EventQuery} whose
 * range is of event times, {@code [from, to)}; answers follow API.md "Meaning of the numbers"
 * exactly ({@link Metric} and {@link MetricDimension} say how each is read). Sessions are formed as
 * {@link Sessionizer} describes. Thread-safe.
 *
 * <p><b>First session ever</b> (new and returning users): a user's first session starts at the
 * earliest start of the sessions of that user over every stored event of the app before
 * {@code to} + {@link Sessionizer#HORIZON}, sessions formed without the horizon's cut. A user
 * counts as <i>new</i> in a bucket when they have a session there (matching the filters) and their
 * first session ever starts at or after the bucket's start; <i>returning</i> when they have one
 * there and it started before. So new + returning = visitors in every bucket. A user without any
 * first session found (possible only when a session's user changes with the horizon) counts as new.
 */
public interface MetricQueries {

    /**
     * The metric per bucket of the query's series, every bucket listed (zeros included).
     *
     * @param dimension null for one point per bucket; else a point per bucket and per each of the
     *                  top {@code limit} dimension values (ranked by the metric's total over the
     *                  range; for a ratio metric by its denominator, the sessions with page views),
     *                  ordered by bucket then rank
     * @param limit     1..{@link DimensionSeries#MAX_LIMIT}; ignored without a dimension
     * @throws IllegalArgumentException when the metric does not {@link Metric#supports support} the dimension
     */
    List<SeriesPoint> series(EventQuery query, Metric metric, MetricDimension dimension, int limit);

    /** The headline numbers over the whole range, which is one bucket (granularity ignored). */
    MetricsOverview overview(EventQuery query);
}
