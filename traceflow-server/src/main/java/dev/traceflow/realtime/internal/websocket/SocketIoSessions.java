package dev.traceflow.realtime.internal.websocket;

import dev.traceflow.realtime.internal.RealtimeAudit;
import dev.traceflow.realtime.internal.RealtimeAuthenticator;
import dev.traceflow.realtime.internal.broker.Broker;
import dev.traceflow.realtime.internal.broker.Timers;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The Socket.IO sessions of this server and what they share. Polling sessions are found by their
 * {@code sid} (every GET and POST names it, and so does the WebSocket that upgrades one); the
 * {@code sid} is 128 random bits, so knowing one is as good as having made the handshake.
 * <p>
 * Bounds: a client IP has at most {@link #maxSessionsPerIp} polling sessions at once (joined or not;
 * the broker's per-IP and per-user limits apply at the namespace CONNECT on top), a session that
 * joins no namespace within {@link #connectTimeout} ends, and one whose client answers no ping ends
 * a heartbeat later: that is its expiry.
 */
final class SocketIoSessions {

    static final String NAMESPACE = "/realtime";

    private static final SecureRandom RANDOM = new SecureRandom();

    final Broker broker;
    final RealtimeAuthenticator authenticator;
    final RealtimeAudit audit;
    final Timers timers;
    private final Executor executor;
    final Duration pingInterval;
    final Duration pingTimeout;
    final Duration connectTimeout;
    /** Engine.IO's maxPayload: the most characters of one polling body, either way (and of one WebSocket frame) */
    final int maxPayload;
    /** packets waiting for a polling client's GET, at most */
    final int maxBufferedPackets;
    final int maxBufferedChars;
    final int maxSessionsPerIp;
    /** the WebSocket frames of events, made once for every Socket.IO subscriber of their topic */
    final EventFrames eventFrames = new EventFrames(json -> messageEvent(json).getBytes(StandardCharsets.UTF_8));

    private final ConcurrentHashMap<String, SocketIoSession> polling = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> pollingPerIp = new ConcurrentHashMap<>();
    private volatile boolean stopped;

    SocketIoSessions(Broker broker, RealtimeAuthenticator authenticator, RealtimeAudit audit, Timers timers, Executor executor,
                     Duration pingInterval, Duration pingTimeout, Duration connectTimeout, int maxPayload, int maxBufferedPackets,
                     int maxSessionsPerIp) {
        this.broker = broker;
        this.authenticator = authenticator;
        this.audit = audit;
        this.timers = timers;
        this.executor = executor;
        this.pingInterval = pingInterval;
        this.pingTimeout = pingTimeout;
        this.connectTimeout = connectTimeout;
        this.maxPayload = maxPayload;
        this.maxBufferedPackets = maxBufferedPackets;
        this.maxBufferedChars = maxPayload * 4;
        this.maxSessionsPerIp = maxSessionsPerIp;
    }

    /** Socket.IO's EVENT {@code message} in the namespace, with an API.md message as its argument, as an Engine.IO MESSAGE. */
    static String messageEvent(String json) {
        return "42" + NAMESPACE + ",[\"message\"," + json + "]";
    }

    /** A new polling session, or null when the IP has as many as it may (or the server is stopping). */
    SocketIoSession openPolling(String origin, String ownOrigin, String clientIp) {
        if (stopped) {
            return null;
        }
        boolean[] admitted = {false};
        pollingPerIp.compute(clientIp, (ip, n) -> {
            int count = n == null ? 0 : n;
            if (count >= maxSessionsPerIp) {
                return n;
            }
            admitted[0] = true;
            return count + 1;
        });
        if (!admitted[0]) {
            return null;
        }
        SocketIoSession session = new SocketIoSession(this, newSid(), origin, ownOrigin, clientIp, null);
        polling.put(session.sid, session);
        session.start();
        return session;
    }

    /** A session on a WebSocket from the start ({@code transports: ['websocket']}): no sid to find it by. */
    SocketIoSession openWebSocket(WebSocketChannel ws, String origin, String ownOrigin, String clientIp) {
        SocketIoSession session = new SocketIoSession(this, newSid(), origin, ownOrigin, clientIp, ws);
        session.start();
        return session;
    }

    /**
     * The scheme, host and port a request came to: a page of the server itself (the dashboard) has
     * this Origin, which lets a user's token in whatever the app's allowedOrigins say.
     */
    static String ownOrigin(jakarta.servlet.http.HttpServletRequest request) {
        return request.getScheme() + "://" + request.getHeader(org.springframework.http.HttpHeaders.HOST);
    }

    SocketIoSession find(String sid) {
        return sid == null ? null : polling.get(sid);
    }

    /** The session ended and its last packets are taken (or never will be): it is not found anymore. */
    void forget(SocketIoSession session) {
        if (polling.remove(session.sid, session)) {
            pollingPerIp.computeIfPresent(session.clientIp, (ip, n) -> n <= 1 ? null : n - 1);
        }
    }

    int pollingSessions() {
        return polling.size();
    }

    void runBlocking(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            // shutting down: every session ends with the server
        }
    }

    /**
     * Takes new sessions again after a {@link #stop()}: a context's lifecycle may stop and start it
     * again (Spring's test context cache pauses the contexts it is not using), and a stop must not
     * leave the server refusing every handshake.
     */
    void start() {
        stopped = false;
    }

    /** Server shutdown: sessions that never joined end too (joined ones end with their broker connection), and GETs return. */
    void stop() {
        stopped = true;
        for (SocketIoSession session : new ArrayList<>(polling.values())) {
            session.lost("shutdown");
        }
    }

    private static String newSid() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
