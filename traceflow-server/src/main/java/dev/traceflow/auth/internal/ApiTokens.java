package dev.traceflow.auth.internal;

import dev.traceflow.access.AppRole;
import dev.traceflow.access.Caller;
import dev.traceflow.access.TokenCeiling;
import dev.traceflow.auth.SecretTokens;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Long-lived API tokens for scripts and CI: {@code tft_} + 256 random bits, stored as their SHA-256
 * ({@link SecretTokens}), each limited to roles its user chose (a {@link TokenCeiling}).
 * <p>
 * As an {@link AuthenticationProvider} it turns {@code Authorization: Bearer tft_...} into the same
 * {@link Caller} a login gives, with the ceiling attached. The token row and its user are read on
 * every request (one indexed look-up, no cache): revoking, disabling or deleting the user, or
 * an expiry takes effect on the very next request. The last use is written at most once a
 * {@link #LAST_USE_RESOLUTION} per token, by a conditional UPDATE that also settles races between
 * instances, rather than one write per request.
 */
@Component
class ApiTokens implements AuthenticationProvider {

    static final String PREFIX = "tft_";
    static final Duration LAST_USE_RESOLUTION = Duration.ofMinutes(1);
    private static final int MAX_TOKEN_CHARS = 100;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<TreeMap<String, String>> APPS = new TypeReference<>() {
    };

    private final JdbcClient jdbc;
    private final Clock clock;

    ApiTokens(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    static boolean looksLikeApiToken(String bearer) {
        return bearer != null && bearer.startsWith(PREFIX);
    }

    /** A token as listed: never the secret. @param lastUsedAt null until first used (to the minute) */
    record TokenView(String id, String name, String prefix, boolean admin, Map<String, String> apps,
                     Instant createdAt, Instant expiresAt, Instant lastUsedAt) {
    }

    /** A token just created: the only time its secret is shown. */
    record Created(TokenView view, String token) {
    }

    Created create(String userId, String name, boolean admin, Map<String, AppRole> apps, Duration lifetime) {
        String token = SecretTokens.generate(PREFIX);
        String id = UUID.randomUUID().toString();
        OffsetDateTime now = now();
        OffsetDateTime expires = now.plus(lifetime);
        Map<String, String> wire = new TreeMap<>();
        apps.forEach((app, role) -> wire.put(app, role.wireName()));
        String prefix = token.substring(0, 12);
        jdbc.sql("INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, admin, apps, created_at, expires_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(id, userId, name, SecretTokens.hash(token), prefix, admin, JSON.writeValueAsString(wire), now, expires)
                .update();
        return new Created(new TokenView(id, name, prefix, admin, wire, now.toInstant(), expires.toInstant(), null), token);
    }

    int countOf(String userId) {
        return jdbc.sql("SELECT count(*) FROM api_tokens WHERE user_id = ?").param(userId).query(Integer.class).single();
    }

    /** The user's tokens, newest first, expired ones included (until revoked) so they can be seen and cleaned up. */
    List<TokenView> of(String userId) {
        return jdbc.sql("SELECT id, name, prefix, admin, apps, created_at, expires_at, last_used_at FROM api_tokens "
                        + "WHERE user_id = ? ORDER BY created_at DESC, id")
                .param(userId).query(ApiTokens::view).list();
    }

    Optional<TokenView> find(String userId, String id) {
        return jdbc.sql("SELECT id, name, prefix, admin, apps, created_at, expires_at, last_used_at FROM api_tokens "
                        + "WHERE user_id = ? AND id = ?")
                .params(userId, id).query(ApiTokens::view).optional();
    }

    boolean revoke(String userId, String id) {
        return jdbc.sql("DELETE FROM api_tokens WHERE user_id = ? AND id = ?").params(userId, id).update() > 0;
    }

    private static TokenView view(ResultSet rs, int row) throws SQLException {
        OffsetDateTime lastUsed = rs.getObject("last_used_at", OffsetDateTime.class);
        return new TokenView(rs.getString("id"), rs.getString("name"), rs.getString("prefix"), rs.getBoolean("admin"),
                JSON.readValue(rs.getString("apps"), APPS), rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                rs.getObject("expires_at", OffsetDateTime.class).toInstant(), lastUsed == null ? null : lastUsed.toInstant());
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return BearerTokenAuthenticationToken.class.isAssignableFrom(authentication);
    }

    /** @throws Refused for a token that is unknown, revoked, expired, or whose user is disabled or gone */
    @Override
    public Authentication authenticate(Authentication authentication) {
        Verified verified = verify(((BearerTokenAuthenticationToken) authentication).getToken()).orElseThrow(Refused::new);
        Caller caller = verified.caller();
        return new CallerAuthentication.Token(caller, caller.admin() ? List.of(new SimpleGrantedAuthority("ROLE_ADMIN")) : List.of());
    }

    /** A token that works now: its caller (with the ceiling attached) and when it expires. */
    record Verified(Caller caller, Instant expiresAt) {
    }

    /** The caller of a presented token; empty when it is unknown, revoked, expired, or its user is disabled or gone. */
    Optional<Verified> verify(String presented) {
        if (!looksLikeApiToken(presented) || presented.length() > MAX_TOKEN_CHARS) {
            return Optional.empty();
        }
        Optional<Row> row = workingToken("t.token_hash = ?", SecretTokens.hash(presented));
        OffsetDateTime now = now();
        row.filter(r -> r.lastUsedAt() == null || r.lastUsedAt().isBefore(now.minus(LAST_USE_RESOLUTION)))
                .ifPresent(r -> jdbc.sql("UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)")
                        .params(now, r.id(), now.minus(LAST_USE_RESOLUTION)).update());
        return row.map(ApiTokens::verified);
    }

    /** The same check by the token's id, for a credential verified earlier (the secret is not kept). */
    Optional<Verified> recheck(String tokenId) {
        return workingToken("t.id = ?", tokenId).map(ApiTokens::verified);
    }

    /** The token's row when it works now. */
    private Optional<Row> workingToken(String condition, String value) {
        Optional<Row> found = jdbc.sql("""
                        SELECT t.id, t.name, t.user_id, t.admin, t.apps, t.expires_at, t.last_used_at,
                               u.username, u.admin AS user_admin, u.enabled
                        FROM api_tokens t JOIN users u ON u.id = t.user_id
                        WHERE\s""" + condition)
                .param(value)
                .query((rs, n) -> new Row(rs.getString("id"), rs.getString("name"), rs.getString("user_id"), rs.getBoolean("admin"),
                        rs.getString("apps"), rs.getObject("expires_at", OffsetDateTime.class),
                        rs.getObject("last_used_at", OffsetDateTime.class), rs.getString("username"),
                        rs.getBoolean("user_admin"), rs.getBoolean("enabled")))
                .optional();
        OffsetDateTime now = now();
        return found.filter(row -> row.enabled() && row.expiresAt().isAfter(now));
    }

    private static Verified verified(Row row) {
        Map<String, AppRole> apps = new LinkedHashMap<>();
        JSON.readValue(row.apps(), APPS).forEach((app, role) -> AppRole.parse(role).ifPresent(r -> apps.put(app, r)));
        boolean admin = row.admin() && row.userAdmin();
        Caller caller = new Caller(row.userId(), row.username(), admin, new TokenCeiling(row.id(), row.name(), row.userAdmin(), apps));
        return new Verified(caller, row.expiresAt().toInstant());
    }

    private record Row(String id, String name, String userId, boolean admin, String apps, OffsetDateTime expiresAt,
                       OffsetDateTime lastUsedAt, String username, boolean userAdmin, boolean enabled) {
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    /** An API token that was presented but is worth nothing (the entry point words the 401 for API tokens). */
    static final class Refused extends InvalidBearerTokenException {
        Refused() {
            super("API token unknown, revoked or expired, or its user is disabled");
        }
    }
}
