package dev.traceflow.apps;

import java.time.Instant;

/**
 * An ingest key as shown after creation: never the key itself nor its hash.
 *
 * @param prefix    the key's first characters, to tell keys apart
 * @param revokedAt when it was revoked, or null
 * @param expiresAt when a rotated key stops working, or null
 */
public record IngestKey(String id, String appId, String prefix, Instant createdAt, Instant revokedAt, Instant expiresAt) {

    public boolean activeAt(Instant now) {
        return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
    }
}
