package dev.traceflow.realtime.internal.websocket;

import dev.traceflow.http.ApiException;
import dev.traceflow.realtime.internal.RealtimeAuthenticator;
import dev.traceflow.realtime.internal.broker.Connection;
import dev.traceflow.realtime.internal.broker.ConnectionRefused;
import dev.traceflow.realtime.internal.broker.ErrorCode;
import dev.traceflow.realtime.internal.broker.WireFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads one session's packets from the client, either transport: Engine.IO's framing and heartbeat
 * answers, then Socket.IO v5's packets of namespace {@value SocketIoSessions#NAMESPACE}: its CONNECT
 * (the checks of a {@code /ws} handshake, which open the broker {@link Connection}) and its
 * {@code message} events, which carry API.md's messages to the connection.
 * <p>
 * Threads: the transports' receiving threads; the binary attachments still to skip are guarded by
 * this object's monitor.
 */
final class SocketIoReceiver {

    private static final Logger LOG = LoggerFactory.getLogger(SocketIoReceiver.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** binary events (Socket.IO attachments) are refused: API.md's messages are JSON, and a payload is JSON too */
    static final String BINARY_REFUSED = "binary messages are not part of the protocol: send JSON text";

    private final SocketIoSession session;
    private final SocketIoSessions owner;
    private final EngineIoChannel channel;
    /** binary attachments still to come of a binary event that was refused */
    private int attachmentsToSkip;

    SocketIoReceiver(SocketIoSession session, SocketIoSessions owner, EngineIoChannel channel) {
        this.session = session;
        this.owner = owner;
        this.channel = channel;
    }

    /**
     * A polling POST's body: packets separated by {@value EngineIoChannel#SEPARATOR}.
     *
     * @return false when the body broke the protocol: the session has ended
     */
    boolean receivePayload(String body) {
        int start = 0;
        while (start <= body.length()) {
            int end = body.indexOf(EngineIoChannel.SEPARATOR, start);
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
                case '3' -> session.ponged();
                case '2' -> channel.packet("3" + text.substring(1), true); // a client's ping (Engine.IO v3 habit): answered
                case '1' -> {
                    session.lost("client_closed");
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
            LOG.debug("Socket.IO session of {} could not answer: {}", session.logName(), e.toString());
            session.lost("write_failed");
            return false;
        }
        return true;
    }

    private boolean fail(String why) {
        LOG.debug("Socket.IO session of {} broke the protocol: {}", session.logName(), why);
        session.lost("protocol_error");
        return false;
    }

    /** A binary attachment (WebSocket binary frame, or a polling {@code b} packet): not part of the protocol. */
    void receiveBinary() {
        Connection joined = session.connection();
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
            Connection joined = session.connection();
            if (joined != null) {
                joined.receiveUnreadable("not a Socket.IO v5 packet: " + e.getMessage());
            }
            return;
        }
        if (!p.namespace().equals(SocketIoSessions.NAMESPACE)) {
            if (p.type() == SocketIoPacket.CONNECT) {
                channel.packet("44" + p.prefix() + JSON.writeValueAsString(Map.of("message", "Invalid namespace: TraceFlow's is "
                        + SocketIoSessions.NAMESPACE)), true);
            }
            if (p.type() == SocketIoPacket.BINARY_EVENT || p.type() == SocketIoPacket.BINARY_ACK) {
                skipAttachments(p.attachments());
            }
            return;
        }
        switch (p.type()) {
            case SocketIoPacket.CONNECT -> join(p);
            case SocketIoPacket.DISCONNECT -> session.lost("client_closed");
            case SocketIoPacket.EVENT -> event(p);
            case SocketIoPacket.BINARY_EVENT -> {
                skipAttachments(p.attachments());
                Connection joined = session.connection();
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
        if (session.connection() != null) {
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
            admission = owner.authenticator.admit(token, app, session.origin, session.ownOrigin());
        } catch (ApiException e) {
            refuse(p.prefix(), e.code(), e.status().value(), e.getMessage());
            return;
        }
        if (!owner.broker.admits(admission.userKey(), session.clientIp)) {
            refuse(p.prefix(), "TOO_MANY_CONNECTIONS", 429, "Too many realtime connections from this user or address: close one first");
            return;
        }
        try {
            Connection joined = owner.broker.open(admission.appId(), admission.auth(), admission.userKey(), session.clientIp, channel);
            session.joined(joined);
            channel.packet("40" + p.prefix() + JSON.writeValueAsString(Map.of("sid", joined.id())), true);
            if (channel.isEnded()) {
                joined.failedInTransport();
            }
        } catch (ConnectionRefused e) {
            refuse(p.prefix(), "TOO_MANY_CONNECTIONS", 429, e.getMessage());
        }
    }

    private void refuse(String prefix, String code, int status, String message) throws IOException {
        owner.audit.handshakeRefused(code, session.clientIp);
        channel.packet("44" + prefix + JSON.writeValueAsString(Map.of("message", message, "data", Map.of("code", code, "status", status))),
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
        Connection joined = session.connection();
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
        channel.packet("43" + SocketIoSessions.NAMESPACE + "," + ackId + args, true);
    }
}
