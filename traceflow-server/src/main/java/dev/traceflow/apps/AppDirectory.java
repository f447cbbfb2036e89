package dev.traceflow.apps;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The apps feature's public face: who an ingest key belongs to, and the apps with their settings.
 * Implementations cache key look-ups; a revoked key stops working within {@link #KEY_CACHE_SECONDS}
 * on other instances, at once on this one.
 */
public interface AppDirectory {

    int KEY_CACHE_SECONDS = 30;

    /** The app a presented ingest key belongs to, empty when the key is unknown or revoked. */
    Optional<App> appForKey(String presentedKey);

    Optional<App> find(String appId);

    /** The app a Sentry SDK addresses by the project number of its DSN ({@link App#sentryProjectId()}). */
    Optional<App> findBySentryProject(long sentryProjectId);

    List<App> all();

    /**
     * Creates an app.
     *
     * @param ingestRateLimit events per second, 0 for no limit
     * @throws IllegalArgumentException when the id is taken or a value is invalid
     */
    App create(String appId, String name, int retentionDays, Set<String> allowedOrigins, int ingestRateLimit);

    /** Creates an app without an ingest rate limit. */
    default App create(String appId, String name, int retentionDays, Set<String> allowedOrigins) {
        return create(appId, name, retentionDays, allowedOrigins, 0);
    }

    /**
     * Adds an ingest key to the app.
     *
     * @param key the key to store (hashed); generate one with {@link IngestKeys#generate()}
     * @return the key's id
     */
    String addKey(String appId, String key);

    /** Revokes a key by the key itself; false when no such active key. */
    boolean revokeKey(String presentedKey);

    /**
     * Changes an app's settings; null arguments leave a setting as it is.
     *
     * @return the app after the change, empty when there is no such app
     * @throws IllegalArgumentException when a value is invalid
     */
    Optional<App> update(String appId, String name, Integer retentionDays, Set<String> allowedOrigins, Integer ingestRateLimit);

    /** Deletes the app with its keys, origins and memberships; false when there is no such app. */
    boolean delete(String appId);

    /** The app's keys, newest first, without secrets. */
    List<IngestKey> keys(String appId);

    /** Revokes a key of the app by its id at once; false when no such key of this app is active. */
    boolean revokeKey(String appId, String keyId);

    /** Lets a key of the app keep working until {@code expiresAt} (rotation overlap); false when no such active key. */
    boolean expireKey(String appId, String keyId, Instant expiresAt);

    /** Whether any app allows browser ingest from {@code origin}, for CORS preflights that carry no key. */
    boolean anyAppAllowsOrigin(String origin);
}
