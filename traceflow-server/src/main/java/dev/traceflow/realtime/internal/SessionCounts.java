package dev.traceflow.realtime.internal;

import dev.traceflow.core.query.MetricDimension;
import dev.traceflow.storage.EventsStored.SessionDimensions;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One app's session increments in a round ({@link LiveSessions} tells them): sessions and engaged
 * sessions, all and by each session dimension the metrics endpoint breaks sessions down by (a
 * missing value as {@link MetricDimension#NONE}, as it answers). Increments may be negative when a
 * late event corrects a session. Not thread-safe.
 */
final class SessionCounts {

    /** the session's own dimensions, in the order the payload lists them */
    static final List<MetricDimension> DIMENSIONS = List.of(MetricDimension.DEVICE_TYPE, MetricDimension.TRAFFIC_SOURCE,
            MetricDimension.BROWSER, MetricDimension.OS, MetricDimension.COUNTRY);

    long sessions;
    long engaged;
    final Map<MetricDimension, LiveMetrics.BoundedCounts> sessionsBy = new EnumMap<>(MetricDimension.class);
    final Map<MetricDimension, LiveMetrics.BoundedCounts> engagedBy = new EnumMap<>(MetricDimension.class);

    SessionCounts() {
        for (MetricDimension d : DIMENSIONS) {
            sessionsBy.put(d, new LiveMetrics.BoundedCounts());
            engagedBy.put(d, new LiveMetrics.BoundedCounts());
        }
    }

    /** Counts a session with these dimensions ({@code sign} 1) or takes one away (-1). */
    void add(SessionDimensions dimensions, boolean isEngaged, int sign) {
        sessions += sign;
        for (MetricDimension d : DIMENSIONS) {
            sessionsBy.get(d).add(value(dimensions, d), sign);
        }
        if (isEngaged) {
            engaged += sign;
            for (MetricDimension d : DIMENSIONS) {
                engagedBy.get(d).add(value(dimensions, d), sign);
            }
        }
    }

    private static String value(SessionDimensions dimensions, MetricDimension d) {
        String value = switch (d) {
            case DEVICE_TYPE -> dimensions.deviceType();
            case TRAFFIC_SOURCE -> dimensions.trafficSource();
            case BROWSER -> dimensions.browser();
            case OS -> dimensions.os();
            case COUNTRY -> dimensions.country();
            default -> throw new IllegalArgumentException("not a session dimension: " + d);
        };
        return value == null ? MetricDimension.NONE : value;
    }
}
