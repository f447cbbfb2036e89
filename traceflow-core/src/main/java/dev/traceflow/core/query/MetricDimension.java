package dev.traceflow.core.query;

import java.util.Locale;

/**
 * What a metric series can be broken down by (API.md "Meaning of the numbers", "Dimensions"):
 *
 * <ul>
 *   <li>{@link #PATH}: an event metric's own event's path (a page view's own path); a session
 *       metric's entry page;</li>
 *   <li>{@link #DEVICE_TYPE}, {@link #TRAFFIC_SOURCE}, {@link #BROWSER}, {@link #OS},
 *       {@link #COUNTRY}: the session's first event's value, for event metrics too (a page view
 *       is attributed to the traffic source of the visit it is part of); an event that belongs to
 *       no session (no sessionId, userId or anonymousId) uses its own value;</li>
 *   <li>{@link #EVENT_TYPE}: the event's type (metric {@code events} only);</li>
 *   <li>{@link #CONVERSION_TYPE}: a conversion's {@code properties.conversionType} when it is a
 *       string (metrics {@code conversions} and {@code revenue} only).</li>
 * </ul>
 *
 * A missing value is answered as {@link #NONE}.
 */
public enum MetricDimension {
    PATH, DEVICE_TYPE, TRAFFIC_SOURCE, BROWSER, OS, COUNTRY, EVENT_TYPE, CONVERSION_TYPE;

    /** The dimension value of events or sessions that have none (no page view, no user agent...). */
    public static final String NONE = "(none)";

    /** The name in requests, e.g. {@code device_type}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the dimension named (case-sensitive wire name), or {@code null} when there is none */
    public static MetricDimension fromWireName(String name) {
        for (MetricDimension d : values()) {
            if (d.wireName().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** One of the session's own dimensions: browser, os, device type, country, traffic source. */
    public boolean fromSession() {
        return this == DEVICE_TYPE || this == TRAFFIC_SOURCE || this == BROWSER || this == OS || this == COUNTRY;
    }
}
