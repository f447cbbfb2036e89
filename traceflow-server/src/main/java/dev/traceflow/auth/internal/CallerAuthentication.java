package dev.traceflow.auth.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.traceflow.access.Caller;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Turns a verified access token into the request's {@link Caller}. The token must carry the
 * user's current token version: a password change, a role change, disabling or deleting the user
 * ends their access tokens at once on this instance, within {@link #STATUS_CACHE} elsewhere.
 */
@Component
class CallerAuthentication implements Converter<Jwt, AbstractAuthenticationToken> {

    static final Duration STATUS_CACHE = Duration.ofSeconds(5);

    private final JdbcUsers users;
    /** user id -> token version, empty when gone or disabled */
    private final Cache<String, Optional<Integer>> versions = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(STATUS_CACHE).build();

    CallerAuthentication(JdbcUsers users) {
        this.users = users;
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        String userId = jwt.getSubject();
        Object version = jwt.getClaims().get(AccessTokens.TOKEN_VERSION);
        Optional<Integer> current = versions.get(userId, users::tokenVersion);
        if (!(version instanceof Number n) || current.isEmpty() || current.get() != n.intValue()) {
            throw new InvalidBearerTokenException("token no longer valid");
        }
        boolean admin = isAdmin(jwt.getClaims().get(AccessTokens.ROLES));
        Object username = jwt.getClaims().get(AccessTokens.USERNAME);
        return new Token(new Caller(userId, username == null ? null : username.toString(), admin),
                admin ? List.of(new SimpleGrantedAuthority("ROLE_ADMIN")) : List.of());
    }

    /**
     * Whether the {@code roles} claim names admin. The claims are read as they are, not through
     * {@code getClaimAsStringList} and {@code getClaimAsString}, whose conversion service (generic type
     * resolution on every call) showed in every request's profile; {@link AccessTokens} accepts only a
     * list there, whose elements it converted to strings with {@code toString}, as this compares them.
     */
    static boolean isAdmin(Object roles) {
        if (roles instanceof Collection<?> list) {
            for (Object role : list) {
                if (role != null && "admin".equals(role.toString())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the user is enabled and their access tokens of this version still count (cached like every request's check). */
    boolean currentVersion(String userId, int version) {
        Optional<Integer> current = versions.get(userId, users::tokenVersion);
        return current.isPresent() && current.get() == version;
    }

    /** Drop the cached status after a change on this instance, so it takes effect at once. */
    void forget(String userId) {
        versions.invalidate(userId);
    }

    static final class Token extends AbstractAuthenticationToken {

        private final Caller caller;

        Token(Caller caller, List<SimpleGrantedAuthority> authorities) {
            super(authorities);
            this.caller = caller;
            setAuthenticated(true);
        }

        @Override
        public Object getCredentials() {
            return "";
        }

        @Override
        public Object getPrincipal() {
            return caller;
        }

        @Override
        public String getName() {
            return caller.username();
        }
    }
}
