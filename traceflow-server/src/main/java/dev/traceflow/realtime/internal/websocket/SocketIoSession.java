package dev.traceflow.realtime.internal.websocket;

import dev.traceflow.http.ApiException;
import dev.traceflow.realtime.internal.RealtimeAuthenticator;
import dev.traceflow.realtime.internal.broker.ClientChannel;
import dev.traceflow.realtime.internal.broker.CloseReason;
import dev.traceflow.realtime.internal.broker.Connection;
import dev.traceflow.realtime.internal.broker.ErrorCode;
import dev.traceflow.realtime.internal.broker.WireFormat;
import dev.traceflow.realtime.internal.broker.ConnectionRefused;
import dev.traceflow.realtime.internal.broker.Timers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.WebSocketSession;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One Engine.IO v4 session (a {@code sid}) and the Socket.IO v5 socket of namespace
 * {@value SocketIoSessions#NAMESPACE} on it, whatever carries it: HTTP long-polling (the client's
 * default first transport), then, after the probe handshake, a WebSocket; or a WebSocket from the
 * start ({@code transports: ['websocket']}). Once the namespace is joined it is one broker
 * {@link Connection}, as a {@code /ws} client is, and this is its {@link ClientChannel}: API.md's
 * messages travel as the {@code message} event.
 * <p>
 * Writing: while polling, packets wait in a bounded buffer until the client's next GET takes them
 * ({@link #poll}); a writer that finds it full waits for a GET, and gives up (the connection then ends
 * as {@code write_failed}) when none comes within a heartbeat, as a WebSocket send gives up on a client
 * that reads nothing. After the upgrade the buffer's rest goes out first on the WebSocket, then
 * everything else. The buffer, the transport and the GET in flight are guarded by {@link #lock};
 * WebSocket writes by {@link #writing} (taken before {@link #lock} when both are needed).
 */
final class SocketIoSession implements ClientChannel {

    private static final Logger LOG = LoggerFactory.getLogger(SocketIoSession.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Engine.IO v4's separator of packets in one polling body */
    static final char SEPARATOR = '\u001e';
    /** binary events (Socket.IO attachments) are refused: API.md's messages are JSON, and a payload is JSON too */
    static final String BINARY_REFUSED = "binary messages are not part of the protocol: send JSON text";

    enum Transport {
        POLLING,
        /** a WebSocket answered the probe: the GET in flight is released with a noop, the next packets wait for the switch */
        UPGRADING,
        WEBSOCKET
    }

    final String sid;
    /** the page's Origin at the handshake (null: none sent); every later request of the session must carry the same */
    final String origin;
    /** the scheme, host and port the handshake came to (see {@link SocketIoSessions#ownOrigin}) */
    private final String ownOrigin;
    final String clientIp;
    private final SocketIoSessions owner;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<String> buffer = new ArrayDeque<>();
    private int bufferedChars;
    private boolean pollInFlight;
    private Transport transport;
    private boolean ended;
    private WebSocketChannel ws;
    private WebSocketSession probe;

    private final ReentrantLock writing = new ReentrantLock();
    private volatile Connection connection;
    private volatile boolean pongPending;
    private volatile Timers.Scheduled ping;
    private volatile Timers.Scheduled connectDeadline;
    /** binary attachments still to come of a binary event that was refused */
    private int attachmentsToSkip;

    SocketIoSession(SocketIoSessions owner, String sid, String origin, String ownOrigin, String clientIp, WebSocketChannel ws) {
        this.owner = owner;
        this.sid = sid;
        this.origin = origin;
        this.ownOrigin = ownOrigin;
        this.clientIp = clientIp;
        this.ws = ws;
        this.transport = ws == null ? Transport.POLLING : Transport.WEBSOCKET;
    }

    /** Engine.IO's OPEN packet; the WebSocket upgrade is offered to polling sessions only. */
    String openPacket() {
        Map<String, Object> open = new LinkedHashMap<>();
        open.put("sid", sid);
        open.put("upgrades", ws == null ? List.of("websocket") : List.of());
        open.put("pingInterval", owner.pingInterval.toMillis());
        open.put("pingTimeout", owner.pingTimeout.toMillis());
        open.put("maxPayload", owner.maxPayload);
        return "0" + JSON.writeValueAsString(open);
    }

    Connection connection() {
        return connection;
    }

    /** The broker connection's id, never the sid: whoever has a sid can poll the session's messages. */
    private String logName() {
        Connection joined = connection;
        return joined == null ? "a client not joined yet" : "connection " + joined.id();
    }

    // ---- to the client ----

    @Override
    public void send(String json) throws IOException {
        packet("42" + SocketIoSessions.NAMESPACE + ",[\"message\"," + json + "]", false);
    }

    @Override
    public void flush() throws IOException {
        WebSocketChannel socket = webSocket();
        if (socket != null) {
            writing.lock();
            try {
                socket.flush();
            } finally {
                writing.unlock();
            }
        }
    }

    /** The broker closes the connection: a WebSocket closes with the reason's code, a polling client gets Engine.IO's CLOSE. */
    @Override
    public void close(CloseReason reason) {
        WebSocketChannel socket;
        lock.lock();
        try {
            if (ended) {
                return;
            }
            socket = transport == Transport.WEBSOCKET ? ws : null;
            if (socket == null) {
                buffer.add("1"); // the client's transport closes: it reconnects and resumes, as after a WebSocket close
                bufferedChars++;
            }
            endLocked();
        } finally {
            lock.unlock();
        }
        if (socket != null) {
            socket.close(reason);
        }
        if (probe != null) {
            closeQuietly(probe);
        }
        // the last GET takes the CLOSE; without one, the session is forgotten a heartbeat later
        owner.timers.schedule(owner.pingTimeout, () -> owner.forget(this));
    }

    /** One Engine.IO packet, to whichever transport carries the session now. */
    void packet(String text, boolean flush) throws IOException {
        WebSocketChannel socket;
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(owner.pingInterval.plus(owner.pingTimeout).toMillis());
            while (!ended && transport != Transport.WEBSOCKET && !buffer.isEmpty()
                    && (buffer.size() >= owner.maxBufferedPackets || bufferedChars + text.length() > owner.maxBufferedChars)) {
                if (nanos <= 0) {
                    throw new IOException("the polling client took nothing for a heartbeat with its buffer full");
                }
                nanos = changed.awaitNanos(nanos);
            }
            if (ended) {
                throw new IOException("the Engine.IO session has ended");
            }
            if (transport != Transport.WEBSOCKET) {
                buffer.add(text);
                bufferedChars += text.length();
                changed.signalAll();
                return;
            }
            socket = ws;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the polling client", e);
        } finally {
            lock.unlock();
        }
        writing.lock();
        try {
            socket.send(text);
            if (flush) {
                socket.flush();
            }
        } finally {
            writing.unlock();
        }
    }

    private WebSocketChannel webSocket() {
        lock.lock();
        try {
            return transport == Transport.WEBSOCKET ? ws : null;
        } finally {
            lock.unlock();
        }
    }

    // ---- long-polling ----

    /** What a polling GET gets. */
    sealed interface Poll {
        record Packets(String body) implements Poll {
        }

        /** a GET came while another was waiting: Engine.IO allows one, the session ends */
        record Overlap() implements Poll {
        }

        /** the session is carried by a WebSocket now */
        record Upgraded() implements Poll {
        }
    }

    /**
     * A polling GET: waits until there is something to send (a heartbeat at the latest), then takes as
     * many packets as one payload holds, joined by {@value #SEPARATOR}. An upgrade in progress
     * releases it with a NOOP, as the client waits for that before it switches.
     */
    Poll poll() throws InterruptedException {
        boolean overlap = false;
        boolean forget;
        String body;
        lock.lock();
        try {
            if (transport == Transport.WEBSOCKET) {
                return new Poll.Upgraded();
            }
            if (pollInFlight) {
                overlap = true;
            } else {
                pollInFlight = true;
            }
        } finally {
            lock.unlock();
        }
        if (overlap) {
            lost("protocol_error");
            return new Poll.Overlap();
        }
        lock.lock();
        try {
            try {
                long nanos = TimeUnit.MILLISECONDS.toNanos(owner.pingInterval.plus(owner.pingTimeout).toMillis());
                while (buffer.isEmpty() && !ended && transport == Transport.POLLING && nanos > 0) {
                    nanos = changed.awaitNanos(nanos);
                }
                if (buffer.isEmpty()) {
                    body = ended ? "1" : "6";
                } else {
                    StringBuilder payload = new StringBuilder();
                    while (!buffer.isEmpty() && (payload.isEmpty() || payload.length() + 1 + buffer.peek().length() <= owner.maxPayload)) {
                        String packet = buffer.poll();
                        bufferedChars -= packet.length();
                        if (!payload.isEmpty()) {
                            payload.append(SEPARATOR);
                        }
                        payload.append(packet);
                    }
                    body = payload.toString();
                    changed.signalAll(); // writers waiting for room
                }
                forget = ended && buffer.isEmpty();
            } finally {
                pollInFlight = false;
            }
        } finally {
            lock.unlock();
        }
        if (forget) {
            owner.forget(this);
        }
        return new Poll.Packets(body);
    }

    /**
     * A polling POST's body: packets separated by {@value #SEPARATOR}.
     *
     * @return false when the body broke the protocol: the session has ended
     */
    boolean receivePayload(String body) {
        int start = 0;
        while (start <= body.length()) {
            int end = body.indexOf(SEPARATOR, start);
            if (end < 0) {
                end = body.length();
            }
            if (!receive(body.substring(start, end), false)) {
                return false;
            }
            start = end + 1;
        }
        return true;
    }

    // ---- the upgrade to WebSocket ----

    /** A WebSocket with this sid opened: it may become the transport once it has answered the probe. */
    boolean offerProbe(WebSocketSession socket) {
        lock.lock();
        try {
            if (ended || transport != Transport.POLLING || probe != null) {
                return false;
            }
            probe = socket;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The probe WebSocket's packets until the switch: {@code 2probe} is answered and starts it, {@code 5} completes it. */
    void receiveOnProbe(WebSocketSession socket, String text) throws IOException {
        if (socket != probe) {
            return;
        }
        if (text.equals("2probe")) {
            lock.lock();
            try {
                if (ended || transport != Transport.POLLING) {
                    return;
                }
                transport = Transport.UPGRADING;
                changed.signalAll(); // the waiting GET returns a NOOP, so the client can pause polling
            } finally {
                lock.unlock();
            }
            socket.sendMessage(new org.springframework.web.socket.TextMessage("3probe"));
        } else if (text.equals("5")) {
            WebSocketChannel channel = new WebSocketChannel(socket);
            writing.lock();
            try {
                List<String> rest;
                lock.lock();
                try {
                    if (ended || transport != Transport.UPGRADING) {
                        return;
                    }
                    rest = new ArrayList<>(buffer);
                    buffer.clear();
                    bufferedChars = 0;
                    ws = channel;
                    probe = null;
                    transport = Transport.WEBSOCKET;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                for (String packet : rest) {
                    channel.send(packet);
                }
                channel.flush();
            } finally {
                writing.unlock();
            }
            LOG.debug("Socket.IO session of {} upgraded to WebSocket", logName());
        }
    }

    /** The probe WebSocket closed before the switch: polling goes on. */
    void probeClosed(WebSocketSession socket) {
        lock.lock();
        try {
            if (socket == probe) {
                probe = null;
                if (transport == Transport.UPGRADING) {
                    transport = Transport.POLLING;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    boolean carriedBy(WebSocketSession socket) {
        WebSocketChannel current = webSocket();
        return current != null && current.session() == socket;
    }

    // ---- from the client ----

    /**
     * One Engine.IO packet from the client, either transport.
     *
     * @return false when it broke the protocol: the session has ended
     */
    boolean receive(String text, boolean onWebSocket) {
        if (text.isEmpty()) {
            return fail("an empty Engine.IO packet");
        }
        try {
            switch (text.charAt(0)) {
                case '3' -> pongPending = false;
                case '2' -> packet("3" + text.substring(1), true); // a client's ping (Engine.IO v3 habit): answered
                case '1' -> {
                    lost("client_closed");
                    return true;
                }
                case '4' -> socketIoPacket(text.substring(1));
                case '6' -> {
                }
                case 'b' -> {
                    if (onWebSocket) {
                        return fail("base64 packets are for long-polling");
                    }
                    receiveBinary();
                }
                default -> {
                    return fail("not an Engine.IO v4 packet type: " + text.charAt(0));
                }
            }
        } catch (IOException e) {
            LOG.debug("Socket.IO session of {} could not answer: {}", logName(), e.toString());
            lost("write_failed");
            return false;
        }
        return true;
    }

    private boolean fail(String why) {
        LOG.debug("Socket.IO session of {} broke the protocol: {}", logName(), why);
        lost("protocol_error");
        return false;
    }

    /** A binary attachment (WebSocket binary frame, or a polling {@code b} packet): not part of the protocol. */
    void receiveBinary() {
        Connection joined = connection;
        synchronized (this) {
            if (attachmentsToSkip > 0) {
                attachmentsToSkip--; // the rest of a binary event already answered with BAD_MESSAGE
                return;
            }
        }
        if (joined != null) {
            joined.receiveBinary();
        }
    }

    /** A Socket.IO v5 packet: type digit, attachments for binary types, {@code /namespace,} unless the main one, ack id, JSON. */
    private void socketIoPacket(String packet) throws IOException {
        SocketIoPacket p;
        try {
            p = SocketIoPacket.parse(packet);
        } catch (IllegalArgumentException e) {
            Connection joined = connection;
            if (joined != null) {
                joined.receiveUnreadable("not a Socket.IO v5 packet: " + e.getMessage());
            }
            return;
        }
        if (!p.namespace().equals(SocketIoSessions.NAMESPACE)) {
            if (p.type() == SocketIoPacket.CONNECT) {
                packet("44" + p.prefix() + JSON.writeValueAsString(Map.of("message", "Invalid namespace: TraceFlow's is "
                        + SocketIoSessions.NAMESPACE)), true);
            }
            if (p.type() == SocketIoPacket.BINARY_EVENT || p.type() == SocketIoPacket.BINARY_ACK) {
                skipAttachments(p.attachments());
            }
            return;
        }
        switch (p.type()) {
            case SocketIoPacket.CONNECT -> join(p);
            case SocketIoPacket.DISCONNECT -> lost("client_closed");
            case SocketIoPacket.EVENT -> event(p);
            case SocketIoPacket.BINARY_EVENT -> {
                skipAttachments(p.attachments());
                Connection joined = connection;
                if (joined != null) {
                    joined.receiveBinary();
                    answer(p.ackId(), List.of(WireFormat.error(ErrorCode.BAD_MESSAGE, BINARY_REFUSED, null, null)));
                }
            }
            case SocketIoPacket.BINARY_ACK -> skipAttachments(p.attachments());
            default -> {
                // ACK from the client (the server asks for none), CONNECT_ERROR (a server's packet): nothing to do
            }
        }
    }

    private synchronized void skipAttachments(int count) {
        attachmentsToSkip = Math.min(count, 16);
    }

    /** CONNECT to the namespace: the checks of a {@code /ws} handshake, on the auth payload and the session's Origin. */
    private void join(SocketIoPacket p) throws IOException {
        if (connection != null) {
            return;
        }
        JsonNode auth;
        try {
            auth = p.data().isBlank() ? JSON.createObjectNode() : JSON.readTree(p.data());
        } catch (JacksonException e) {
            auth = JSON.createObjectNode();
        }
        String token = auth.path("token").isString() ? auth.path("token").stringValue() : null;
        String app = auth.path("app").isString() ? auth.path("app").stringValue() : null;
        RealtimeAuthenticator.Admission admission;
        try {
            admission = owner.authenticator.admit(token, app, origin, ownOrigin);
        } catch (ApiException e) {
            refuse(p.prefix(), e.code(), e.status().value(), e.getMessage());
            return;
        }
        if (!owner.broker.admits(admission.userKey(), clientIp)) {
            refuse(p.prefix(), "TOO_MANY_CONNECTIONS", 429, "Too many realtime connections from this user or address: close one first");
            return;
        }
        try {
            Connection joined = owner.broker.open(admission.appId(), admission.auth(), admission.userKey(), clientIp, this);
            connection = joined;
            Timers.Scheduled deadline = connectDeadline;
            if (deadline != null) {
                deadline.cancel();
            }
            packet("40" + p.prefix() + JSON.writeValueAsString(Map.of("sid", joined.id())), true);
            if (isEnded()) {
                joined.failedInTransport();
            }
        } catch (ConnectionRefused e) {
            refuse(p.prefix(), "TOO_MANY_CONNECTIONS", 429, e.getMessage());
        }
    }

    private void refuse(String prefix, String code, int status, String message) throws IOException {
        owner.audit.handshakeRefused(code, clientIp);
        packet("44" + prefix + JSON.writeValueAsString(Map.of("message", message, "data", Map.of("code", code, "status", status))),
                true);
    }

    /**
     * An EVENT: {@code ["message", <API.md message>]}, the message as an object or as its JSON text.
     * With an ack id (the client's {@code emit('message', m, callback)}), the callback gets the
     * message's direct answer: a publish's {@code ack} or {@code error}, a subscribe's {@code subscribed}
     * or {@code error}, a {@code pong}; no argument for messages without one (ack, unsubscribe). The
     * answer also comes as a {@code message}, as without a callback.
     */
    private void event(SocketIoPacket p) throws IOException {
        Connection joined = connection;
        if (joined == null) {
            return;
        }
        JsonNode array;
        try {
            array = JSON.readTree(p.data());
        } catch (JacksonException e) {
            unreadable(joined, p.ackId(), "a Socket.IO event is a JSON array: [\"message\", {type, ...}]");
            return;
        }
        if (!array.isArray() || array.size() < 2 || !"message".equals(array.get(0).asString(""))) {
            unreadable(joined, p.ackId(), "only the 'message' event carries messages: socket.emit('message', {type, ...})");
            return;
        }
        JsonNode message = array.get(1);
        String text = message.isString() ? message.stringValue() : message.toString();
        if (p.ackId() == null) {
            joined.receive(text);
            return;
        }
        List<String> answers = new ArrayList<>(1);
        joined.receive(text, answers::add);
        answer(p.ackId(), answers);
    }

    private void unreadable(Connection joined, Long ackId, String why) throws IOException {
        joined.receiveUnreadable(why);
        answer(ackId, List.of(WireFormat.error(ErrorCode.BAD_MESSAGE, why, null, null)));
    }

    /** Socket.IO's ACK for a client's callback: the first answer as its argument, or none. */
    private void answer(Long ackId, List<String> answers) throws IOException {
        if (ackId == null) {
            return;
        }
        String args = answers.isEmpty() || answers.getFirst() == null ? "[]" : "[" + answers.getFirst() + "]";
        packet("43" + SocketIoSessions.NAMESPACE + "," + ackId + args, true);
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
            packet("2", true);
        } catch (IOException | RuntimeException e) {
            lost("write_failed");
            return;
        }
        schedulePing();
    }

    boolean isEnded() {
        lock.lock();
        try {
            return ended;
        } finally {
            lock.unlock();
        }
    }

    private void endLocked() {
        ended = true;
        changed.signalAll();
        Timers.Scheduled p = ping;
        if (p != null) {
            p.cancel();
        }
        Timers.Scheduled deadline = connectDeadline;
        if (deadline != null) {
            deadline.cancel();
        }
    }

    /**
     * The session is gone from the client's side (it closed, went silent, broke the protocol): its
     * broker connection ends (a client's close normally, anything else abnormally), the session is forgotten.
     */
    void lost(String how) {
        WebSocketChannel socket;
        WebSocketSession candidate;
        lock.lock();
        try {
            if (ended) {
                return;
            }
            endLocked();
            buffer.clear(); // nobody takes them anymore: a GET still waiting is told the session closed
            bufferedChars = 0;
            socket = ws;
            candidate = probe;
        } finally {
            lock.unlock();
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
        if (socket != null) {
            socket.close(CloseReason.SHUTDOWN);
        }
        if (candidate != null) {
            closeQuietly(candidate);
        }
    }

    /** The WebSocket carrying the session closed. */
    void webSocketClosed(int code) {
        lock.lock();
        try {
            if (ended) {
                return;
            }
            endLocked();
        } finally {
            lock.unlock();
        }
        owner.forget(this);
        Connection joined = connection;
        if (joined != null) {
            joined.closedByTransport(code);
        }
    }

    private static void closeQuietly(WebSocketSession socket) {
        try {
            socket.close();
        } catch (IOException | RuntimeException e) {
            // gone already
        }
    }

}
