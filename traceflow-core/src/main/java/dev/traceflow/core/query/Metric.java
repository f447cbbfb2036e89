package dev.traceflow.core.query;

import java.util.Locale;

/**
 * The metrics of {@code GET /api/metrics} (API.md "Reading data"), each as "Meaning of the numbers"
 * defines it. Two families:
 *
 * <ul>
 *   <li><b>event metrics</b> ({@link #PAGE_VIEWS}, {@link #EVENTS}, {@link #CONVERSIONS},
 *       {@link #REVENUE}) count events whose time is in the bucket; filters apply to each event's
 *       own dimensions;</li>
 *   <li><b>session metrics</b> (the others) are over the sessions that start in the bucket; filters
 *       apply to the session's dimensions (its first event's, the entry page for {@code path}).
 *       {@link #VISITORS} are the distinct users of those sessions.</li>
 * </ul>
 *
 * A metric's value in a cell of the series is {@code numerator / denominator} for a {@link #ratio()}
 * metric (0 when the denominator is 0) and the numerator otherwise ({@link #value}).
 */
public enum Metric {
    PAGE_VIEWS(false, false),
    SESSIONS(true, false),
    ENGAGED_SESSIONS(true, false),
    /** Bounced sessions / sessions with at least one page view. */
    BOUNCE_RATE(true, true),
    /** Seconds, over sessions with at least one page view (numerator: their total milliseconds). */
    AVG_SESSION_DURATION(true, true),
    /** Over sessions with at least one page view. */
    PAGES_PER_SESSION(true, true),
    NEW_USERS(true, false),
    RETURNING_USERS(true, false),
    CONVERSIONS(false, false),
    REVENUE(false, false),
    EVENTS(false, false),
    VISITORS(true, false);

    private final boolean sessionMetric;
    private final boolean ratio;

    Metric(boolean sessionMetric, boolean ratio) {
        this.sessionMetric = sessionMetric;
        this.ratio = ratio;
    }

    /** The name in requests and answers, e.g. {@code page_views}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the metric named (case-sensitive wire name), or {@code null} when there is none */
    public static Metric fromWireName(String name) {
        for (Metric m : values()) {
            if (m.wireName().equals(name)) {
                return m;
            }
        }
        return null;
    }

    /** Computed over the sessions that start in a bucket (else over the events in it). */
    public boolean sessionMetric() {
        return sessionMetric;
    }

    /** A mean or a rate: numerator / denominator rather than a count or a sum. */
    public boolean ratio() {
        return ratio;
    }

    /** A whole number (a count), as opposed to revenue, rates and means. */
    public boolean whole() {
        return !ratio && this != REVENUE;
    }

    /**
     * The value of a cell: {@code numerator / denominator} for a ratio (0 without a denominator),
     * the numerator otherwise; durations are summed in ms and answered in seconds. Every backend
     * answers through this, so they divide alike.
     */
    public double value(double numerator, double denominator) {
        if (!ratio) {
            return numerator;
        }
        if (denominator == 0) {
            return 0;
        }
        double mean = numerator / denominator;
        return this == AVG_SESSION_DURATION ? mean / 1000 : mean;
    }

    /**
     * Whether the metric can be broken down by the dimension: {@code event_type} only for
     * {@link #EVENTS}, {@code conversion_type} only for {@link #CONVERSIONS} and {@link #REVENUE};
     * every other dimension for every metric. A null dimension (no breakdown) always.
     */
    public boolean supports(MetricDimension d) {
        if (d == null) {
            return true;
        }
        return switch (d) {
            case EVENT_TYPE -> this == EVENTS;
            case CONVERSION_TYPE -> this == CONVERSIONS || this == REVENUE;
            default -> true;
        };
    }
}
