package dev.traceflow.errors;

import java.time.Instant;

/**
 * A person changed an error group's status ({@code PATCH /api/errors/{id}}). Published (as a Spring
 * application event) after the change committed, on the request's thread.
 *
 * @param before the status before, as its wire name ({@code unresolved | resolved | ignored})
 * @param after  the status after
 */
public record ErrorGroupStatusChanged(String appId, long groupId, String fingerprint, String before, String after,
                                      Instant changedAt) {
}
