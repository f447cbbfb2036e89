package dev.traceflow.dashboard;

import dev.traceflow.http.DashboardPaths;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Answers every dashboard page route with the build's {@code index.html}, or, when the UI was not
 * built, with a page saying how to build it. Read once at start: the file belongs to the build.
 */
@Controller
@Hidden
class DashboardPages {

    /**
     * Only this server's scripts (no inline script, no eval), styles and connections; images may
     * also be data: URLs (the page's icon). Scripts and styles set by script through the CSSOM
     * (the charts' sizes) are not inline styles and need no exception.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            + "form-action 'self'; frame-ancestors 'none'";
    /** index.html names the current build's files: a cached copy would load the previous build's. */
    static final String NEVER_CACHE = "no-cache, no-store, must-revalidate";

    static final String NOT_BUILT = """
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>TraceFlow: the dashboard was not built</title></head>
            <body>
            <h1>TraceFlow is running, but its web dashboard was not built</h1>
            <p>The build skips the dashboard when Node.js (20.19 or newer) and npm are not on the PATH.
            Install them (on Debian: <code>apt-get install nodejs npm</code>), then build again:
            <code>./traceflow --rebuild</code>, or <code>./mvnw -pl traceflow-server -am -DskipTests package</code>.</p>
            <p>The API works without it: see <a href="/docs">/docs</a> and the README.</p>
            </body>
            </html>
            """;

    private static final Logger log = LoggerFactory.getLogger(DashboardPages.class);

    private final byte[] page;
    private final boolean built;

    @Autowired
    DashboardPages() {
        this(new ClassPathResource("dashboard/index.html"));
    }

    DashboardPages(Resource index) {
        this.built = index.exists();
        if (built) {
            try (InputStream in = index.getInputStream()) {
                this.page = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the dashboard's " + index, e);
            }
        } else {
            this.page = NOT_BUILT.getBytes(StandardCharsets.UTF_8);
            log.warn("The web dashboard was not built (no Node.js >= 20.19 and npm at build time): / answers how to build it");
        }
    }

    boolean built() {
        return built;
    }

    /**
     * Takes the request so that query parameters, which belong to the page's router
     * ({@code ?range=7d}), are not refused as unknown API parameters.
     */
    @GetMapping({DashboardPaths.ROOT, DashboardPaths.APPS, DashboardPaths.APP_PAGES})
    ResponseEntity<byte[]> page(HttpServletRequest request) {
        return ResponseEntity.ok()
                .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                .header(HttpHeaders.CACHE_CONTROL, NEVER_CACHE)
                .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("Referrer-Policy", "same-origin")
                .body(page);
    }
}
