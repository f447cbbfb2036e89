package dev.traceflow.apps;

import java.time.Instant;
import java.util.Set;

/**
 * An app that sends telemetry.
 *
 * @param allowedOrigins origins allowed to send browser ingest ({@code *} = any); never null
 * @param retentionDays    events older than this many days are deleted by the retention job
 * @param ingestRateLimit  events per second the app may send, 0 for no limit (see {@code IngestRateLimits})
 */
public record App(String id, String name, int retentionDays, Set<String> allowedOrigins, int ingestRateLimit, Instant createdAt) {

    /** Whether a browser page at {@code origin} may send this app's events. */
    public boolean allowsOrigin(String origin) {
        return allowedOrigins.contains("*") || allowedOrigins.contains(origin);
    }
}
