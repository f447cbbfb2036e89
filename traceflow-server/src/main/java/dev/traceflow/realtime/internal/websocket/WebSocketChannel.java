package dev.traceflow.realtime.internal.websocket;

import dev.traceflow.realtime.PreparedText;
import dev.traceflow.realtime.internal.broker.ClientChannel;
import dev.traceflow.realtime.internal.broker.CloseReason;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.WebSocketSession;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A WebSocket session as the broker's channel, on Tomcat's own session (Spring's would write one
 * frame per call). Sends are blocking (Tomcat gives up on a client that reads nothing for its
 * blocking-send timeout and the send fails); the broker calls them from one writer at a time, as a
 * WebSocket session needs.
 * <p>
 * Text goes out as UTF-8 bytes ({@link TomcatFrames#sendText}), and runs of prepared messages as
 * frames made here and written together ({@link TomcatFrames#writeFrames}): both much cheaper than
 * Tomcat's public {@code sendText} when a connection gets a build log's thousands of lines a second.
 * With a Tomcat whose internals differ, the public API is used ({@link #framesAsBytes()},
 * {@link #frameRuns()} say which).
 */
final class WebSocketChannel implements ClientChannel {

    /** Tomcat's default blocking-send timeout, used when the session sets none */
    static final long DEFAULT_SEND_TIMEOUT_MILLIS = 20_000;
    static final String SEND_TIMEOUT_PROPERTY = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

    /** {@code /ws}'s event frames, shared by every connection of the process */
    private static final EventFrames PLAIN_EVENTS = EventFrames.plain();

    private final WebSocketSession session;
    private final Session nativeSession;
    private final RemoteEndpoint.Basic remote;
    /** Tomcat's sender behind {@link #remote}; null when text goes through sendText */
    private final Object endpoint;
    /** a message went into Tomcat's batch since its last flush: it goes out before a run written past the batch */
    private boolean batched;

    /**
     * Batching on: a burst of events is written in as few frames-per-write as Tomcat's buffer holds,
     * instead of one write per event, and {@link #flush} sends the rest when the broker's queue runs dry.
     */
    WebSocketChannel(WebSocketSession session) throws IOException {
        this.session = session;
        this.nativeSession = ((NativeWebSocketSession) session).getNativeSession(Session.class);
        this.remote = nativeSession.getBasicRemote();
        remote.setBatchingAllowed(true);
        this.endpoint = TomcatFrames.sendsTextAsBytes() ? TomcatFrames.endpointOf(remote) : null;
    }

    /** Whether the Tomcat on the class path takes text frames as bytes (else text goes through its {@code sendText}). */
    static boolean framesAsBytes() {
        return TomcatFrames.sendsTextAsBytes();
    }

    /** Whether the Tomcat on the class path lets runs of prepared messages be written at once. */
    static boolean frameRuns() {
        return TomcatFrames.writesFrameRuns();
    }

    @Override
    public void send(String json) throws IOException {
        batched = true;
        if (endpoint == null) {
            remote.sendText(json);
            return;
        }
        sendUtf8(json.getBytes(StandardCharsets.UTF_8));
    }

    /** An event's frame is encoded once for all of its topic's {@code /ws} subscribers ({@link EventFrames}). */
    @Override
    public void sendEvent(String json) throws IOException {
        if (endpoint == null) {
            send(json);
            return;
        }
        sendUtf8(PLAIN_EVENTS.frame(json));
    }

    /**
     * One whole text frame from its UTF-8 payload. The array may be shared with other connections'
     * writers: Tomcat only reads it (a server's frames are not masked), through a buffer of its own.
     */
    void sendUtf8(byte[] utf8) throws IOException {
        batched = true;
        if (endpoint == null) {
            remote.sendText(new String(utf8, StandardCharsets.UTF_8));
            return;
        }
        // one whole text frame; the broker's single writer per connection stands in for sendText's state checks
        TomcatFrames.sendText(endpoint, ByteBuffer.wrap(utf8));
    }

    @Override
    public void sendPrepared(List<PreparedText> burst) throws IOException {
        if (endpoint == null || !TomcatFrames.writesFrameRuns()) {
            for (PreparedText message : burst) {
                if (endpoint == null) {
                    remote.sendText(message.json());
                } else {
                    TomcatFrames.sendText(endpoint, message.bytes());
                }
            }
            batched = true;
            return;
        }
        if (batched) {
            flush(); // what Tomcat holds was queued before this run
        }
        TomcatFrames.writeFrames(endpoint, burst, sendTimeoutMillis());
    }

    private long sendTimeoutMillis() {
        return nativeSession.getUserProperties().get(SEND_TIMEOUT_PROPERTY) instanceof Long millis ? millis : DEFAULT_SEND_TIMEOUT_MILLIS;
    }

    @Override
    public void flush() throws IOException {
        batched = false;
        remote.flushBatch();
    }

    WebSocketSession session() {
        return session;
    }

    @Override
    public void close(CloseReason reason) {
        try {
            session.close(new CloseStatus(reason.code(), reason.name()));
        } catch (IOException | RuntimeException e) {
            // already closed, or the close frame could not be written: the socket is gone either way
        }
    }
}
