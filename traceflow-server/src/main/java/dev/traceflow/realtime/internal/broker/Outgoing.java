package dev.traceflow.realtime.internal.broker;

import dev.traceflow.realtime.PreparedText;

/**
 * One message waiting in a connection's {@link Outbox}.
 *
 * @param json         the text to send
 * @param subscription the subscription an event goes to (skipped once it ended), null for other messages
 * @param event        the event, for reliable deliveries that must be acknowledged; null otherwise
 * @param redelivery   the unacknowledged delivery this is a repeat of, or null for a first send
 * @param kind         how the queue's bound treats it
 * @param close        after sending (or failing to send) it, close the connection with this reason; null otherwise
 * @param prepared     the same message encoded once for many connections (another feature's stream), or null
 */
record Outgoing(String json, Subscription subscription, PublishedEvent event, Pending redelivery, Kind kind, CloseReason close,
                PreparedText prepared) {

    enum Kind {
        /** replies and reliable events: counted against the bound; a full queue makes a slow consumer */
        RELIABLE,
        /** events of volatile topics: counted; the oldest of them make room when the queue is full */
        VOLATILE,
        /** a resume's replay and the last words before a close: not counted (a replay is bounded by the history) */
        UNCOUNTED
    }

    /** A message of the broker's own (not prepared elsewhere). */
    Outgoing(String json, Subscription subscription, PublishedEvent event, Pending redelivery, Kind kind, CloseReason close) {
        this(json, subscription, event, redelivery, kind, close, null);
    }

    static Outgoing reply(String json) {
        return new Outgoing(json, null, null, null, Kind.RELIABLE, null);
    }

    static Outgoing prepared(PreparedText message) {
        return new Outgoing(message.json(), null, null, null, Kind.RELIABLE, null, message);
    }

    static Outgoing event(Subscription subscription, PublishedEvent event, boolean isVolatile) {
        return isVolatile ? new Outgoing(event.json(), subscription, null, null, Kind.VOLATILE, null)
                : new Outgoing(event.json(), subscription, event, null, Kind.RELIABLE, null);
    }

    static Outgoing replay(Subscription subscription, PublishedEvent event, boolean isVolatile) {
        return new Outgoing(event.json(), subscription, isVolatile ? null : event, null, Kind.UNCOUNTED, null);
    }

    static Outgoing redelivery(Subscription subscription, Pending pending) {
        return new Outgoing(pending.event().json(), subscription, pending.event(), pending, Kind.RELIABLE, null);
    }

    static Outgoing lastWords(String json, CloseReason close) {
        return new Outgoing(json, null, null, null, Kind.UNCOUNTED, close);
    }
}
