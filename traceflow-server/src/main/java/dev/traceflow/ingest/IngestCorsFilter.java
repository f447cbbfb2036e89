package dev.traceflow.ingest;

import dev.traceflow.apps.App;
import dev.traceflow.apps.AppDirectory;
import dev.traceflow.http.TraceIds;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Optional;

/**
 * CORS for the ingest endpoints.
 *
 * <p>Preflights: a preflight carries no custom headers, so unless the key is in the query the app
 * is unknown: the origin passes when some app allows it, and the real request is then checked
 * against its own app ({@link IngestAuth}). A refused preflight stops the browser from sending.
 *
 * <p>Real requests: every answer, errors included, may be read by the page that sent it, and so may
 * {@code Retry-After} and the trace id. Whether an origin may <em>send</em> is decided above and by
 * {@link IngestAuth}'s 403; what the page may <em>read</em> is only counts and error reasons. A page
 * that cannot read a 401, 403 or 503 sees a network error, and a browser SDK retries a network
 * error; one that can read it stops sending (401, 403) or waits as told (503, 429). Checked in a real
 * browser by {@code BrowserIngestIT}. Ingest never uses cookies, so credentials are never allowed.
 */
@Component
class IngestCorsFilter extends OncePerRequestFilter {

    /** Response headers a page may read besides the CORS-safelisted ones. */
    static final String EXPOSED_HEADERS = "Retry-After, " + SentryController.RATE_LIMITS_HEADER + ", " + TraceIds.HEADER;

    private final AppDirectory apps;

    IngestCorsFilter(AppDirectory apps) {
        this.apps = apps;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return request.getHeader("Origin") == null || !IngestController.isIngestPath(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!isPreflight(request)) {
            response.setHeader("Access-Control-Allow-Origin", request.getHeader("Origin"));
            response.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
            response.addHeader("Vary", "Origin");
            chain.doFilter(request, response);
            return;
        }
        answerPreflight(request, response);
    }

    private static boolean isPreflight(HttpServletRequest request) {
        return "OPTIONS".equals(request.getMethod()) && request.getHeader("Access-Control-Request-Method") != null;
    }

    private void answerPreflight(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String origin = request.getHeader("Origin");
        // ?key= for TraceFlow's endpoints, ?sentry_key= for Sentry's (read from the query string: a preflight has no body)
        String key = SentryCredentials.queryParameter(request.getQueryString(), "key");
        if (key == null) {
            key = SentryCredentials.queryParameter(request.getQueryString(), "sentry_key");
        }
        boolean allowed;
        if (key != null) {
            Optional<App> app = apps.appForKey(key.strip());
            allowed = app.isPresent() && app.get().allowsOrigin(origin);
        } else {
            allowed = apps.anyAppAllowsOrigin(origin);
        }
        response.addHeader("Vary", "Origin");
        if (!allowed) {
            response.setStatus(HttpServletResponse.SC_FORBIDDEN);
            response.setContentType("application/json");
            response.getWriter().write("{\"code\":\"ORIGIN_NOT_ALLOWED\",\"message\":\"This origin may not send events\","
                    + "\"details\":[],\"traceId\":\"" + response.getHeader(TraceIds.HEADER) + "\"}");
            return;
        }
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
        response.setHeader("Access-Control-Allow-Origin", origin);
        response.setHeader("Access-Control-Allow-Methods", "POST, OPTIONS");
        response.setHeader("Access-Control-Allow-Headers", "Content-Type, Content-Encoding, X-TraceFlow-Key, Authorization, "
                + SentryCredentials.AUTH_HEADER);
        response.setHeader("Access-Control-Max-Age", "86400");
    }
}
