package dev.traceflow.apps.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.traceflow.apps.App;
import dev.traceflow.apps.AppDirectory;
import dev.traceflow.apps.IngestKey;
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
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** Apps and keys in the metadata database (H2 or PostgreSQL), with key look-ups cached. */
@Component
class JdbcAppDirectory implements AppDirectory {

    private static final String SELECT_APPS = "SELECT a.id, a.name, a.retention_days, a.ingest_rate_limit, a.created_at, "
            + "p.project_id AS sentry_project_id FROM apps a JOIN sentry_projects p ON p.app_id = a.id";
    private static final Pattern ORIGIN = Pattern.compile("[a-z][a-z0-9+.-]{0,15}://[A-Za-z0-9.\\[\\]:-]{1,200}");
    static final int MIN_INGEST_RATE_LIMIT = 100;
    static final int MAX_INGEST_RATE_LIMIT = 10_000_000;

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
    /** Sentry project number -> app id (empty for unknown numbers, as for keys). */
    private final Cache<Long, Optional<String>> sentryProjects = Caffeine.newBuilder()
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
                        "SELECT app_id FROM ingest_keys WHERE key_hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)")
                .params(h, OffsetDateTime.now(ZoneOffset.UTC)).query(String.class).optional());
        return appId.flatMap(this::find);
    }

    @Override
    public Optional<App> find(String appId) {
        return appCache.get(appId, id -> jdbc.sql(SELECT_APPS + " WHERE a.id = ?")
                .param(id).query(this::appRow).optional());
    }

    @Override
    public Optional<App> findBySentryProject(long sentryProjectId) {
        Optional<String> appId = sentryProjects.get(sentryProjectId, n -> jdbc.sql("SELECT app_id FROM sentry_projects WHERE project_id = ?")
                .param(n).query(String.class).optional());
        return appId.flatMap(this::find);
    }

    @Override
    public List<App> all() {
        // two queries, not one per app: the origins of every app at once
        Map<String, Set<String>> origins = new HashMap<>();
        jdbc.sql("SELECT app_id, origin FROM app_allowed_origins ORDER BY app_id, origin")
                .query(rs -> {
                    origins.computeIfAbsent(rs.getString(1), k -> new LinkedHashSet<>()).add(rs.getString(2));
                });
        return jdbc.sql(SELECT_APPS + " ORDER BY a.id")
                .query((rs, row) -> app(rs, origins.getOrDefault(rs.getString("id"), Set.of()))).list();
    }

    private App appRow(ResultSet rs, int row) throws SQLException {
        Set<String> allowed = new LinkedHashSet<>(jdbc.sql("SELECT origin FROM app_allowed_origins WHERE app_id = ? ORDER BY origin")
                .param(rs.getString("id")).query(String.class).list());
        return app(rs, allowed);
    }

    private static App app(ResultSet rs, Set<String> allowed) throws SQLException {
        return new App(rs.getString("id"), rs.getString("name"), rs.getInt("retention_days"), Set.copyOf(allowed),
                rs.getInt("ingest_rate_limit"), rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                rs.getLong("sentry_project_id"));
    }

    static void checkName(String name) {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new IllegalArgumentException("name must be 1-200 characters");
        }
    }

    static void checkRetention(int retentionDays) {
        if (retentionDays < 1 || retentionDays > 3650) {
            throw new IllegalArgumentException("retention days must be between 1 and 3650");
        }
    }

    /**
     * 0 (no limit) or at least {@value #MIN_INGEST_RATE_LIMIT} events per second: the bucket holds ten
     * seconds' worth, so even a full batch of 1000 events can pass.
     */
    static void checkIngestRateLimit(int eventsPerSecond) {
        if (eventsPerSecond != 0 && (eventsPerSecond < MIN_INGEST_RATE_LIMIT || eventsPerSecond > MAX_INGEST_RATE_LIMIT)) {
            throw new IllegalArgumentException("ingestRateLimit must be 0 (no limit) or " + MIN_INGEST_RATE_LIMIT + "-"
                    + MAX_INGEST_RATE_LIMIT + " events per second");
        }
    }

    /** '*' or an origin as browsers send it: scheme://host[:port], nothing after. */
    static void checkOrigins(Set<String> origins) {
        if (origins.size() > 50) {
            throw new IllegalArgumentException("at most 50 allowed origins");
        }
        for (String origin : origins) {
            if (origin == null || !(origin.equals("*") || ORIGIN.matcher(origin).matches())) {
                throw new IllegalArgumentException("allowed origin '" + (origin == null ? "null" : origin.length() > 60
                        ? origin.substring(0, 60) + "..." : origin) + "' is not '*' or scheme://host[:port]");
            }
        }
    }

    @Override
    public App create(String appId, String name, int retentionDays, Set<String> allowedOrigins, int ingestRateLimit) {
        if (!App.wellFormedId(appId)) {
            throw new IllegalArgumentException("app id must be 1-64 of a-z, 0-9, '-' and '_', starting with a letter or digit");
        }
        checkName(name);
        checkRetention(retentionDays);
        checkOrigins(allowedOrigins);
        checkIngestRateLimit(ingestRateLimit);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        try {
            tx.executeWithoutResult(status -> {
                jdbc.sql("INSERT INTO apps (id, name, retention_days, ingest_rate_limit, created_at) VALUES (?, ?, ?, ?, ?)")
                        .params(appId, name, retentionDays, ingestRateLimit, now).update();
                insertOrigins(appId, allowedOrigins);
                jdbc.sql("INSERT INTO sentry_projects (app_id) VALUES (?)").param(appId).update();
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
    public Optional<App> update(String appId, String name, Integer retentionDays, Set<String> allowedOrigins,
                                Integer ingestRateLimit) {
        if (name != null) {
            checkName(name);
        }
        if (retentionDays != null) {
            checkRetention(retentionDays);
        }
        if (allowedOrigins != null) {
            checkOrigins(allowedOrigins);
        }
        if (ingestRateLimit != null) {
            checkIngestRateLimit(ingestRateLimit);
        }
        Boolean found = tx.execute(status -> {
            if (jdbc.sql("SELECT count(*) FROM apps WHERE id = ?").param(appId).query(Long.class).single() == 0) {
                return false;
            }
            if (name != null) {
                jdbc.sql("UPDATE apps SET name = ? WHERE id = ?").params(name, appId).update();
            }
            if (retentionDays != null) {
                jdbc.sql("UPDATE apps SET retention_days = ? WHERE id = ?").params(retentionDays, appId).update();
            }
            if (ingestRateLimit != null) {
                jdbc.sql("UPDATE apps SET ingest_rate_limit = ? WHERE id = ?").params(ingestRateLimit, appId).update();
            }
            if (allowedOrigins != null) {
                jdbc.sql("DELETE FROM app_allowed_origins WHERE app_id = ?").param(appId).update();
                insertOrigins(appId, allowedOrigins);
            }
            return true;
        });
        appCache.invalidate(appId);
        origins = null;
        return Boolean.TRUE.equals(found) ? find(appId) : Optional.empty();
    }

    /** Within the caller's transaction. */
    private void insertOrigins(String appId, Set<String> allowedOrigins) {
        for (String origin : allowedOrigins) {
            jdbc.sql("INSERT INTO app_allowed_origins (app_id, origin) VALUES (?, ?)").params(appId, origin).update();
        }
    }

    @Override
    public boolean delete(String appId) {
        List<String> hashes = jdbc.sql("SELECT key_hash FROM ingest_keys WHERE app_id = ?").param(appId).query(String.class).list();
        boolean deleted = jdbc.sql("DELETE FROM apps WHERE id = ?").param(appId).update() > 0; // keys, origins, members cascade
        jdbc.sql("DELETE FROM ingest_outcomes WHERE app_id = ?").param(appId).update(); // a new app of that id starts clean
        hashes.forEach(keyCache::invalidate);
        appCache.invalidate(appId);
        sentryProjects.invalidateAll(); // rare, and the numbers of a deleted app must stop answering at once
        origins = null;
        return deleted;
    }

    @Override
    public List<IngestKey> keys(String appId) {
        return jdbc.sql("SELECT id, app_id, key_prefix, created_at, revoked_at, expires_at FROM ingest_keys WHERE app_id = ? "
                        + "ORDER BY created_at DESC, id")
                .param(appId)
                .query((rs, n) -> new IngestKey(rs.getString("id"), rs.getString("app_id"), rs.getString("key_prefix"),
                        instant(rs, "created_at"), instant(rs, "revoked_at"), instant(rs, "expires_at")))
                .list();
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    @Override
    public boolean revokeKey(String appId, String keyId) {
        Optional<String> hash = activeKeyHash(appId, keyId);
        if (hash.isEmpty()) {
            return false;
        }
        jdbc.sql("UPDATE ingest_keys SET revoked_at = ? WHERE id = ?").params(OffsetDateTime.now(ZoneOffset.UTC), keyId).update();
        keyCache.invalidate(hash.get());
        return true;
    }

    @Override
    public boolean expireKey(String appId, String keyId, Instant expiresAt) {
        Optional<String> hash = activeKeyHash(appId, keyId);
        if (hash.isEmpty()) {
            return false;
        }
        jdbc.sql("UPDATE ingest_keys SET expires_at = ? WHERE id = ?").params(OffsetDateTime.ofInstant(expiresAt, ZoneOffset.UTC), keyId)
                .update();
        keyCache.invalidate(hash.get());
        return true;
    }

    private Optional<String> activeKeyHash(String appId, String keyId) {
        return jdbc.sql("SELECT key_hash FROM ingest_keys WHERE id = ? AND app_id = ? AND revoked_at IS NULL "
                        + "AND (expires_at IS NULL OR expires_at > ?)")
                .params(keyId, appId, OffsetDateTime.now(ZoneOffset.UTC)).query(String.class).optional();
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
