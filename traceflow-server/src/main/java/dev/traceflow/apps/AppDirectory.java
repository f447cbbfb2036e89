package dev.traceflow.apps;

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

    List<App> all();

    /** Creates an app. @throws IllegalArgumentException when the id is taken or invalid */
    App create(String appId, String name, int retentionDays, Set<String> allowedOrigins);

    /**
     * Adds an ingest key to the app.
     *
     * @param key the key to store (hashed); generate one with {@link IngestKeys#generate()}
     * @return the key's id
     */
    String addKey(String appId, String key);

    /** Revokes a key by the key itself; false when no such active key. */
    boolean revokeKey(String presentedKey);

    /** Whether any app allows browser ingest from {@code origin}, for CORS preflights that carry no key. */
    boolean anyAppAllowsOrigin(String origin);
}
