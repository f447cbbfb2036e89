package dev.traceflow.realtime.internal.websocket;

import dev.traceflow.http.ApiErrorWriter;
import dev.traceflow.http.ApiException;
import dev.traceflow.http.IpAddresses;
import dev.traceflow.realtime.internal.RealtimeAudit;
import dev.traceflow.realtime.internal.RealtimeAuthenticator;
import dev.traceflow.realtime.internal.broker.Broker;
import dev.traceflow.realtime.internal.broker.ClientChannel;
import dev.traceflow.realtime.internal.broker.CloseReason;
import dev.traceflow.realtime.internal.broker.Connection;
import dev.traceflow.realtime.internal.broker.ConnectionRefused;
import dev.traceflow.realtime.internal.broker.Timers;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Socket.IO transport, first part: Engine.IO v4 over WebSocket only (the client's
 * {@code transports: ['websocket']}) with Socket.IO v5 packets, namespace {@value #NAMESPACE}, at
 * {@code /socket.io/} on the main port. Each socket is one broker {@link Connection}, like a
 * {@code /ws} one: API.md's JSON messages travel as the {@code message} event both ways.
 * <p>
 * Unlike {@code /ws}, the credential comes after the upgrade, in the Socket.IO CONNECT packet's
 * {@code auth} payload ({@code {token, app?}}); a refusal is a CONNECT_ERROR with
 * {@code data: {code, status}} (API.md's codes), and the socket stays open for another try, as the
 * client expects. The page's {@code Origin} is taken from the upgrade request.
 * <p>
 * Not yet: long-polling (the client's default first transport, then its upgrade) is refused with
 * 400 {@code TRANSPORT_UNSUPPORTED}; Socket.IO acknowledgement callbacks are not answered (API.md's
 * own {@code ack} messages are the acknowledgements); binary events are {@code BAD_MESSAGE}.
 */
final class SocketIoHandler extends AbstractWebSocketHandler {

    private static final Logger LOG = LoggerFactory.getLogger(SocketIoHandler.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final String NAMESPACE = "/realtime";
    static final Duration PING_INTERVAL = Duration.ofSeconds(25);
    static final Duration PING_TIMEOUT = Duration.ofSeconds(20);
    private static final String SOCKET = "traceflow.socketio.socket";
    private static final String ORIGIN = "traceflow.socketio.origin";
    private static final String OWN_ORIGIN = "traceflow.socketio.ownOrigin";
    private static final String CLIENT_IP = "traceflow.socketio.clientIp";

    private final Broker broker;
    private final RealtimeAuthenticator authenticator;
    private final RealtimeAudit audit;
    private final Timers timers;
    private final Executor executor;
    private final int maxMessageBytes;

    SocketIoHandler(Broker broker, RealtimeAuthenticator authenticator, RealtimeAudit audit, Timers timers, Executor executor,
                    int maxMessageBytes) {
        this.broker = broker;
        this.authenticator = authenticator;
        this.audit = audit;
        this.timers = timers;
        this.executor = executor;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Takes the upgrade only for Engine.IO v4 over WebSocket; keeps the page's Origin and the client's IP for the CONNECT. */
    static final class Upgrade implements HandshakeInterceptor {
        @Override
        public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
                                       Map<String, Object> attributes) throws IOException {
            HttpServletRequest servletRequest = ((ServletServerHttpRequest) request).getServletRequest();
            HttpServletResponse servletResponse = ((ServletServerHttpResponse) response).getServletResponse();
            if (!"4".equals(servletRequest.getParameter("EIO")) || !"websocket".equals(servletRequest.getParameter("transport"))) {
                ApiErrorWriter.write(servletRequest, servletResponse, HttpStatus.BAD_REQUEST, "TRANSPORT_UNSUPPORTED",
                        "Engine.IO 4 over WebSocket only (EIO=4&transport=websocket): long-polling is not supported yet, "
                                + "connect with transports: ['websocket']");
                return false;
            }
            String origin = servletRequest.getHeader(HttpHeaders.ORIGIN);
            if (origin != null) {
                attributes.put(ORIGIN, origin);
                // a browser sets Host and Origin itself: another site's page cannot make them equal
                attributes.put(OWN_ORIGIN, servletRequest.getScheme() + "://" + servletRequest.getHeader(HttpHeaders.HOST));
            }
            attributes.put(CLIENT_IP, IpAddresses.limitKey(servletRequest.getRemoteAddr()));
            return true;
        }

        @Override
        public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler, Exception e) {
        }
    }

    /** One WebSocket: its Engine.IO framing, its heartbeat, and the broker connection once the namespace is joined. */
    private final class Socket implements ClientChannel {
        final WebSocketSession session;
        final WebSocketChannel ws;
        /** the broker's writer and the heartbeat both write: one at a time */
        final ReentrantLock writing = new ReentrantLock();
        volatile Connection connection;
        volatile boolean pongPending;
        volatile Timers.Scheduled ping;

        Socket(WebSocketSession session) throws IOException {
            this.session = session;
            this.ws = new WebSocketChannel(session);
        }

        @Override
        public void send(String json) throws IOException {
            packet("42" + NAMESPACE + ",[\"message\"," + json + "]", false);
        }

        @Override
        public void flush() throws IOException {
            writing.lock();
            try {
                ws.flush();
            } finally {
                writing.unlock();
            }
        }

        @Override
        public void close(CloseReason reason) {
            ws.close(reason);
        }

        void packet(String text, boolean flush) throws IOException {
            writing.lock();
            try {
                ws.send(text);
                if (flush) {
                    ws.flush();
                }
            } finally {
                writing.unlock();
            }
        }

        void schedulePing() {
            if (!session.isOpen()) {
                return;
            }
            ping = timers.schedule(PING_INTERVAL, () -> {
                try {
                    executor.execute(this::heartbeat);
                } catch (RejectedExecutionException e) {
                    ws.close(CloseReason.SHUTDOWN);
                }
            });
        }

        /** Engine.IO v4: the server pings, the client answers; no answer within the timeout (before the next ping) closes it. */
        private void heartbeat() {
            if (pongPending) {
                LOG.debug("Socket.IO client {} missed its pong: closing", session.getId());
                Connection joined = connection;
                if (joined != null) {
                    joined.failedInTransport(); // a silent client is a dropped one, for the audit too
                }
                ws.close(CloseReason.SHUTDOWN);
                return;
            }
            pongPending = true;
            try {
                packet("2", true);
            } catch (IOException | RuntimeException e) {
                ws.close(CloseReason.SHUTDOWN);
                return;
            }
            schedulePing();
        }
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) throws IOException {
        Socket socket = new Socket(session);
        session.getAttributes().put(SOCKET, socket);
        Map<String, Object> open = new LinkedHashMap<>();
        open.put("sid", UUID.randomUUID().toString()); // Engine.IO's session id: only named, never looked up (no polling yet)
        open.put("upgrades", new String[0]);
        open.put("pingInterval", PING_INTERVAL.toMillis());
        open.put("pingTimeout", PING_TIMEOUT.toMillis());
        open.put("maxPayload", maxMessageBytes * 2L);
        socket.packet("0" + JSON.writeValueAsString(open), true);
        socket.schedulePing();
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
        Socket socket = (Socket) session.getAttributes().get(SOCKET);
        String text = message.getPayload();
        if (socket == null || text.isEmpty()) {
            return;
        }
        switch (text.charAt(0)) {
            case '3' -> socket.pongPending = false;
            case '2' -> socket.packet("3" + text.substring(1), true); // a client's probe ping
            case '1' -> session.close(CloseStatus.NORMAL);
            case '4' -> socketIoPacket(socket, text.substring(1));
            default -> session.close(CloseStatus.PROTOCOL_ERROR.withReason("not an Engine.IO v4 packet"));
        }
    }

    /** A Socket.IO v5 packet: type digit, then {@code /namespace,} unless the main one, then an ack id, then JSON. */
    private void socketIoPacket(Socket socket, String packet) throws IOException {
        if (packet.isEmpty()) {
            return;
        }
        char type = packet.charAt(0);
        String rest = packet.substring(1);
        String namespace = "/";
        if (rest.startsWith("/")) {
            int comma = rest.indexOf(',');
            namespace = comma < 0 ? rest : rest.substring(0, comma);
            rest = comma < 0 ? "" : rest.substring(comma + 1);
        }
        int digits = 0;
        while (digits < rest.length() && Character.isDigit(rest.charAt(digits))) {
            digits++;
        }
        String data = rest.substring(digits);
        String prefix = namespace.equals("/") ? "" : namespace + ",";
        if (!namespace.equals(NAMESPACE)) {
            if (type == '0') {
                socket.packet("44" + prefix + JSON.writeValueAsString(Map.of("message", "Invalid namespace: TraceFlow's is "
                        + NAMESPACE)), true);
            }
            return;
        }
        switch (type) {
            case '0' -> join(socket, prefix, data);
            case '1' -> socket.session.close(CloseStatus.NORMAL);
            case '2' -> event(socket, data);
            case '5' -> {
                Connection connection = socket.connection;
                if (connection != null) {
                    connection.receiveBinary();
                }
            }
            default -> {
            }
        }
    }

    /** CONNECT to the namespace: the handshake's checks of {@code /ws}, on the auth payload. */
    private void join(Socket socket, String prefix, String data) throws IOException {
        if (socket.connection != null) {
            return;
        }
        String clientIp = (String) socket.session.getAttributes().get(CLIENT_IP);
        JsonNode auth;
        try {
            auth = data.isBlank() ? JSON.createObjectNode() : JSON.readTree(data);
        } catch (JacksonException e) {
            auth = JSON.createObjectNode();
        }
        String token = auth.path("token").isString() ? auth.path("token").stringValue() : null;
        String app = auth.path("app").isString() ? auth.path("app").stringValue() : null;
        RealtimeAuthenticator.Admission admission;
        try {
            admission = authenticator.admit(token, app, (String) socket.session.getAttributes().get(ORIGIN),
                    (String) socket.session.getAttributes().get(OWN_ORIGIN));
        } catch (ApiException e) {
            refuse(socket, prefix, e.code(), e.status().value(), e.getMessage(), clientIp);
            return;
        }
        if (!broker.admits(admission.userKey(), clientIp)) {
            refuse(socket, prefix, "TOO_MANY_CONNECTIONS", 429, "Too many realtime connections from this user or address: close one first",
                    clientIp);
            return;
        }
        try {
            Connection connection = broker.open(admission.appId(), admission.auth(), admission.userKey(), clientIp, socket);
            socket.packet("40" + prefix + JSON.writeValueAsString(Map.of("sid", connection.id())), true);
            socket.connection = connection;
        } catch (ConnectionRefused e) {
            refuse(socket, prefix, "TOO_MANY_CONNECTIONS", 429, e.getMessage(), clientIp);
        }
    }

    private void refuse(Socket socket, String prefix, String code, int status, String message, String clientIp) throws IOException {
        audit.handshakeRefused(code, clientIp);
        socket.packet("44" + prefix + JSON.writeValueAsString(Map.of("message", message, "data", Map.of("code", code, "status", status))),
                true);
    }

    /** An EVENT: {@code ["message", <API.md message>]}; the message as an object, or as its JSON text. */
    private void event(Socket socket, String data) {
        Connection connection = socket.connection;
        if (connection == null) {
            return;
        }
        JsonNode array;
        try {
            array = JSON.readTree(data);
        } catch (JacksonException e) {
            connection.receiveUnreadable("a Socket.IO event is a JSON array: [\"message\", {type, ...}]");
            return;
        }
        if (!array.isArray() || array.size() < 2 || !"message".equals(array.get(0).asString(""))) {
            connection.receiveUnreadable("only the 'message' event carries messages: socket.emit('message', {type, ...})");
            return;
        }
        JsonNode message = array.get(1);
        connection.receive(message.isString() ? message.stringValue() : message.toString());
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
        Socket socket = (Socket) session.getAttributes().get(SOCKET);
        if (socket != null && socket.connection != null) {
            socket.connection.receiveBinary();
        }
    }

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        Socket socket = (Socket) session.getAttributes().get(SOCKET);
        if (socket != null) {
            stopPing(socket);
            if (socket.connection != null) {
                socket.connection.failedInTransport();
            }
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        Socket socket = (Socket) session.getAttributes().get(SOCKET);
        if (socket != null) {
            stopPing(socket);
            if (socket.connection != null) {
                socket.connection.closedByTransport(status.getCode());
            }
        }
    }

    private static void stopPing(Socket socket) {
        Timers.Scheduled ping = socket.ping;
        if (ping != null) {
            ping.cancel();
        }
    }
}
