package dev.traceflow.realtime.internal.websocket;

import dev.traceflow.realtime.internal.broker.Connection;
import dev.traceflow.realtime.internal.broker.Timers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.WebSocketSession;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Engine.IO v4 session (a {@code sid}) and the Socket.IO v5 socket of namespace
 * {@value SocketIoSessions#NAMESPACE} on it, whatever carries it: HTTP long-polling (the client's
 * default first transport), then, after the probe handshake, a WebSocket; or a WebSocket from the
 * start ({@code transports: ['websocket']}). Once the namespace is joined it is one broker
 * {@link Connection}, as a {@code /ws} client is: API.md's messages travel as the {@code message} event.
 * <p>
 * This is the session's face to the handlers, its heartbeat and its end. Its parts do the rest:
 * {@link EngineIoChannel} carries packets to the client (and is the connection's channel, so the
 * broker's writer reaches the transport directly), {@link SocketIoReceiver} reads the client's.
 */
final class SocketIoSession {

    private static final Logger LOG = LoggerFactory.getLogger(SocketIoSession.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    final String sid;
    /** the page's Origin at the handshake (null: none sent); every later request of the session must carry the same */
    final String origin;
    /** the scheme, host and port the handshake came to (see {@link SocketIoSessions#ownOrigin}) */
    private final String ownOrigin;
    final String clientIp;
    private final SocketIoSessions owner;
    /** whether the session started on a WebSocket (then it offers no upgrade) */
    private final boolean startedOnWebSocket;
    private final EngineIoChannel channel;
    private final SocketIoReceiver receiver;

    private volatile Connection connection;
    private volatile boolean pongPending;
    private volatile Timers.Scheduled ping;
    private volatile Timers.Scheduled connectDeadline;

    SocketIoSession(SocketIoSessions owner, String sid, String origin, String ownOrigin, String clientIp, WebSocketChannel ws) {
        this.owner = owner;
        this.sid = sid;
        this.origin = origin;
        this.ownOrigin = ownOrigin;
        this.clientIp = clientIp;
        this.startedOnWebSocket = ws != null;
        this.channel = new EngineIoChannel(this, owner, ws);
        this.receiver = new SocketIoReceiver(this, owner, channel);
    }

    /** Engine.IO's OPEN packet; the WebSocket upgrade is offered to polling sessions only. */
    String openPacket() {
        Map<String, Object> open = new LinkedHashMap<>();
        open.put("sid", sid);
        open.put("upgrades", startedOnWebSocket ? List.of() : List.of("websocket"));
        open.put("pingInterval", owner.pingInterval.toMillis());
        open.put("pingTimeout", owner.pingTimeout.toMillis());
        open.put("maxPayload", owner.maxPayload);
        return "0" + JSON.writeValueAsString(open);
    }

    Connection connection() {
        return connection;
    }

    String ownOrigin() {
        return ownOrigin;
    }

    /** The namespace was joined: the session is this broker connection from now on. */
    void joined(Connection joined) {
        connection = joined;
        Timers.Scheduled deadline = connectDeadline;
        if (deadline != null) {
            deadline.cancel();
        }
    }

    /** The broker connection's id, never the sid: whoever has a sid can poll the session's messages. */
    String logName() {
        Connection joined = connection;
        return joined == null ? "a client not joined yet" : "connection " + joined.id();
    }

    // ---- to the client (EngineIoChannel) ----

    /** One Engine.IO packet, to whichever transport carries the session now. */
    void packet(String text, boolean flush) throws IOException {
        channel.packet(text, flush);
    }

    /** The broker connection's channel to the client: what the broker writes to and closes. */
    EngineIoChannel channel() {
        return channel;
    }

    /** A polling GET (see {@link EngineIoChannel#poll}). */
    EnginePoll poll() throws InterruptedException {
        return channel.poll();
    }

    /** A WebSocket with this sid opened: it may become the transport once it has answered the probe. */
    boolean offerProbe(WebSocketSession socket) {
        return channel.offerProbe(socket);
    }

    /** The probe WebSocket's packets until the switch (see {@link EngineIoChannel#receiveOnProbe}). */
    void receiveOnProbe(WebSocketSession socket, String text) throws IOException {
        channel.receiveOnProbe(socket, text);
    }

    /** The probe WebSocket closed before the switch: polling goes on. */
    void probeClosed(WebSocketSession socket) {
        channel.probeClosed(socket);
    }

    boolean carriedBy(WebSocketSession socket) {
        return channel.carriedBy(socket);
    }

    // ---- from the client (SocketIoReceiver) ----

    /**
     * A polling POST's body (see {@link SocketIoReceiver#receivePayload}).
     *
     * @return false when the body broke the protocol: the session has ended
     */
    boolean receivePayload(String body) {
        return receiver.receivePayload(body);
    }

    /**
     * One Engine.IO packet from the client, either transport.
     *
     * @return false when it broke the protocol: the session has ended
     */
    boolean receive(String text, boolean onWebSocket) {
        return receiver.receive(text, onWebSocket);
    }

    /** A binary attachment (WebSocket binary frame, or a polling {@code b} packet): not part of the protocol. */
    void receiveBinary() {
        receiver.receiveBinary();
    }

    // ---- heartbeat and end ----

    /** Starts the heartbeat, and the deadline for joining the namespace (Socket.IO's connect timeout). */
    void start() {
        schedulePing();
        connectDeadline = owner.timers.schedule(owner.connectTimeout, () -> {
            if (connection == null) {
                owner.runBlocking(() -> lost("connect_timeout"));
            }
        });
    }

    private void schedulePing() {
        if (isEnded()) {
            return;
        }
        ping = owner.timers.schedule(owner.pingInterval, () -> owner.runBlocking(this::heartbeat));
    }

    /** Engine.IO v4: the server pings, the client answers; no answer by the next ping ends the session. */
    private void heartbeat() {
        if (pongPending) {
            LOG.debug("Socket.IO session of {} missed its pong: ending it", logName());
            lost("dropped");
            return;
        }
        pongPending = true;
        try {
            channel.packet("2", true);
        } catch (IOException | RuntimeException e) {
            lost("write_failed");
            return;
        }
        schedulePing();
    }

    /** The client answered the last ping. */
    void ponged() {
        pongPending = false;
    }

    /** Called by the channel as the session ends, under its lock: no more pings, no connect deadline. */
    void stopTimers() {
        Timers.Scheduled p = ping;
        if (p != null) {
            p.cancel();
        }
        Timers.Scheduled deadline = connectDeadline;
        if (deadline != null) {
            deadline.cancel();
        }
    }

    boolean isEnded() {
        return channel.isEnded();
    }

    /**
     * The session is gone from the client's side (it closed, went silent, broke the protocol): its
     * broker connection ends (a client's close normally, anything else abnormally), the session is forgotten.
     */
    void lost(String how) {
        OpenSockets open = channel.endLost();
        if (open == null) {
            return;
        }
        owner.forget(this);
        Connection joined = connection;
        if (joined != null) {
            if (how.equals("client_closed") || how.equals("shutdown")) {
                joined.closedByTransport(how.equals("shutdown") ? 1001 : 1000);
            } else {
                joined.failedInTransport();
            }
        }
        open.close();
    }

    /** The WebSocket carrying the session closed. */
    void webSocketClosed(int code) {
        if (!channel.end()) {
            return;
        }
        owner.forget(this);
        Connection joined = connection;
        if (joined != null) {
            joined.closedByTransport(code);
        }
    }
}
