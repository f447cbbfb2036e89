package dev.traceflow.privacy;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * Each app's privacy rules (opted-out people, whether privacy signals are honoured), read on every
 * ingest request from a cache. A change made through this instance applies to its next request; other
 * instances sharing the database see it within {@link #REFRESH} (the cache's lifetime).
 */
@Component
class PrivacyRules {

    static final Duration REFRESH = Duration.ofSeconds(30);

    /** Who opted out (hashes) and whether privacy signals are honoured. */
    record AppRules(Set<String> optedOut, boolean honorPrivacySignals) {
    }

    /** How a person is identified in an opt-out. */
    enum IdKind {
        USER_ID("userId"), ANONYMOUS_ID("anonymousId");

        final String wireName;

        IdKind(String wireName) {
            this.wireName = wireName;
        }
    }

    private final JdbcClient jdbc;
    private final LoadingCache<String, AppRules> cache;

    PrivacyRules(JdbcClient jdbc) {
        this.jdbc = jdbc;
        this.cache = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(REFRESH).build(this::load);
    }

    AppRules of(String appId) {
        return cache.get(appId);
    }

    private AppRules load(String appId) {
        Set<String> hashes = new HashSet<>(jdbc.sql("SELECT id_hash FROM opt_outs WHERE app_id = ?").param(appId)
                .query(String.class).list());
        boolean honor = jdbc.sql("SELECT honor_privacy_signals FROM app_privacy WHERE app_id = ?").param(appId)
                .query(Boolean.class).optional().orElse(false);
        return new AppRules(Set.copyOf(hashes), honor);
    }

    /**
     * Records an opt-out (idempotent: a repeated one keeps its first row).
     *
     * @return false when the person had opted out already
     */
    boolean addOptOut(String appId, IdKind kind, String id, Instant at) {
        String hash = hash(kind, id);
        int inserted = jdbc.sql("""
                        INSERT INTO opt_outs (app_id, id_hash, id_kind, created_at, deleted_events)
                        SELECT ?, ?, ?, ?, 0 WHERE NOT EXISTS (SELECT 1 FROM opt_outs WHERE app_id = ? AND id_hash = ?)
                        """)
                .params(appId, hash, kind.wireName, OffsetDateTime.ofInstant(at, ZoneOffset.UTC), appId, hash).update();
        cache.invalidate(appId);
        return inserted == 1;
    }

    void recordDeleted(String appId, IdKind kind, String id, long deleted) {
        jdbc.sql("UPDATE opt_outs SET deleted_events = deleted_events + ? WHERE app_id = ? AND id_hash = ?")
                .params(deleted, appId, hash(kind, id)).update();
    }

    long optOutCount(String appId) {
        return jdbc.sql("SELECT count(*) FROM opt_outs WHERE app_id = ?").param(appId).query(Long.class).single();
    }

    void setHonorPrivacySignals(String appId, boolean honor) {
        int updated = jdbc.sql("UPDATE app_privacy SET honor_privacy_signals = ? WHERE app_id = ?").params(honor, appId).update();
        if (updated == 0) {
            jdbc.sql("INSERT INTO app_privacy (app_id, honor_privacy_signals) VALUES (?, ?)").params(appId, honor).update();
        }
        cache.invalidate(appId);
    }

    /** The stored form of an id: SHA-256 of {@code <kind>:<id>}, hex. */
    static String hash(IdKind kind, String id) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((kind.wireName + ":" + id).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
