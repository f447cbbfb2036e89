package dev.traceflow.realtime.internal.websocket;

import dev.traceflow.http.ApiErrorWriter;
import dev.traceflow.http.IpAddresses;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.HttpRequestHandler;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.servlet.handler.AbstractHandlerMapping;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Engine.IO v4 long-polling at {@code /socket.io/} on the main port, the npm {@code socket.io-client}'s
 * default first transport: {@code GET ?EIO=4&transport=polling} opens a session (the OPEN packet
 * names its {@code sid}); {@code GET ...&sid=} waits for the server's packets (a heartbeat at most),
 * {@code POST ...&sid=} brings the client's, both as packets separated by {@code \x1e}. The requests
 * run on virtual threads (Spring Boot's, as every request here), so a waiting GET holds no platform thread.
 * <p>
 * Bad input is answered in API.md's error shape, and a request that breaks the protocol of a session
 * ends that session, as Engine.IO's own server does: 400 {@code TRANSPORT_UNSUPPORTED} (no
 * {@code EIO=4}, or another transport), 400 {@code SESSION_UNKNOWN} (no such sid, or it ended), 400
 * {@code BAD_REQUEST} (a second GET while one waits, a POST without sid, a malformed packet), 413
 * {@code PAYLOAD_TOO_LARGE} (a body over {@code maxPayload}), 403 {@code ORIGIN_NOT_ALLOWED} (a request
 * from another Origin than the session's handshake), 429 {@code TOO_MANY_CONNECTIONS} (too many
 * sessions of one IP). Who may connect at all is decided at the namespace CONNECT, with the
 * handshake's Origin, as for Socket.IO over WebSocket ({@link SocketIoReceiver}).
 * <p>
 * CORS: any page may make the requests (a page's Origin is checked against its app's at the
 * CONNECT, when the app is known, as {@code /ws} does at its handshake).
 */
final class SocketIoPolling implements HttpRequestHandler, CorsConfigurationSource {

    private static final CorsConfiguration CORS = cors();

    private final SocketIoSessions sessions;

    SocketIoPolling(SocketIoSessions sessions) {
        this.sessions = sessions;
    }

    private static CorsConfiguration cors() {
        CorsConfiguration cors = new CorsConfiguration();
        cors.addAllowedOriginPattern("*");
        cors.setAllowedMethods(List.of("GET", "POST"));
        cors.addAllowedHeader("*");
        cors.setAllowCredentials(true);
        cors.setMaxAge(Duration.ofHours(1));
        return cors;
    }

    @Override
    public CorsConfiguration getCorsConfiguration(HttpServletRequest request) {
        return CORS;
    }

    /** Routes every {@code /socket.io/} request but a WebSocket's to the polling transport; WebSockets go to {@link SocketIoHandler}. */
    static final class Mapping extends AbstractHandlerMapping {
        private final SocketIoPolling handler;

        Mapping(SocketIoPolling handler) {
            this.handler = handler;
            setOrder(Ordered.HIGHEST_PRECEDENCE);
        }

        @Override
        protected Object getHandlerInternal(HttpServletRequest request) {
            String path = request.getRequestURI().substring(request.getContextPath().length());
            if (!path.equals("/socket.io/") && !path.equals("/socket.io")) {
                return null;
            }
            return "websocket".equals(query(request).get("transport")) ? null : handler;
        }
    }

    /** The query's parameters, read from the query string alone (a form-encoded POST body is no parameters here). */
    static Map<String, String> query(HttpServletRequest request) {
        Map<String, String> params = new HashMap<>();
        String query = request.getQueryString();
        if (query == null) {
            return params;
        }
        for (String pair : query.split("&", 16)) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                params.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // a malformed escape: not a parameter Engine.IO reads
            }
        }
        return params;
    }

    @Override
    public void handleRequest(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<String, String> params = query(request);
        if (!"4".equals(params.get("EIO")) || !"polling".equals(params.get("transport"))) {
            ApiErrorWriter.write(request, response, HttpStatus.BAD_REQUEST, "TRANSPORT_UNSUPPORTED",
                    "Engine.IO 4 only, over long-polling (EIO=4&transport=polling) or WebSocket (EIO=4&transport=websocket)");
            return;
        }
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        String sid = params.get("sid");
        boolean get = "GET".equals(request.getMethod());
        if (!get && !"POST".equals(request.getMethod())) {
            response.setHeader(HttpHeaders.ALLOW, "GET, POST");
            ApiErrorWriter.write(request, response, HttpStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED",
                    "Engine.IO long-polling is GET (the server's packets) and POST (the client's)");
            return;
        }
        if (sid == null) {
            if (get) {
                handshake(request, response, origin);
            } else {
                ApiErrorWriter.write(request, response, HttpStatus.BAD_REQUEST, "BAD_REQUEST",
                        "a POST names its session (sid=) from the handshake's OPEN packet");
            }
            return;
        }
        SocketIoSession session = sessions.find(sid);
        if (session == null) {
            ApiErrorWriter.write(request, response, HttpStatus.BAD_REQUEST, "SESSION_UNKNOWN",
                    "No Engine.IO session with this sid (it ended, or never was): connect again");
            return;
        }
        if (!Objects.equals(origin, session.origin)) {
            ApiErrorWriter.write(request, response, HttpStatus.FORBIDDEN, "ORIGIN_NOT_ALLOWED",
                    "The session was opened from another Origin");
            return;
        }
        if (get) {
            poll(request, response, session);
        } else {
            post(request, response, session);
        }
    }

    private void handshake(HttpServletRequest request, HttpServletResponse response, String origin) throws IOException {
        SocketIoSession session = sessions.openPolling(origin, SocketIoSessions.ownOrigin(request),
                IpAddresses.limitKey(request.getRemoteAddr()));
        if (session == null) {
            response.setHeader(HttpHeaders.RETRY_AFTER, "5");
            ApiErrorWriter.write(request, response, HttpStatus.TOO_MANY_REQUESTS, "TOO_MANY_CONNECTIONS",
                    "Too many Socket.IO sessions from this address: close one first");
            return;
        }
        text(response, session.openPacket());
    }

    private void poll(HttpServletRequest request, HttpServletResponse response, SocketIoSession session) throws IOException {
        EnginePoll poll;
        try {
            poll = session.poll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ApiErrorWriter.write(request, response, HttpStatus.SERVICE_UNAVAILABLE, "UNAVAILABLE", "The server is stopping");
            return;
        }
        switch (poll) {
            case EnginePoll.Packets p -> text(response, p.body());
            case EnginePoll.Overlap o -> ApiErrorWriter.write(request, response, HttpStatus.BAD_REQUEST, "BAD_REQUEST",
                    "A GET came while another of the session was waiting: one at a time. The session has ended");
            case EnginePoll.Upgraded u -> ApiErrorWriter.write(request, response, HttpStatus.BAD_REQUEST, "BAD_REQUEST",
                    "The session has moved to its WebSocket");
        }
    }

    private void post(HttpServletRequest request, HttpServletResponse response, SocketIoSession session) throws IOException {
        long declared = request.getContentLengthLong();
        byte[] body;
        if (declared > sessions.maxPayload) {
            body = null;
        } else {
            try (InputStream in = request.getInputStream()) {
                body = in.readNBytes(sessions.maxPayload + 1);
            }
        }
        if (body == null || body.length > sessions.maxPayload) {
            session.lost("protocol_error");
            ApiErrorWriter.write(request, response, HttpStatus.CONTENT_TOO_LARGE, "PAYLOAD_TOO_LARGE",
                    "A polling body may have at most " + sessions.maxPayload + " bytes (the OPEN packet's maxPayload). The session has ended");
            return;
        }
        if (session.isEnded()) {
            ApiErrorWriter.write(request, response, HttpStatus.BAD_REQUEST, "SESSION_UNKNOWN", "The session has ended: connect again");
            return;
        }
        if (!session.receivePayload(new String(body, StandardCharsets.UTF_8))) {
            ApiErrorWriter.write(request, response, HttpStatus.BAD_REQUEST, "BAD_REQUEST",
                    "Not Engine.IO v4 packets (type digit, then data; several separated by \\x1e). The session has ended");
            return;
        }
        text(response, "ok");
    }

    private static void text(HttpServletResponse response, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.setContentType("text/plain; charset=UTF-8");
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
