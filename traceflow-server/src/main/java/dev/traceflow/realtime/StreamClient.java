package dev.traceflow.realtime;

import java.util.List;

/** One gateway connection, as {@link ConnectionStreams} see it. */
public interface StreamClient {

    /** Unique per connection while the server runs. */
    String id();

    /** The one app whose resources the connection reaches (fixed when it connected). */
    String appId();

    /**
     * The signed-in user behind the connection (who passed the handshake's role check on {@link #appId()}
     * and is checked again while connected), or null for an anonymous browser client or a backend's key.
     */
    String userId();

    /** Messages waiting in the connection's send queue now. */
    int queued();

    /** How many messages the send queue holds before the connection is cut off as a slow consumer. */
    int queueCapacity();

    /**
     * Queues one message (JSON text) after what is queued. Never blocks.
     *
     * @return false when the connection is closing (the message was not queued), or was cut off by it
     */
    boolean send(String json);

    /**
     * Queues messages in order after what is queued, as many {@link #send} calls would, but as one step:
     * the connection's lock is taken once and its writer started once for the whole burst. Never blocks.
     *
     * @return false when the connection is closing (then some of the messages may not have been queued)
     */
    default boolean sendAll(List<String> messages) {
        for (String json : messages) {
            if (!send(json)) {
                return false;
            }
        }
        return true;
    }

    /**
     * As {@link #sendAll}, for messages prepared once for many connections (the same log line to every
     * follower): the connection's writer hands runs of them to the transport together, which writes
     * their bytes without encoding them again. Never blocks.
     *
     * @return false when the connection is closing (then some of the messages may not have been queued)
     */
    default boolean sendPrepared(List<PreparedText> messages) {
        return sendAll(messages.stream().map(PreparedText::json).toList());
    }
}
