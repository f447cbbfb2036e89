package dev.traceflow.realtime.internal.websocket;

import dev.traceflow.realtime.internal.broker.ClientChannel;
import dev.traceflow.realtime.internal.broker.CloseReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The way to one Engine.IO session's client, whichever transport carries it now: HTTP long-polling,
 * then, after the probe handshake, a WebSocket; or a WebSocket from the start. It is the broker
 * connection's {@link ClientChannel}, so the broker's writer hands its messages straight to it.
 * <p>
 * Writing: while polling, packets wait in a bounded buffer until the client's next GET takes them
 * ({@link #poll}); a writer that finds it full waits for a GET, and gives up (the connection then ends
 * as {@code write_failed}) when none comes within a heartbeat, as a WebSocket send gives up on a client
 * that reads nothing. After the upgrade the buffer's rest goes out first on the WebSocket, then
 * everything else. The buffer, the transport and the GET in flight are guarded by {@link #lock};
 * WebSocket writes by {@link #writing} (taken before {@link #lock} when both are needed), so a slow
 * WebSocket write never holds up a GET or the end of the session.
 * <p>
 * Once on the WebSocket (for most sessions, from the start to the end), a packet takes only
 * {@link #writing}: {@link #carrier} is set under both locks at the switch and cleared as the session
 * ends, so a writer that reads it set has nothing to buffer and no end to check; it then waits for
 * {@link #writing}, which the switch holds until the buffer's rest is out, so order is kept. Events
 * go out as frames shared by all the topic's Socket.IO subscribers ({@link EventFrames}), not
 * re-encoded per subscriber.
 */
final class EngineIoChannel implements ClientChannel {

    private static final Logger LOG = LoggerFactory.getLogger(EngineIoChannel.class);
    /** Engine.IO v4's separator of packets in one polling body */
    static final char SEPARATOR = '\u001e';

    private enum Transport {
        POLLING,
        /** a WebSocket answered the probe: the GET in flight is released with a noop, the next packets wait for the switch */
        UPGRADING,
        WEBSOCKET
    }

    private final SocketIoSession session;
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
    /** the WebSocket while it carries the live session: set under {@link #writing} and {@link #lock}, null once ended */
    private volatile WebSocketChannel carrier;

    /** @param ws the WebSocket the session started on, or null for a polling session */
    EngineIoChannel(SocketIoSession session, SocketIoSessions owner, WebSocketChannel ws) {
        this.session = session;
        this.owner = owner;
        this.ws = ws;
        this.transport = ws == null ? Transport.POLLING : Transport.WEBSOCKET;
        this.carrier = ws;
    }

    // ---- to the client ----

    @Override
    public void send(String json) throws IOException {
        packet(SocketIoSessions.messageEvent(json), false);
    }

    /** On the WebSocket, the frame of the event made once for every Socket.IO subscriber of its topic. */
    @Override
    public void sendEvent(String json) throws IOException {
        WebSocketChannel socket = carrier;
        if (socket == null) {
            send(json); // polling (or upgrading, or ended): the packet is buffered as text, or refused
            return;
        }
        byte[] frame = owner.eventFrames.frame(json);
        writing.lock();
        try {
            socket.sendUtf8(frame);
        } finally {
            writing.unlock();
        }
    }

    @Override
    public void flush() throws IOException {
        WebSocketChannel socket = carrier;
        if (socket == null) {
            socket = webSocket();
        }
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
        owner.timers.schedule(owner.pingTimeout, () -> owner.forget(session));
    }

    /** One Engine.IO packet, to whichever transport carries the session now. */
    void packet(String text, boolean flush) throws IOException {
        WebSocketChannel socket = carrier;
        if (socket == null) {
            socket = bufferedOrWebSocket(text);
            if (socket == null) {
                return;
            }
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

    /**
     * Not on the WebSocket yet (or any more): buffers {@code text} for a polling GET, waiting for room,
     * or finds the session ended.
     *
     * @return the WebSocket to send {@code text} on after all (the switch happened meanwhile), or null when it was buffered
     */
    private WebSocketChannel bufferedOrWebSocket(String text) throws IOException {
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
                return null;
            }
            return ws;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the polling client", e);
        } finally {
            lock.unlock();
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

    /**
     * A polling GET: waits until there is something to send (a heartbeat at the latest), then takes as
     * many packets as one payload holds, joined by {@value #SEPARATOR}. An upgrade in progress
     * releases it with a NOOP, as the client waits for that before it switches.
     */
    EnginePoll poll() throws InterruptedException {
        boolean overlap = false;
        boolean forget;
        String body;
        lock.lock();
        try {
            if (transport == Transport.WEBSOCKET) {
                return new EnginePoll.Upgraded();
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
            session.lost("protocol_error");
            return new EnginePoll.Overlap();
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
            owner.forget(session);
        }
        return new EnginePoll.Packets(body);
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
            socket.sendMessage(new TextMessage("3probe"));
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
                    carrier = channel;
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
            LOG.debug("Socket.IO session of {} upgraded to WebSocket", session.logName());
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

    // ---- the end ----

    boolean isEnded() {
        lock.lock();
        try {
            return ended;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the session's transport, which the client closed: a GET still waiting is told the session closed.
     *
     * @return false when it had ended already
     */
    boolean end() {
        lock.lock();
        try {
            if (ended) {
                return false;
            }
            endLocked();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the session's transport, which the client lost: what is buffered is dropped (nobody takes it
     * anymore), a GET still waiting is told the session closed.
     *
     * @return the sockets to close once the broker connection has been told, or null when it had ended already
     */
    OpenSockets endLost() {
        lock.lock();
        try {
            if (ended) {
                return null;
            }
            endLocked();
            buffer.clear();
            bufferedChars = 0;
            return new OpenSockets(ws, probe);
        } finally {
            lock.unlock();
        }
    }

    private void endLocked() {
        ended = true;
        carrier = null;
        changed.signalAll();
        session.stopTimers();
    }

    static void closeQuietly(WebSocketSession socket) {
        try {
            socket.close();
        } catch (IOException | RuntimeException e) {
            // gone already
        }
    }
}
