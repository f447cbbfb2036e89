package dev.traceflow.core.query;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * What every read asks: one app, a time range {@code [from, to)} of event times, filters, and for
 * series a granularity in a time zone. Validated by the caller (the HTTP layer answers 4xx); the
 * constructor only refuses what no caller may build.
 *
 * @param granularity null when the read is not a series
 * @param zone        the zone of day, week and month buckets; UTC when not asked
 */
public record EventQuery(String appId, Instant from, Instant to, Filters filters, Granularity granularity, ZoneId zone) {

    public EventQuery {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("from must be before to: " + from + " / " + to);
        }
        filters = filters == null ? Filters.NONE : filters;
        zone = zone == null ? ZoneOffset.UTC : zone;
    }

    /** A query without filters or series. */
    public static EventQuery of(String appId, Instant from, Instant to) {
        return new EventQuery(appId, from, to, Filters.NONE, null, ZoneOffset.UTC);
    }

    public EventQuery withFilters(Filters f) {
        return new EventQuery(appId, from, to, f, granularity, zone);
    }

    public EventQuery withSeries(Granularity g, ZoneId z) {
        return new EventQuery(appId, from, to, filters, g, z);
    }

    /** Whether an event time (epoch ms) is in the range. */
    public boolean contains(long epochMillis) {
        return epochMillis >= from.toEpochMilli() && epochMillis < to.toEpochMilli();
    }

    /** The buckets of this query's series; requires a granularity. */
    public TimeBuckets buckets() {
        if (granularity == null) {
            throw new IllegalStateException("the query has no granularity");
        }
        return new TimeBuckets(from, to, granularity, zone);
    }
}
