package dev.traceflow.http;

import dev.traceflow.TraceFlowProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Makes {@code getRemoteAddr()} the client's address for everything after it (login limits, the
 * audit trail): the peer's, unless the peer is a proxy the operator listed in
 * {@code TRACEFLOW_TRUSTED_PROXIES}; then the nearest unlisted address of {@code X-Forwarded-For},
 * and the scheme of {@code X-Forwarded-Proto}. With no proxy listed (the default) forwarded headers
 * are never read: a client on a private network cannot pick its own address.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class ForwardedClientFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(ForwardedClientFilter.class);

    private final TrustedProxies proxies;

    ForwardedClientFilter(TraceFlowProperties properties, Environment environment) {
        this.proxies = new TrustedProxies(properties.http().trustedProxies());
        if (environment.containsProperty("TRACEFLOW_FORWARD_HEADERS")) {
            log.warn("TRACEFLOW_FORWARD_HEADERS is no longer read: forwarded headers are believed only from the proxies "
                    + "listed in TRACEFLOW_TRUSTED_PROXIES (CIDR blocks, comma-separated; none by default)");
        }
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (proxies.isEmpty() || !proxies.trusts(request.getRemoteAddr())) {
            chain.doFilter(request, response);
            return;
        }
        List<String> forwardedFor = Collections.list(request.getHeaders("X-Forwarded-For"));
        String client = proxies.client(request.getRemoteAddr(), forwardedFor);
        String proto = request.getHeader("X-Forwarded-Proto");
        String scheme = proto == null ? request.getScheme() : proto.split(",")[0].strip().toLowerCase(Locale.ROOT);
        chain.doFilter(new Forwarded(request, client, scheme), response);
    }

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false; // the /error dispatch sees the same client
    }

    private static final class Forwarded extends HttpServletRequestWrapper {

        private final String client;
        private final String scheme;

        Forwarded(HttpServletRequest request, String client, String scheme) {
            super(request);
            this.client = client;
            this.scheme = scheme.equals("https") ? "https" : scheme.equals("http") ? "http" : request.getScheme();
        }

        @Override
        public String getRemoteAddr() {
            return client;
        }

        @Override
        public String getRemoteHost() {
            return client;
        }

        @Override
        public String getScheme() {
            return scheme;
        }

        @Override
        public boolean isSecure() {
            return scheme.equals("https");
        }
    }
}
