package dev.traceflow.realtime.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.traceflow.auth.SecretTokens;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * An app's realtime keys: {@code trs_...} server keys (secret: a backend publishes with one) and
 * {@code trb_...} browser keys (public: a page connects without a login, with what the topic
 * rules grant anonymous clients), 256 random bits each, stored only as their SHA-256
 * ({@link SecretTokens}). Look-ups are cached for {@link #CACHE}: a revoked key stops working at
 * once on this instance, within that on the others (open connections are checked as often).
 */
@Component
class JdbcRealtimeKeys {

    static final Duration CACHE = Duration.ofSeconds(5);
    static final int MAX_ACTIVE_KEYS_PER_APP = 20;

    /** What a key lets its holder do. */
    enum Kind {
        SERVER("trs_", TopicAccess.SERVER), BROWSER("trb_", TopicAccess.ANONYMOUS);

        final String prefix;
        final TopicAccess access;

        Kind(String prefix, TopicAccess access) {
            this.prefix = prefix;
            this.access = access;
        }

        String wireName() {
            return name().toLowerCase();
        }

        static Optional<Kind> parse(String value) {
            for (Kind k : values()) {
                if (k.wireName().equals(value)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }

        static Optional<Kind> ofKey(String presented) {
            for (Kind k : values()) {
                if (presented != null && presented.startsWith(k.prefix)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }

    /** A key as listed: never the key. @param revokedAt null while it works */
    record KeyView(String id, String appId, String kind, String prefix, Instant createdAt, Instant revokedAt) {
    }

    /** The app and kind of a working key. */
    record KeyOwner(String keyId, String appId, Kind kind) {
    }

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Cache<String, Optional<KeyOwner>> byHash = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(CACHE).build();

    JdbcRealtimeKeys(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** @return the key (shown this once) and its listing */
    Created create(String appId, Kind kind) {
        String key = SecretTokens.generate(kind.prefix);
        String id = UUID.randomUUID().toString();
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        String prefix = key.substring(0, 10);
        jdbc.sql("INSERT INTO realtime_keys (id, app_id, kind, key_hash, key_prefix, created_at) VALUES (?, ?, ?, ?, ?, ?)")
                .params(id, appId, kind.wireName(), SecretTokens.hash(key), prefix, now).update();
        return new Created(new KeyView(id, appId, kind.wireName(), prefix, now.toInstant(), null), key);
    }

    record Created(KeyView view, String key) {
    }

    int activeCount(String appId) {
        return jdbc.sql("SELECT count(*) FROM realtime_keys WHERE app_id = ? AND revoked_at IS NULL").param(appId)
                .query(Integer.class).single();
    }

    /** The app's keys, newest first, revoked ones included. */
    List<KeyView> of(String appId) {
        return jdbc.sql("SELECT id, app_id, kind, key_prefix, created_at, revoked_at FROM realtime_keys WHERE app_id = ? "
                        + "ORDER BY created_at DESC, id")
                .param(appId).query(JdbcRealtimeKeys::view).list();
    }

    /** Revokes a working key of the app; false when there is none of that id. */
    boolean revoke(String appId, String keyId) {
        boolean revoked = jdbc.sql("UPDATE realtime_keys SET revoked_at = ? WHERE app_id = ? AND id = ? AND revoked_at IS NULL")
                .params(OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC), appId, keyId).update() > 0;
        byHash.invalidateAll(); // the cache is keyed by hash, which the id does not give: drop it all (revoking is rare)
        return revoked;
    }

    /** Who a presented key belongs to, when it is a working realtime key. */
    Optional<KeyOwner> owner(String presented) {
        if (presented == null || presented.length() > 100 || Kind.ofKey(presented).isEmpty()) {
            return Optional.empty();
        }
        return byHash.get(SecretTokens.hash(presented), hash -> jdbc.sql(
                        "SELECT id, app_id, kind FROM realtime_keys WHERE key_hash = ? AND revoked_at IS NULL")
                .param(hash)
                .query((rs, n) -> new KeyOwner(rs.getString("id"), rs.getString("app_id"), Kind.parse(rs.getString("kind")).orElseThrow()))
                .optional());
    }

    /** Whether the key of this id still works (for open connections' rechecks). */
    boolean active(String keyId) {
        return jdbc.sql("SELECT count(*) FROM realtime_keys WHERE id = ? AND revoked_at IS NULL").param(keyId)
                .query(Integer.class).single() > 0;
    }

    private static KeyView view(ResultSet rs, int row) throws SQLException {
        OffsetDateTime revoked = rs.getObject("revoked_at", OffsetDateTime.class);
        return new KeyView(rs.getString("id"), rs.getString("app_id"), rs.getString("kind"), rs.getString("key_prefix"),
                rs.getObject("created_at", OffsetDateTime.class).toInstant(), revoked == null ? null : revoked.toInstant());
    }
}
