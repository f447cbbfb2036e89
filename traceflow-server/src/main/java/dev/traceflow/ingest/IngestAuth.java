package dev.traceflow.ingest;

import dev.traceflow.apps.App;
import dev.traceflow.apps.AppDirectory;
import dev.traceflow.http.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.stereotype.Component;

/**
 * Who is sending: the ingest key from {@code X-TraceFlow-Key}, {@code Authorization: Bearer} or
 * {@code ?key=} (sendBeacon cannot set headers), and whether the page's origin may send for
 * that app (the CORS headers themselves are {@link IngestCorsFilter}'s).
 */
@Component
class IngestAuth {

    static final String KEY_HEADER = "X-TraceFlow-Key";

    private final AppDirectory apps;

    IngestAuth(AppDirectory apps) {
        this.apps = apps;
    }

    /** @throws ApiException 401 without a valid, unrevoked key; 403 from an origin the app does not allow */
    App authenticate(HttpServletRequest request) {
        String key = presentedKey(request);
        if (key == null) {
            throw ApiException.unauthorized("An ingest key is required: send it as X-TraceFlow-Key, "
                    + "Authorization: Bearer <key> or ?key=<key>");
        }
        App app = apps.appForKey(key).orElseThrow(() -> ApiException.unauthorized(looksLikeAccessToken(key)
                ? "This is a user's access token; ingest routes take an app's ingest key (tfk_...) instead, "
                + "as X-TraceFlow-Key, Authorization: Bearer <key> or ?key=<key>"
                : key.startsWith("tft_")
                ? "This is a user's API token (tft_...), which ingest never takes: ingest routes need an app's ingest key "
                + "(tfk_...), as X-TraceFlow-Key, Authorization: Bearer <key> or ?key=<key>"
                : "The ingest key is invalid or revoked"));
        checkOrigin(request, app);
        return app;
    }

    /**
     * A Sentry SDK's request: its key (from {@link SentryCredentials}) must be an ingest key of the app
     * whose {@code sentryProjectId} the URL names, and the page's origin one the app allows.
     *
     * @param key     the presented key, or null when the request carried none
     * @param project the project part of the URL, as written
     * @throws ApiException 401 without a valid key; 403 APP_MISMATCH when the key is another app's,
     *                      403 ORIGIN_NOT_ALLOWED from an origin the app does not allow
     */
    App authenticateSentry(String key, String project, HttpServletRequest request) {
        if (key == null) {
            throw ApiException.unauthorized("A key is required: a Sentry SDK sends the one in its DSN "
                    + "(X-Sentry-Auth: Sentry sentry_key=<key>, ?sentry_key=<key>, or the envelope header's dsn)");
        }
        App app = apps.appForKey(key).orElseThrow(() -> ApiException.unauthorized("The key of the DSN is not a valid, "
                + "unrevoked ingest key of this server"));
        if (!Long.toString(app.sentryProjectId()).equals(project)) {
            throw ApiException.forbidden("APP_MISMATCH", "The key belongs to app '" + app.id() + "', whose Sentry project is "
                    + app.sentryProjectId() + ", not '" + RequestBodies.truncate(project) + "': use the DSN given with the key");
        }
        checkOrigin(request, app);
        return app;
    }

    private static void checkOrigin(HttpServletRequest request, App app) {
        String origin = request.getHeader("Origin");
        if (origin != null && !app.allowsOrigin(origin)) {
            throw ApiException.forbidden("ORIGIN_NOT_ALLOWED", "Origin " + RequestBodies.truncate(origin)
                    + " may not send events for app " + app.id());
        }
    }

    static String presentedKey(HttpServletRequest request) {
        String key = request.getHeader(KEY_HEADER);
        if (key == null) {
            String auth = request.getHeader("Authorization");
            if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                key = auth.substring(7);
            }
        }
        if (key == null) {
            key = request.getParameter("key");
        }
        if (key == null) {
            return null;
        }
        key = key.strip();
        return key.isEmpty() ? null : key;
    }

    /** A JWT (three dot-separated base64url parts, the first a JSON header): the usual mix-up of the two kinds of credential. */
    static boolean looksLikeAccessToken(String credential) {
        return credential.startsWith("eyJ") && credential.chars().filter(c -> c == '.').count() == 2;
    }
}
