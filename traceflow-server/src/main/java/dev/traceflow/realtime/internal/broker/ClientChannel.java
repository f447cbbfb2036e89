package dev.traceflow.realtime.internal.broker;

import dev.traceflow.realtime.PreparedText;

import java.io.IOException;
import java.util.List;

/**
 * A transport's side of one connection. The broker calls {@link #send} from one thread at a time,
 * in queue order, and may block there as long as the client is slow: that thread is the
 * connection's own, so nobody else waits. {@link #close} may come from any thread, also while a
 * send is blocked, and more than once.
 */
public interface ClientChannel {

    /**
     * Sends one message (API.md JSON, as text); a transport may hold it in a buffer until {@link #flush}.
     *
     * @throws IOException when the connection is gone
     */
    void send(String json) throws IOException;

    /**
     * Sends messages prepared once for many connections, in order, as many {@link #send} calls would;
     * a transport that can write their bytes as they are writes the whole burst at once.
     *
     * @throws IOException when the connection is gone (some of the messages may have been sent)
     */
    default void sendPrepared(List<PreparedText> burst) throws IOException {
        for (PreparedText message : burst) {
            send(message.json());
        }
    }

    /**
     * Sends one event, as {@link #send} does. The broker hands every subscriber of the topic the same
     * {@code json} instance, so a transport may encode it once for all of them and find it again by identity.
     *
     * @throws IOException when the connection is gone
     */
    default void sendEvent(String json) throws IOException {
        send(json);
    }

    /** Writes out whatever {@link #send} buffered; the broker calls it whenever its queue runs empty. */
    default void flush() throws IOException {
    }

    void close(CloseReason reason);
}
