package dev.traceflow.auth.internal;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.auth.SecretTokens;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

/**
 * Opaque refresh tokens (256 random bits, stored as SHA-256), rotated on every use. Each login
 * starts a family; presenting a token that was already rotated means it was copied, so the whole
 * family is revoked (RFC 9700 section 4.14.2) and the caller must log in again. A token expires
 * after the idle window ({@code refreshTokenTtl}) and never later than the family's absolute
 * lifetime ({@code refreshTokenMaxLifetime}) from its login: a stolen token kept fresh by use
 * still ends.
 */
@Component
class RefreshTokens {

    static final String PREFIX = "tfr_";

    private final JdbcClient jdbc;
    private final TraceFlowProperties.Auth settings;
    private final Clock clock;

    RefreshTokens(JdbcClient jdbc, TraceFlowProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.settings = properties.auth();
        this.clock = clock;
    }

    /** What presenting a token led to. */
    sealed interface Outcome {
    }

    /** Rotated: {@code token} replaces the presented one. */
    record Rotated(String userId, String token) implements Outcome {
    }

    /** The token was already rotated: its family is now revoked. */
    record Reused(String userId, String familyId) implements Outcome {
    }

    /** Unknown, expired or revoked (not by rotation). */
    record Invalid() implements Outcome {
    }

    /** Starts a new family for a login; returns the token to hand out. */
    String start(String userId) {
        return insert(userId, UUID.randomUUID().toString(), UUID.randomUUID().toString(), newToken(), now());
    }

    /** Must run in a transaction: the conditional UPDATE decides races between two uses of one token. */
    Outcome rotate(String presented) {
        Optional<Row> found = find(presented);
        if (found.isEmpty()) {
            return new Invalid();
        }
        Row row = found.get();
        OffsetDateTime now = now();
        if (row.replacedBy() != null) {
            revokeFamily(row.familyId());
            return new Reused(row.userId(), row.familyId());
        }
        if (row.revoked() || !row.expiresAt().isAfter(now)) {
            return new Invalid();
        }
        String token = newToken();
        String newId = UUID.randomUUID().toString();
        int claimed = jdbc.sql("UPDATE refresh_tokens SET revoked_at = ?, replaced_by = ? WHERE id = ? AND revoked_at IS NULL")
                .params(now, newId, row.id()).update();
        if (claimed == 0) { // rotated by a concurrent request a moment ago: the same token used twice
            revokeFamily(row.familyId());
            return new Reused(row.userId(), row.familyId());
        }
        OffsetDateTime loggedIn = jdbc.sql("SELECT min(created_at) FROM refresh_tokens WHERE family_id = ?")
                .param(row.familyId()).query(OffsetDateTime.class).single();
        insert(row.userId(), row.familyId(), newId, token, loggedIn);
        return new Rotated(row.userId(), token);
    }

    /** Revokes the family of the presented token (logout); the user id when the token was known. */
    Optional<String> revokeFamilyOf(String presented) {
        return find(presented).map(row -> {
            revokeFamily(row.familyId());
            return row.userId();
        });
    }

    /** Every refresh token of the user (password change, disable). */
    int revokeAllOf(String userId) {
        return jdbc.sql("UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL")
                .params(now(), userId).update();
    }

    private void revokeFamily(String familyId) {
        jdbc.sql("UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL")
                .params(now(), familyId).update();
    }

    private record Row(String id, String familyId, String userId, OffsetDateTime expiresAt, boolean revoked, String replacedBy) {
    }

    private Optional<Row> find(String presented) {
        if (presented == null || !presented.startsWith(PREFIX) || presented.length() > 100) {
            return Optional.empty();
        }
        return jdbc.sql("SELECT id, family_id, user_id, expires_at, revoked_at, replaced_by FROM refresh_tokens WHERE token_hash = ?")
                .param(SecretTokens.hash(presented))
                .query((rs, n) -> new Row(rs.getString("id"), rs.getString("family_id"), rs.getString("user_id"),
                        rs.getObject("expires_at", OffsetDateTime.class), rs.getObject("revoked_at") != null,
                        rs.getString("replaced_by")))
                .optional();
    }

    /** @param loggedIn when the family's login was: no token of it lives past that plus the absolute lifetime */
    private String insert(String userId, String familyId, String id, String token, OffsetDateTime loggedIn) {
        OffsetDateTime now = now();
        OffsetDateTime idle = now.plus(settings.refreshTokenTtl());
        OffsetDateTime absolute = loggedIn.plus(settings.refreshTokenMaxLifetime());
        jdbc.sql("INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)")
                .params(id, familyId, userId, SecretTokens.hash(token), now, idle.isBefore(absolute) ? idle : absolute).update();
        return token;
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    private static String newToken() {
        return SecretTokens.generate(PREFIX);
    }
}
