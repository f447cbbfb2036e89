package dev.traceflow.apps;

import java.net.URI;
import java.time.Instant;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An app that sends telemetry.
 *
 * @param allowedOrigins origins allowed to send browser ingest ({@code *} = any); never null
 * @param retentionDays    events older than this many days are deleted by the retention job
 * @param ingestRateLimit  events per second the app may send, 0 for no limit (see {@code IngestRateLimits})
 * @param sentryProjectId  the number Sentry SDKs address the app by (the last path segment of its DSN);
 *                         positive, unique, never reused after the app is deleted
 */
public record App(String id, String name, int retentionDays, Set<String> allowedOrigins, int ingestRateLimit, Instant createdAt,
                  long sentryProjectId) {

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    /**
     * Whether {@code appId} has the form of an app id (1-64 of {@code a-z 0-9 _ -}, starting with a letter or digit),
     * which every app id has: a parameter that does not is a bad request rather than an app that is not there.
     */
    public static boolean wellFormedId(String appId) {
        return appId != null && ID.matcher(appId).matches();
    }

    /**
     * The DSN a Sentry SDK is configured with to send this app's events here:
     * {@code <scheme>://<ingestKey>@<host>[:port][/path]/<sentryProjectId>}.
     *
     * @param publicUrl where SDKs reach this server, e.g. {@code https://traceflow.example.com}
     *                  (a path prefix is kept; a trailing slash is not needed)
     * @return the DSN, or null when the key has characters SDKs refuse in a DSN ({@link IngestKeys#fitsInDsn})
     */
    public String sentryDsn(String ingestKey, URI publicUrl) {
        if (!IngestKeys.fitsInDsn(ingestKey)) {
            return null;
        }
        String path = publicUrl.getRawPath() == null ? "" : publicUrl.getRawPath().replaceAll("/+$", "");
        String port = publicUrl.getPort() < 0 ? "" : ":" + publicUrl.getPort();
        return publicUrl.getScheme() + "://" + ingestKey + "@" + publicUrl.getHost() + port + path + "/" + sentryProjectId;
    }

    /** Whether a browser page at {@code origin} may send this app's events. */
    public boolean allowsOrigin(String origin) {
        return allowedOrigins.contains("*") || allowedOrigins.contains(origin);
    }
}
