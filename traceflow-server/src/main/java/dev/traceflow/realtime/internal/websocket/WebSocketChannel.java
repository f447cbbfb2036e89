package dev.traceflow.realtime.internal.websocket;

import dev.traceflow.realtime.internal.broker.ClientChannel;
import dev.traceflow.realtime.internal.broker.CloseReason;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

import java.io.IOException;

/**
 * A WebSocket session as the broker's channel. Sends are blocking (Tomcat gives up on a client
 * that reads nothing for its blocking-send timeout and the send fails); the broker calls them
 * from one writer at a time, as a WebSocket session needs.
 */
final class WebSocketChannel implements ClientChannel {

    private final WebSocketSession session;

    WebSocketChannel(WebSocketSession session) {
        this.session = session;
    }

    @Override
    public void send(String json) throws IOException {
        session.sendMessage(new TextMessage(json));
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
