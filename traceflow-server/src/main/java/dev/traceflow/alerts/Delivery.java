package dev.traceflow.alerts;

import java.time.Instant;

/**
 * One notification of an incident to one channel.
 *
 * @param event  {@code firing} or {@code resolved}: which notification
 * @param status {@code pending} (queued or between retries), {@code delivered}, {@code failed}
 *               (gave up), {@code silenced} (a silence held it back), {@code skipped} (the channel
 *               was deleted, or its kind cannot deliver here)
 */
record Delivery(String id, String incidentId, String channelId, String channelType, String event, String status, int attempts,
                String detail, Instant createdAt, Instant lastAttemptAt) {
}
