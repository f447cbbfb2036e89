package dev.traceflow.builds.internal;

import dev.traceflow.http.ApiErrorWriter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The worker token on every {@code /api/workers/**} request ({@code X-TraceFlow-Worker-Token}),
 * checked before anything else reads the request: Spring's form-content filter, the security chain
 * and Spring MVC (body, content type, parameters) never see a request without the right token, so a
 * caller without it learns nothing but 401 (or 503 WORKERS_DISABLED when the server has no token
 * set). The token is compared as a hash in constant time and never logged.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2) // after the trace id and the forwarded-client filters, which the error shape uses
class WorkerTokenFilter extends OncePerRequestFilter {

    static final String PREFIX = "/api/workers/";
    static final String TOKEN_HEADER = "X-TraceFlow-Worker-Token";
    private static final int DISABLED_RETRY_AFTER_SECONDS = 3600;
    private static final UrlPathHelper PATHS = new UrlPathHelper();

    private final byte[] tokenHash;

    WorkerTokenFilter(BuildQueueProperties settings) {
        this.tokenHash = settings.workerToken() == null || settings.workerToken().isBlank() ? null : sha256(settings.workerToken());
    }

    /** Both spellings of the path: as sent, and decoded as Spring MVC matches it ({@code /api/%77orkers/claim} is the claim too). */
    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !isWorkerPath(request.getRequestURI().substring(request.getContextPath().length()))
                && !isWorkerPath(PATHS.getPathWithinApplication(request));
    }

    private static boolean isWorkerPath(String path) {
        return path.startsWith(PREFIX) || path.equals("/api/workers");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (tokenHash == null) {
            response.setHeader("Retry-After", Integer.toString(DISABLED_RETRY_AFTER_SECONDS));
            ApiErrorWriter.write(request, response, HttpStatus.SERVICE_UNAVAILABLE, "WORKERS_DISABLED",
                    "remote workers are not enabled on this server (TRACEFLOW_BUILDS_QUEUE_WORKER_TOKEN)");
            return;
        }
        String token = request.getHeader(TOKEN_HEADER);
        // compared as hashes, in constant time: neither the length nor a prefix of the token leaks through timing
        if (token == null || !MessageDigest.isEqual(tokenHash, sha256(token))) {
            ApiErrorWriter.write(request, response, HttpStatus.UNAUTHORIZED, "UNAUTHORIZED",
                    "a valid worker token is required in " + TOKEN_HEADER);
            return;
        }
        chain.doFilter(request, response);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
