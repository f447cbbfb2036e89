package dev.traceflow.core.event;

import java.util.List;
import java.util.Map;

/**
 * The type-specific part of an event. Types without extra fields (pageview, session_start,
 * session_end, conversion, purchase) carry {@link None}.
 */
public sealed interface EventDetails {

    /** No extra fields. */
    record None() implements EventDetails {
        public static final None INSTANCE = new None();
    }

    /**
     * A JavaScript error. {@code fingerprint} is the client's override of grouping, or null.
     */
    record ErrorDetails(String message, String stack, String errorType, String filename,
                        Integer lineno, Integer colno, List<String> fingerprint) implements EventDetails {
    }

    /** Navigation timings in milliseconds ({@code cls} unitless), keyed by API.md's metric names. */
    record PerformanceDetails(Map<String, Double> metrics, List<ResourceTiming> resources) implements EventDetails {
    }

    /** One metric as the web-vitals library reports it; {@code id} identifies the page load's metric. */
    record WebVitalDetails(String name, double value, String rating, Double delta, String id,
                           String navigationType) implements EventDetails {
    }

    /** One resource timing entry sent as its own event. */
    record ResourceDetails(ResourceTiming timing) implements EventDetails {
    }

    /** A click at page pixel coordinates. */
    record ClickDetails(double x, double y, int viewportWidth, int viewportHeight, String selector)
            implements EventDetails {
    }

    /** A custom event (type {@code event}); its values are in the event's properties. */
    record CustomEventDetails(String name) implements EventDetails {
    }

    /** An API call observed by the client (type {@code api}). Duration in milliseconds. */
    record ApiCallDetails(String method, String url, Integer status, Double duration) implements EventDetails {
    }

    /** A resource timing; times in milliseconds, transfer size in bytes (null when unknown). */
    record ResourceTiming(String name, String initiatorType, Double startTime, double duration, Double transferSize) {
    }
}
