package dev.traceflow.alerts;

import dev.traceflow.core.query.Metric;

import java.util.Objects;

/**
 * A measure whose value over a range is the sum of its values over the parts of the range: events
 * of the metrics engine ({@code page_views}, {@code conversions}, {@code revenue}...), error events,
 * events of one name. Such a measure read once per minute bucket over the longest window answers
 * every shorter window ending at the same time ({@link MinuteAnswers}).
 *
 * @param metric    for {@link Kind#EVENT_METRIC}
 * @param eventName for {@link Kind#NAMED_EVENTS}
 */
record AdditiveSeries(Kind kind, Metric metric, String eventName) {

    enum Kind { EVENT_METRIC, ERROR_EVENTS, NAMED_EVENTS }

    static final AdditiveSeries ERRORS = new AdditiveSeries(Kind.ERROR_EVENTS, null, null);
    static final AdditiveSeries PAGE_VIEWS = eventMetric(Metric.PAGE_VIEWS);

    AdditiveSeries {
        Objects.requireNonNull(kind);
        if ((kind == Kind.EVENT_METRIC) != (metric != null) || (kind == Kind.NAMED_EVENTS) != (eventName != null)) {
            throw new IllegalArgumentException("a " + kind + " series with metric " + metric + " and event " + eventName);
        }
        if (metric != null && metric.sessionMetric()) {
            // sessions are counted where they start, over the sessions the whole range holds: not additive
            throw new IllegalArgumentException(metric + " is a session metric, not additive over time");
        }
    }

    static AdditiveSeries eventMetric(Metric metric) {
        return new AdditiveSeries(Kind.EVENT_METRIC, metric, null);
    }

    static AdditiveSeries namedEvents(String name) {
        return new AdditiveSeries(Kind.NAMED_EVENTS, null, name);
    }
}
