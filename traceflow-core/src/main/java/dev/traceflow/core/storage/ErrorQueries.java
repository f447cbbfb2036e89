package dev.traceflow.core.storage;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.query.EventQuery;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Read capability: error events: per-group counts, a group's latest event, breakdowns and series,
 * error totals (API.md {@code /api/errors*}); the groups themselves (status, first / last seen)
 * live in the metadata database.
 *
 * <p>An error event is an event of type {@code error}; its group is its {@code fingerprint} (set
 * by the pipeline for every error). Every method that takes an {@link EventQuery} counts the error
 * events whose time is in {@code [from, to)} and whose own dimensions match the filters (errors
 * are event-level numbers). A user is {@link Event#distinctUser()}: userId, else anonymousId,
 * else sessionId; events with none of them count for no user. Thread-safe.
 */
public interface ErrorQueries {

    /** The label of errors that carry no {@code errorType}, in {@link #byType}. */
    String UNTYPED = "Error";

    /**
     * Every group with error events in the query, with its events and users there; in no order a
     * caller may rely on (the server sorts after joining the group metadata).
     */
    List<GroupCount> groups(EventQuery query);

    /**
     * The latest error event of a group with an event time in {@code [from, to)} (no other
     * filters); of several at the same time, the one stored last.
     */
    Optional<ErrorEvent> latestEvent(String appId, String fingerprint, Instant from, Instant to);

    /**
     * A group's events in the query split by one dimension, most events first, ties by value
     * (nulls last); events without the dimension count under a {@code null} value.
     */
    List<ValueCount> breakdown(EventQuery query, String fingerprint, Dimension dimension);

    /**
     * Error events per bucket of the query's series ({@link EventQuery#buckets()}, zeros
     * included), of one group or, for a {@code null} fingerprint, of every group.
     *
     * @return one count per bucket, in bucket order
     */
    List<Long> series(EventQuery query, String fingerprint);

    /** All error events of the query: events, distinct groups, distinct users. */
    Totals totals(EventQuery query);

    /**
     * Error events of the query by {@code errorType} as sent ({@link #UNTYPED} for none), most
     * first, ties by type.
     */
    List<ValueCount> byType(EventQuery query);

    /**
     * What {@code /api/errors/stats} shows: {@link #totals}, {@link #series} of every group and
     * {@link #byType} of one query, together, so a backend can answer them in one pass over the
     * events. The default asks the three methods.
     */
    default Stats stats(EventQuery query) {
        return new Stats(totals(query), series(query, null), byType(query));
    }

    /**
     * What a group's detail shows besides its latest event: the group's events and users (as
     * {@link #groups} counts them; zeros when it has none in the query), its {@link #breakdown} by
     * every {@link Dimension} and its {@link #series}, together, so a backend can answer them in
     * one pass over the group's events. The default asks the separate methods.
     */
    default GroupDetail groupDetail(EventQuery query, String fingerprint) {
        GroupCount count = groups(query).stream().filter(c -> c.fingerprint().equals(fingerprint)).findFirst()
                .orElse(new GroupCount(fingerprint, 0, 0));
        Map<Dimension, List<ValueCount>> breakdowns = new EnumMap<>(Dimension.class);
        for (Dimension d : Dimension.values()) {
            breakdowns.put(d, breakdown(query, fingerprint, d));
        }
        return new GroupDetail(count, breakdowns, series(query, fingerprint));
    }

    /** A group's error events and distinct users over a query. */
    record GroupCount(String fingerprint, long count, long users) {
    }

    /** A value of a dimension and its events; {@code value} null for events without it. */
    record ValueCount(String value, long count) {
    }

    /** Error events, distinct groups (fingerprints) and distinct users. */
    record Totals(long events, long groups, long users) {
    }

    /** {@link #stats}: the answers of {@link #totals}, {@link #series} (every group) and {@link #byType}. */
    record Stats(Totals totals, List<Long> series, List<ValueCount> byType) {

        public Stats {
            series = List.copyOf(series);
            byType = List.copyOf(byType);
        }
    }

    /**
     * {@link #groupDetail}: the group's count, a breakdown for every {@link Dimension} (in the
     * enum's order) and the group's series.
     */
    record GroupDetail(GroupCount count, Map<Dimension, List<ValueCount>> breakdowns, List<Long> series) {

        public GroupDetail {
            EnumMap<Dimension, List<ValueCount>> copy = new EnumMap<>(Dimension.class);
            breakdowns.forEach((d, values) -> copy.put(d, List.copyOf(values)));
            breakdowns = Collections.unmodifiableMap(copy);
            series = List.copyOf(series);
        }
    }

    /**
     * One stored error event as shown in a group's detail.
     *
     * @param timestamp event time
     * @param user      userId, else anonymousId, else sessionId, or null
     * @param lineno     1-based, or null when not sent (also {@code colno})
     * @param properties the event's custom properties (a Sentry event's tags), JSON-like as
     *                   {@link StoredEvent#jsonLike} makes them; never null
     * @param metadata   the event's metadata (a Sentry event's level, contexts, breadcrumbs... under
     *                   {@code sentry}), JSON-like likewise; never null
     */
    record ErrorEvent(String eventId, Instant timestamp, String message, String errorType, String stack,
                      String filename, Integer lineno, Integer colno, String url, String path, String release,
                      String environment, String browser, String os, String deviceType, String country,
                      String sessionId, String user, Map<String, Object> properties, Map<String, Object> metadata) {

        @SuppressWarnings("unchecked")
        public ErrorEvent {
            properties = properties == null ? Map.of() : (Map<String, Object>) StoredEvent.jsonLike(properties);
            metadata = metadata == null ? Map.of() : (Map<String, Object>) StoredEvent.jsonLike(metadata);
        }
    }

    /** The dimensions a group's events are broken down by, with the event column that holds each. */
    enum Dimension {
        BROWSER("browser", Event::browser),
        OS("os", Event::os),
        RELEASE("release", Event::release);

        private final String column;
        private final Function<Event, String> value;

        Dimension(String column, Function<Event, String> value) {
            this.column = column;
            this.value = value;
        }

        /** The {@code events} column (and answer field) of the dimension. */
        public String column() {
            return column;
        }

        /** The dimension's value of an event. */
        public String of(Event e) {
            return value.apply(e);
        }
    }
}
