package dev.traceflow.realtime.internal.websocket;

import dev.traceflow.http.ApiErrorWriter;
import dev.traceflow.http.ApiException;
import dev.traceflow.http.IpAddresses;
import dev.traceflow.realtime.internal.RealtimeAudit;
import dev.traceflow.realtime.internal.RealtimeAuthenticator;
import dev.traceflow.realtime.internal.broker.Broker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;

import java.io.IOException;
import java.util.Map;

/**
 * Admits or refuses a {@code /ws} handshake before the upgrade, so a refused client gets a plain
 * HTTP answer in API.md's error shape: 401 without a valid credential ({@code TOKEN_EXPIRED} for an
 * expired token), 403 {@code ORIGIN_NOT_ALLOWED} for a page the app does not allow, 404 for an app
 * the caller cannot see, 429 {@code TOO_MANY_CONNECTIONS} over the per-user or per-IP limit.
 */
final class RealtimeHandshake implements HandshakeInterceptor {

    static final String ADMISSION = "traceflow.realtime.admission";
    static final String CLIENT_IP = "traceflow.realtime.clientIp";

    private final RealtimeAuthenticator authenticator;
    private final Broker broker;
    private final MeterRegistry registry;
    private final RealtimeAudit audit;

    RealtimeHandshake(RealtimeAuthenticator authenticator, Broker broker, MeterRegistry registry, RealtimeAudit audit) {
        this.authenticator = authenticator;
        this.broker = broker;
        this.registry = registry;
        this.audit = audit;
    }

    @Override
    public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
                                   Map<String, Object> attributes) throws IOException {
        HttpServletRequest servletRequest = ((ServletServerHttpRequest) request).getServletRequest();
        HttpServletResponse servletResponse = ((ServletServerHttpResponse) response).getServletResponse();
        String clientIp = IpAddresses.limitKey(servletRequest.getRemoteAddr());
        RealtimeAuthenticator.Admission admission;
        try {
            admission = authenticator.admit(RealtimeAuthenticator.credential(servletRequest.getHeader(HttpHeaders.AUTHORIZATION),
                    servletRequest.getParameter("token")), servletRequest.getParameter("app"), servletRequest.getHeader(HttpHeaders.ORIGIN),
                    // a browser sets Host and Origin itself: another site's page cannot make them equal
                    servletRequest.getScheme() + "://" + servletRequest.getHeader(HttpHeaders.HOST));
        } catch (ApiException e) {
            refused(e.code(), clientIp);
            if (e.status() == HttpStatus.UNAUTHORIZED) {
                servletResponse.setHeader(HttpHeaders.WWW_AUTHENTICATE, "TOKEN_EXPIRED".equals(e.code())
                        ? "Bearer error=\"invalid_token\", error_description=\"expired\"" : "Bearer");
            }
            ApiErrorWriter.write(servletRequest, servletResponse, e.status(), e.code(), e.getMessage());
            return false;
        }
        if (!broker.admits(admission.userKey(), clientIp)) {
            refused("TOO_MANY_CONNECTIONS", clientIp);
            servletResponse.setHeader(HttpHeaders.RETRY_AFTER, "5");
            ApiErrorWriter.write(servletRequest, servletResponse, HttpStatus.TOO_MANY_REQUESTS, "TOO_MANY_CONNECTIONS",
                    "Too many realtime connections from this user or address: close one first");
            return false;
        }
        attributes.put(ADMISSION, admission);
        attributes.put(CLIENT_IP, clientIp);
        return true;
    }

    /** Counted, and audited in the minute's summary row (a refused client is nobody the audit trail can name). */
    private void refused(String code, String clientIp) {
        audit.handshakeRefused(code, clientIp);
        Counter.builder("traceflow.realtime.handshakes.refused").tag("code", code)
                .description("WebSocket handshakes refused, by error code").register(registry).increment();
    }

    @Override
    public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler, Exception exception) {
    }
}
