package dev.traceflow.core.storage;

import java.time.Instant;
import java.util.Map;

/** The first read capability: how many events of each type an app has in a time range. */
public interface EventCounts {

    /**
     * Counts stored events of {@code appId} whose event time is in {@code [from, to)}.
     *
     * @return event type wire name to count, only types with at least one event; empty map when none
     */
    Map<String, Long> countByType(String appId, Instant from, Instant to);

    /** Total over all types for {@code appId} in {@code [from, to)}. */
    default long count(String appId, Instant from, Instant to) {
        return countByType(appId, from, to).values().stream().mapToLong(Long::longValue).sum();
    }
}
