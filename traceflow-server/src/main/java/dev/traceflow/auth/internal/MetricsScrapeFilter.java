package dev.traceflow.auth.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Lets a Prometheus server scrape {@code /actuator/prometheus} with a bearer credential of its own
 * ({@code TRACEFLOW_METRICS_TOKEN}) instead of an admin's 15-minute access token. The credential
 * opens that one route and nothing else (role {@code METRICS}); without the setting, scraping
 * takes an admin's token as before.
 */
final class MetricsScrapeFilter extends OncePerRequestFilter {

    static final String PATH = "/actuator/prometheus";
    static final String ROLE = "METRICS";
    static final int MIN_LENGTH = 16;

    private final byte[] token;

    /** @param token the configured credential; null or blank turns the filter off */
    MetricsScrapeFilter(String token) {
        if (token != null && !token.isBlank() && token.strip().length() < MIN_LENGTH) {
            throw new IllegalStateException("TRACEFLOW_METRICS_TOKEN must have at least " + MIN_LENGTH + " characters");
        }
        this.token = token == null || token.isBlank() ? null : token.strip().getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a presented bearer token is the scrape credential (so it is not read as a JWT). */
    boolean isScrapeToken(String presented) {
        return token != null && presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (PATH.equals(request.getRequestURI()) && header != null && header.startsWith("Bearer ")
                && isScrapeToken(header.substring("Bearer ".length()).strip())) {
            SecurityContextHolder.getContext().setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
                    "prometheus", null, List.of(new SimpleGrantedAuthority("ROLE_" + ROLE))));
        }
        chain.doFilter(request, response);
    }
}
