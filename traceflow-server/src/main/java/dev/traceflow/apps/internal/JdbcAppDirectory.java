package dev.traceflow.apps.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.traceflow.apps.App;
import dev.traceflow.apps.AppDirectory;
import dev.traceflow.apps.IngestKeys;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** Apps and keys in the metadata database (H2 or PostgreSQL), with key look-ups cached. */
@Component
class JdbcAppDirectory implements AppDirectory {

    private static final Pattern APP_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    /** key hash -> app id (empty for unknown keys, so a flood of bad keys does not reach the database) */
    private final Cache<String, Optional<String>> keyCache = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(Duration.ofSeconds(KEY_CACHE_SECONDS))
            .build();
    private final Cache<String, Optional<App>> appCache = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(Duration.ofSeconds(KEY_CACHE_SECONDS))
            .build();
    private volatile CachedOrigins origins;

    JdbcAppDirectory(JdbcClient jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    @Override
    public Optional<App> appForKey(String presentedKey) {
        if (presentedKey == null || presentedKey.isEmpty() || presentedKey.length() > 200) {
            return Optional.empty();
        }
        String hash = IngestKeys.hash(presentedKey);
        Optional<String> appId = keyCache.get(hash, h -> jdbc.sql(
                        "SELECT app_id FROM ingest_keys WHERE key_hash = ? AND revoked_at IS NULL")
                .param(h).query(String.class).optional());
        return appId.flatMap(this::find);
    }

    @Override
    public Optional<App> find(String appId) {
        return appCache.get(appId, id -> jdbc.sql("SELECT id, name, retention_days, created_at FROM apps WHERE id = ?")
                .param(id).query(this::appRow).optional());
    }

    @Override
    public List<App> all() {
        return jdbc.sql("SELECT id, name, retention_days, created_at FROM apps ORDER BY id").query(this::appRow).list();
    }

    private App appRow(ResultSet rs, int row) throws SQLException {
        String id = rs.getString("id");
        Set<String> allowed = new LinkedHashSet<>(jdbc.sql(
                "SELECT origin FROM app_allowed_origins WHERE app_id = ? ORDER BY origin").param(id).query(String.class).list());
        return new App(id, rs.getString("name"), rs.getInt("retention_days"), Set.copyOf(allowed),
                rs.getObject("created_at", OffsetDateTime.class).toInstant());
    }

    @Override
    public App create(String appId, String name, int retentionDays, Set<String> allowedOrigins) {
        if (appId == null || !APP_ID.matcher(appId).matches()) {
            throw new IllegalArgumentException("app id must be 1-64 of a-z, 0-9, '-' and '_', starting with a letter or digit");
        }
        if (retentionDays < 1 || retentionDays > 3650) {
            throw new IllegalArgumentException("retention days must be between 1 and 3650");
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        try {
            tx.executeWithoutResult(status -> {
                jdbc.sql("INSERT INTO apps (id, name, retention_days, created_at) VALUES (?, ?, ?, ?)")
                        .params(appId, name, retentionDays, now).update();
                for (String origin : allowedOrigins) {
                    jdbc.sql("INSERT INTO app_allowed_origins (app_id, origin) VALUES (?, ?)").params(appId, origin).update();
                }
            });
        } catch (DuplicateKeyException e) {
            throw new IllegalArgumentException("app '" + appId + "' already exists");
        }
        appCache.invalidate(appId);
        origins = null;
        return find(appId).orElseThrow();
    }

    @Override
    public String addKey(String appId, String key) {
        String id = UUID.randomUUID().toString();
        jdbc.sql("INSERT INTO ingest_keys (id, app_id, key_hash, key_prefix, created_at) VALUES (?, ?, ?, ?, ?)")
                .params(id, appId, IngestKeys.hash(key), IngestKeys.displayPrefix(key), OffsetDateTime.now(ZoneOffset.UTC))
                .update();
        keyCache.invalidate(IngestKeys.hash(key));
        return id;
    }

    @Override
    public boolean revokeKey(String presentedKey) {
        String hash = IngestKeys.hash(presentedKey);
        int updated = jdbc.sql("UPDATE ingest_keys SET revoked_at = ? WHERE key_hash = ? AND revoked_at IS NULL")
                .params(OffsetDateTime.now(ZoneOffset.UTC), hash).update();
        keyCache.invalidate(hash);
        return updated > 0;
    }

    @Override
    public boolean anyAppAllowsOrigin(String origin) {
        CachedOrigins cached = origins;
        if (cached == null || cached.loadedAt.isBefore(Instant.now().minusSeconds(KEY_CACHE_SECONDS))) {
            cached = new CachedOrigins(Set.copyOf(new ArrayList<>(
                    jdbc.sql("SELECT DISTINCT origin FROM app_allowed_origins").query(String.class).list())), Instant.now());
            origins = cached;
        }
        return cached.origins.contains("*") || cached.origins.contains(origin);
    }

    private record CachedOrigins(Set<String> origins, Instant loadedAt) {
    }
}
