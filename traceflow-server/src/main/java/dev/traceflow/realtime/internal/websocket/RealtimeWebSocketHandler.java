package dev.traceflow.realtime.internal.websocket;

import dev.traceflow.realtime.internal.RealtimeAuthenticator;
import dev.traceflow.realtime.internal.broker.Broker;
import dev.traceflow.realtime.internal.broker.CloseReason;
import dev.traceflow.realtime.internal.broker.Connection;
import dev.traceflow.realtime.internal.broker.ConnectionRefused;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

import java.io.IOException;

/** {@code /ws}: each WebSocket session is one broker {@link Connection}; text frames are API.md's JSON messages. */
final class RealtimeWebSocketHandler extends AbstractWebSocketHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RealtimeWebSocketHandler.class);
    private static final String CONNECTION = "traceflow.realtime.connection";

    private final Broker broker;
    private final WholeMessages messages;

    RealtimeWebSocketHandler(Broker broker, WholeMessages messages) {
        this.broker = broker;
        this.messages = messages;
    }

    /** Parts, so Tomcat's per-session text buffer can stay small ({@link WholeMessages}). */
    @Override
    public boolean supportsPartialMessages() {
        return true;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) throws IOException {
        RealtimeAuthenticator.Admission admission = (RealtimeAuthenticator.Admission) session.getAttributes().get(RealtimeHandshake.ADMISSION);
        String clientIp = (String) session.getAttributes().get(RealtimeHandshake.CLIENT_IP);
        WebSocketChannel channel = new WebSocketChannel(session);
        try {
            Connection connection = broker.open(admission.appId(), admission.auth(), admission.userKey(), clientIp, channel);
            session.getAttributes().put(CONNECTION, connection);
            LOG.debug("Realtime connection {} opened on app {}", connection.id(), admission.appId());
        } catch (ConnectionRefused e) {
            // the handshake checked the limits; another connection took the last place in between
            channel.close(CloseReason.TOO_MANY_CONNECTIONS);
        }
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        String whole = messages.add(session, message);
        Connection connection = connection(session);
        if (whole != null && connection != null) {
            connection.receive(whole);
        }
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
        Connection connection = connection(session);
        if (messages.binaryEnds(session, message) && connection != null) {
            connection.receiveBinary();
        }
    }

    @Override
    protected void handlePongMessage(WebSocketSession session, PongMessage message) {
    }

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        LOG.debug("Realtime transport error: {}", exception.toString());
        Connection connection = connection(session);
        if (connection != null) {
            connection.failedInTransport();
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        Connection connection = connection(session);
        if (connection != null) {
            connection.closedByTransport(status.getCode());
        }
    }

    private static Connection connection(WebSocketSession session) {
        return (Connection) session.getAttributes().get(CONNECTION);
    }
}
