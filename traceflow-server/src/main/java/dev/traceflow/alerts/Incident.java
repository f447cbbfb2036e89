package dev.traceflow.alerts;

import java.time.Instant;

/**
 * One firing of a rule, from when it started to when it resolved.
 *
 * @param subject the error group's id for event-driven rules; null for scheduled rules
 * @param value   the measured value when it started (scheduled rules), the group's id otherwise
 */
record Incident(String id, String ruleId, String appId, String subject, String title, String state, Instant startedAt,
                Instant resolvedAt, Double value, Instant ackedAt, String ackedBy) {

    static final String FIRING = "firing";
    static final String RESOLVED = "resolved";
}
