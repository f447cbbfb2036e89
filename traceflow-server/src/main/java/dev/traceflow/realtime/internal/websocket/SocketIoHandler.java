package dev.traceflow.realtime.internal.websocket;

import dev.traceflow.http.ApiErrorWriter;
import dev.traceflow.http.IpAddresses;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/**
 * Socket.IO's WebSocket side at {@code /socket.io/} on the main port (Engine.IO v4, Socket.IO v5
 * packets, namespace {@value SocketIoSessions#NAMESPACE}): a client that connects with
 * {@code transports: ['websocket']} gets a session on this WebSocket from the start; one that
 * polled first ({@link SocketIoPolling}) opens it with its {@code sid}, answers the probe and moves
 * its session here (the session's {@link EngineIoChannel} does the switch). Everything above Engine.IO's framing is
 * the session's.
 * <p>
 * The page's {@code Origin} is taken from the upgrade request; an upgrade must come from the
 * session's own Origin.
 */
final class SocketIoHandler extends AbstractWebSocketHandler {

    private static final String SESSION = "traceflow.socketio.session";
    private static final String UPGRADING = "traceflow.socketio.upgrading";
    private static final String ORIGIN = "traceflow.socketio.origin";
    private static final String OWN_ORIGIN = "traceflow.socketio.ownOrigin";
    private static final String CLIENT_IP = "traceflow.socketio.clientIp";

    private final SocketIoSessions sessions;
    private final WholeMessages messages;

    SocketIoHandler(SocketIoSessions sessions, WholeMessages messages) {
        this.sessions = sessions;
        this.messages = messages;
    }

    /** Parts, so Tomcat's per-session text buffer can stay small ({@link WholeMessages}). */
    @Override
    public boolean supportsPartialMessages() {
        return true;
    }

    /** Takes the upgrade only for Engine.IO v4 over WebSocket, and of a polling session only from its own Origin. */
    static final class Upgrade implements HandshakeInterceptor {
        private final SocketIoSessions sessions;

        Upgrade(SocketIoSessions sessions) {
            this.sessions = sessions;
        }

        @Override
        public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
                                       Map<String, Object> attributes) throws IOException {
            HttpServletRequest servletRequest = ((ServletServerHttpRequest) request).getServletRequest();
            HttpServletResponse servletResponse = ((ServletServerHttpResponse) response).getServletResponse();
            Map<String, String> params = SocketIoPolling.query(servletRequest);
            if (!"4".equals(params.get("EIO")) || !"websocket".equals(params.get("transport"))) {
                ApiErrorWriter.write(servletRequest, servletResponse, HttpStatus.BAD_REQUEST, "TRANSPORT_UNSUPPORTED",
                        "Engine.IO 4 only, over long-polling (EIO=4&transport=polling) or WebSocket (EIO=4&transport=websocket)");
                return false;
            }
            String origin = servletRequest.getHeader(HttpHeaders.ORIGIN);
            String sid = params.get("sid");
            if (sid != null) {
                SocketIoSession session = sessions.find(sid);
                if (session == null) {
                    ApiErrorWriter.write(servletRequest, servletResponse, HttpStatus.BAD_REQUEST, "SESSION_UNKNOWN",
                            "No Engine.IO session with this sid (it ended, or never was): connect again");
                    return false;
                }
                if (!Objects.equals(origin, session.origin)) {
                    ApiErrorWriter.write(servletRequest, servletResponse, HttpStatus.FORBIDDEN, "ORIGIN_NOT_ALLOWED",
                            "The session was opened from another Origin");
                    return false;
                }
                attributes.put(UPGRADING, session);
                return true;
            }
            if (origin != null) {
                attributes.put(ORIGIN, origin);
                // a browser sets Host and Origin itself: another site's page cannot make them equal
                attributes.put(OWN_ORIGIN, SocketIoSessions.ownOrigin(servletRequest));
            }
            attributes.put(CLIENT_IP, IpAddresses.limitKey(servletRequest.getRemoteAddr()));
            return true;
        }

        @Override
        public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler, Exception e) {
        }
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession socket) throws IOException {
        SocketIoSession upgrading = (SocketIoSession) socket.getAttributes().get(UPGRADING);
        if (upgrading != null) {
            if (!upgrading.offerProbe(socket)) {
                socket.close(CloseStatus.POLICY_VIOLATION.withReason("the session is not polling, or has a probe already"));
            }
            return;
        }
        SocketIoSession session = sessions.openWebSocket(new WebSocketChannel(socket),
                (String) socket.getAttributes().get(ORIGIN), (String) socket.getAttributes().get(OWN_ORIGIN),
                (String) socket.getAttributes().get(CLIENT_IP));
        socket.getAttributes().put(SESSION, session);
        session.packet(session.openPacket(), true);
    }

    @Override
    protected void handleTextMessage(WebSocketSession socket, TextMessage part) throws IOException {
        String message = messages.add(socket, part);
        SocketIoSession session = session(socket);
        if (message == null || session == null) {
            return;
        }
        if (!session.carriedBy(socket)) {
            session.receiveOnProbe(socket, message);
            if (session.carriedBy(socket)) {
                socket.getAttributes().put(SESSION, session);
            }
            return;
        }
        session.receive(message, true);
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession socket, BinaryMessage message) {
        SocketIoSession session = session(socket);
        if (messages.binaryEnds(socket, message) && session != null && session.carriedBy(socket)) {
            session.receiveBinary();
        }
    }

    private static SocketIoSession session(WebSocketSession socket) {
        Object session = socket.getAttributes().get(SESSION);
        return (SocketIoSession) (session != null ? session : socket.getAttributes().get(UPGRADING));
    }

    @Override
    public void handleTransportError(WebSocketSession socket, Throwable exception) {
        SocketIoSession session = session(socket);
        if (session != null) {
            if (session.carriedBy(socket)) {
                session.lost("dropped");
            } else {
                session.probeClosed(socket);
            }
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession socket, CloseStatus status) {
        SocketIoSession session = session(socket);
        if (session != null) {
            if (session.carriedBy(socket)) {
                session.webSocketClosed(status.getCode());
            } else {
                session.probeClosed(socket);
            }
        }
    }
}
