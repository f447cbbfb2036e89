package dev.traceflow.ingest;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where a Sentry SDK puts its public key (develop.sentry.dev "Authentication"): the
 * {@code X-Sentry-Auth} header ({@code Sentry sentry_key=<key>, sentry_version=7, ...}), the
 * {@code sentry_key} query parameter (browsers, which then need no preflight), or the {@code dsn}
 * of the envelope's header ({@code https://<key>@host/<projectId>}). The key is a TraceFlow ingest
 * key; the project is the app's {@code sentryProjectId}. Pure parsing: {@link IngestAuth} decides.
 */
final class SentryCredentials {

    static final String AUTH_HEADER = "X-Sentry-Auth";

    private SentryCredentials() {
    }

    /** The {@code sentry_key} of an {@code X-Sentry-Auth} value, or null. The scheme word {@code Sentry} is optional. */
    static String keyFromAuthHeader(String header) {
        if (header == null) {
            return null;
        }
        String value = header.strip();
        if (value.regionMatches(true, 0, "Sentry ", 0, 7)) {
            value = value.substring(7);
        }
        for (String pair : value.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).strip().toLowerCase(Locale.ROOT).equals("sentry_key")) {
                return blankToNull(pair.substring(eq + 1).strip());
            }
        }
        return null;
    }

    /**
     * A parameter of the raw query string, decoded; read from the string rather than through the
     * servlet API, which would parse a form-encoded body to find parameters.
     */
    static String queryParameter(String query, String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) {
                try {
                    return blankToNull(eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /** The public key and project of a DSN; null when it is not one. */
    static Dsn parseDsn(String dsn) {
        if (dsn == null) {
            return null;
        }
        try {
            URI uri = new URI(dsn.strip());
            String user = uri.getRawUserInfo();
            String path = uri.getRawPath();
            if (user == null || path == null || uri.getHost() == null) {
                return null;
            }
            int colon = user.indexOf(':'); // the long-gone secret part: key:secret
            String key = URLDecoder.decode(colon < 0 ? user : user.substring(0, colon), StandardCharsets.UTF_8);
            String project = path.substring(path.lastIndexOf('/') + 1);
            return key.isEmpty() || project.isEmpty() ? null : new Dsn(key, project);
        } catch (URISyntaxException | IllegalArgumentException e) {
            // not a URI, or a key with a broken %-escape: no DSN
            return null;
        }
    }

    /** @param project the project part as written (a number for a TraceFlow app, but not checked here) */
    record Dsn(String key, String project) {
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
