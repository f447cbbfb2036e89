package dev.traceflow.realtime.internal.broker;

/**
 * A publish's outcome: the event's place in its topic.
 *
 * @param duplicate true when the id was already sequenced within the idempotency window: {@code seq}
 *                  is then the first time's, and nothing was sent again
 */
public record Published(String topic, String id, long seq, String epoch, boolean duplicate) {
}
