package dev.traceflow.realtime.internal.websocket;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.socket.WebSocketExtension;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.standard.StandardWebSocketUpgradeStrategy;

import java.security.Principal;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;

/**
 * The WebSocket upgrade without extensions: Tomcat would accept {@code permessage-deflate}, which
 * npm's {@code ws} (under socket.io-client in Node) offers by default, and then deflate every
 * message. The gateway's messages are a few hundred bytes, so compressing them costs CPU on both
 * sides for little, and each connection would hold a zlib deflater and inflater (about 300 KiB of
 * native memory, measured by {@code realtime-bench.sh} as RSS per connection). Tomcat 11 has no
 * switch for its built-in extension and negotiates it whatever Spring selects, so the request it
 * sees has no {@code Sec-WebSocket-Extensions} header. The Node Socket.IO server declines the
 * extension by default too.
 */
final class UncompressedUpgrade extends StandardWebSocketUpgradeStrategy {

    static final String EXTENSIONS_HEADER = "Sec-WebSocket-Extensions";

    @Override
    public void upgrade(ServerHttpRequest request, ServerHttpResponse response, String selectedProtocol,
                        List<WebSocketExtension> selectedExtensions, Principal user, WebSocketHandler handler,
                        Map<String, Object> attributes) {
        HttpServletRequest servletRequest = ((ServletServerHttpRequest) request).getServletRequest();
        super.upgrade(new ServletServerHttpRequest(new WithoutExtensions(servletRequest)), response, selectedProtocol, List.of(),
                user, handler, attributes);
    }

    /** The handshake request as the client sent it, less its extension offers. */
    private static final class WithoutExtensions extends HttpServletRequestWrapper {

        WithoutExtensions(HttpServletRequest request) {
            super(request);
        }

        @Override
        public String getHeader(String name) {
            return EXTENSIONS_HEADER.equalsIgnoreCase(name) ? null : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return EXTENSIONS_HEADER.equalsIgnoreCase(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            return Collections.enumeration(Collections.list(super.getHeaderNames()).stream()
                    .filter(name -> !EXTENSIONS_HEADER.equalsIgnoreCase(name)).toList());
        }
    }
}
