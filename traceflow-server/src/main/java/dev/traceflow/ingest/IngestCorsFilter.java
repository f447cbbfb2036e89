package dev.traceflow.ingest;

import dev.traceflow.apps.App;
import dev.traceflow.apps.AppDirectory;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Optional;

/**
 * Answers CORS preflights for the ingest endpoints. A preflight carries no custom headers, so
 * unless the key is in the query the app is unknown: the origin passes when some app allows it,
 * and the real request is then checked against its own app ({@link IngestAuth}). Ingest never
 * uses cookies, so credentials are never allowed.
 */
@Component
class IngestCorsFilter extends OncePerRequestFilter {

    private final AppDirectory apps;

    IngestCorsFilter(AppDirectory apps) {
        this.apps = apps;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !("OPTIONS".equals(request.getMethod()) && request.getHeader("Origin") != null
                && request.getHeader("Access-Control-Request-Method") != null
                && IngestController.isIngestPath(request.getRequestURI()));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String origin = request.getHeader("Origin");
        String key = request.getParameter("key");
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
                    + "\"details\":[],\"traceId\":\"" + response.getHeader(dev.traceflow.http.TraceIds.HEADER) + "\"}");
            return;
        }
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
        response.setHeader("Access-Control-Allow-Origin", origin);
        response.setHeader("Access-Control-Allow-Methods", "POST, OPTIONS");
        response.setHeader("Access-Control-Allow-Headers", "Content-Type, Content-Encoding, X-TraceFlow-Key, Authorization");
        response.setHeader("Access-Control-Max-Age", "86400");
    }
}
