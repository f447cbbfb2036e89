package dev.traceflow.errors;

import java.time.Instant;

/**
 * One row of {@code error_groups} (see {@code db/migration/V5__error_groups.sql}).
 *
 * @param timesSeen       events ever stored for the group
 * @param lastRegressedAt null when it never regressed
 */
record ErrorGroup(long id, String appId, String fingerprint, ErrorStatus status, String type, String message,
                  Instant firstSeen, Instant lastSeen, long timesSeen, int regressions, Instant lastRegressedAt,
                  Instant statusChangedAt) {
}
