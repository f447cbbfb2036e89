package dev.traceflow.errors;

import java.time.Instant;

/**
 * An error group got its first event. Published (as a Spring application event) after the group
 * was stored, on the thread that delivers {@link dev.traceflow.storage.EventsStored}.
 *
 * @param groupId   the group's id, as in {@code /api/errors/{id}}
 * @param firstSeen event time of its first event
 */
public record ErrorGroupCreated(String appId, long groupId, String fingerprint, String errorType, String message,
                                Instant firstSeen) {
}
