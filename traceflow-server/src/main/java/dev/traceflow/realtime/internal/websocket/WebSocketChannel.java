package dev.traceflow.realtime.internal.websocket;

import dev.traceflow.realtime.internal.broker.ClientChannel;
import dev.traceflow.realtime.internal.broker.CloseReason;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.WebSocketSession;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;

import java.io.IOException;

/**
 * A WebSocket session as the broker's channel, on Tomcat's own session (Spring's would write one
 * frame per call). Sends are blocking (Tomcat gives up on a client that reads nothing for its
 * blocking-send timeout and the send fails); the broker calls them from one writer at a time, as a
 * WebSocket session needs.
 */
final class WebSocketChannel implements ClientChannel {

    private final WebSocketSession session;

    private final RemoteEndpoint.Basic remote;

    /**
     * Batching on: a burst of events is written in as few frames-per-write as Tomcat's buffer holds,
     * instead of one write per event, and {@link #flush} sends the rest when the broker's queue runs dry.
     */
    WebSocketChannel(WebSocketSession session) throws IOException {
        this.session = session;
        this.remote = ((NativeWebSocketSession) session).getNativeSession(Session.class).getBasicRemote();
        remote.setBatchingAllowed(true);
    }

    @Override
    public void send(String json) throws IOException {
        remote.sendText(json);
    }

    @Override
    public void flush() throws IOException {
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
