package dev.traceflow.core.storage;

import dev.traceflow.core.query.EventAggregate;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.SeriesPoint;

import java.time.Instant;
import java.util.List;

/**
 * Read capability: product analytics: active users and custom-event aggregates (API.md
 * {@code /api/analytics/*}). Every method takes an {@link EventQuery} whose range is of event times,
 * {@code [from, to)}, and a granularity; filters apply to each event's own dimensions. Every bucket
 * is listed, zeros included. Thread-safe.
 */
public interface ProductQueries {

    /**
     * Distinct users with at least one event in each bucket (of any type): DAU with day buckets,
     * WAU with week, MAU with month (calendar buckets in the query's zone, not rolling windows). A
     * user is an event's userId, else its anonymousId, else its sessionId; events with none of them
     * are not counted.
     */
    List<ActiveUsers> activeUsers(EventQuery query);

    /**
     * The aggregate over the custom events named {@link EventAggregate#name()} per bucket (and per
     * breakdown value, ordered by bucket then rank, as {@link dev.traceflow.core.query.DimensionSeries}).
     */
    List<SeriesPoint> events(EventQuery query, EventAggregate aggregate);

    /** Distinct users in the bucket that starts at {@code ts}. */
    record ActiveUsers(Instant ts, long users) {
    }
}
