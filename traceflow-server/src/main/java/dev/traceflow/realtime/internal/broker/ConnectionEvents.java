package dev.traceflow.realtime.internal.broker;

/**
 * What happens to connections, for the audit trail. Called on whichever thread saw it (a
 * transport's, a writer's, a timer's), never under a broker lock; an implementation must not block:
 * it notes the fact and returns (the audit writes later, elsewhere).
 */
public interface ConnectionEvents {

    /** Nothing is noted: the broker's default, and tests'. */
    ConnectionEvents NONE = new ConnectionEvents() {
    };

    /** The connection was registered (it passed the handshake and the limits). */
    default void opened(Connection connection) {
    }

    /** A subscription was registered (a first subscribe, or a resume). */
    default void subscribed(Connection connection, String topic, boolean resume) {
    }

    /**
     * A subscription ended while the connection stays.
     *
     * @param byClient true for the client's {@code unsubscribe}; false when its access no longer allows the topic
     */
    default void unsubscribed(Connection connection, String topic, boolean byClient) {
    }

    /**
     * The connection is gone. Once per connection.
     *
     * @param how      what ended it: {@code client_closed} (the client's close, or a page going away),
     *                 {@code dropped} (the network, without a close), {@code write_failed}, or the server's
     *                 {@link CloseReason} name ({@code SLOW_CONSUMER}, {@code UNAUTHORIZED}, {@code SHUTDOWN}...)
     * @param abnormal true unless the client closed it normally or the server shut down
     */
    default void closed(Connection connection, String how, boolean abnormal) {
    }
}
