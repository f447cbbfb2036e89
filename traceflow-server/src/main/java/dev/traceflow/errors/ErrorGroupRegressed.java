package dev.traceflow.errors;

import java.time.Instant;

/**
 * A resolved error group got a new event and is unresolved again. Published (as a Spring
 * application event) after the change committed, on the thread that delivers
 * {@link dev.traceflow.storage.EventsStored}, in the order the store loaded the events.
 *
 * @param groupId     the group's id, as in {@code /api/errors/{id}}
 * @param regressedAt when the server stored the event that reopened it
 * @param regressions how often the group has regressed, this time included
 * @param lastSeen    event time of the group's latest event
 */
public record ErrorGroupRegressed(String appId, long groupId, String fingerprint, String errorType, String message,
                                  Instant regressedAt, int regressions, Instant lastSeen) {
}
