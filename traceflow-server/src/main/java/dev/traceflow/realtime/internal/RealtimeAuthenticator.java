package dev.traceflow.realtime.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.traceflow.TraceFlowProperties;
import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppRole;
import dev.traceflow.apps.App;
import dev.traceflow.apps.AppDirectory;
import dev.traceflow.auth.BearerVerifier;
import dev.traceflow.auth.BearerVerifier.BearerRefused;
import dev.traceflow.auth.BearerVerifier.VerifiedBearer;
import dev.traceflow.http.ApiException;
import dev.traceflow.realtime.internal.broker.AuthRefused;
import dev.traceflow.realtime.internal.broker.ConnectionAuth;
import dev.traceflow.realtime.internal.broker.ErrorCode;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Who may open a realtime connection to which app, and what it may do there, for every transport.
 * <p>
 * A connection presents one credential: a user's access token or API token (with {@code app}, the
 * app it connects to, which the user needs a role on), an app's public browser key ({@code trb_...},
 * anonymous: what the topic rules grant {@code anonymous}), or an app's server key ({@code trs_...},
 * a backend: every topic). A page's {@code Origin} must be one the app allows (or, for a user's token,
 * one the read API allows: the dashboard); clients that send none (backends, apps) are not asked.
 * <p>
 * Open connections are checked again every few seconds ({@link ConnectionAuth#recheck()}); the
 * answers are shared for half that interval between connections of the same user and app or the
 * same key, so ten thousand connections do not cost ten thousand queries a round.
 */
@Component
public class RealtimeAuthenticator {

    /** What a handshake admitted: the app, the access, and who to count against the per-user limit (null: anonymous). */
    public record Admission(String appId, ConnectionAuth auth, String userKey) {
    }

    private final BearerVerifier bearers;
    private final AppAccess access;
    private final AppDirectory apps;
    private final JdbcRealtimeKeys keys;
    private final JdbcTopicRules rules;
    private final Set<String> dashboardOrigins;
    private final Cache<String, Object> rechecks;

    RealtimeAuthenticator(BearerVerifier bearers, AppAccess access, AppDirectory apps, JdbcRealtimeKeys keys, JdbcTopicRules rules,
                          TraceFlowProperties properties) {
        this.bearers = bearers;
        this.access = access;
        this.apps = apps;
        this.keys = keys;
        this.rules = rules;
        this.dashboardOrigins = Set.copyOf(properties.auth().corsAllowedOrigins().stream().map(String::strip).toList());
        Duration shared = properties.realtime().recheckInterval().dividedBy(2);
        this.rechecks = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(shared).build();
    }

    /**
     * @param credential the token or key as presented (null when none was)
     * @param appId      the app asked for ({@code ?app=}); a key's own app when absent
     * @param origin     the page's {@code Origin}, null for clients that send none
     * @throws ApiException 401 without a valid credential ({@code TOKEN_EXPIRED} for an expired access token),
     *                      400 without an app for a user's token, 404 for an app that does not exist or that the user
     *                      has no role on, 403 {@code ORIGIN_NOT_ALLOWED}
     */
    public Admission admit(String credential, String appId, String origin) {
        return admit(credential, appId, origin, null);
    }

    /**
     * As {@link #admit(String, String, String)}, where a user's token from a page of this server itself
     * ({@code origin} equal to {@code ownOrigin}: the web dashboard, which reads the live metrics) is
     * let in whatever the app's {@code allowedOrigins} say, as the dashboard's API calls are.
     *
     * @param ownOrigin the scheme, host and port the handshake came to, null when unknown
     */
    public Admission admit(String credential, String appId, String origin, String ownOrigin) {
        if (credential == null || credential.isBlank()) {
            throw ApiException.unauthorized("A credential is required: a user's access or API token as Authorization: Bearer "
                    + "or ?token=, or the app's browser key (trb_...)");
        }
        if (JdbcRealtimeKeys.Kind.ofKey(credential).isPresent()) {
            return admitKey(credential, appId, origin);
        }
        if (credential.startsWith("tfk_")) {
            throw ApiException.unauthorized("An ingest key does not open realtime: use the app's browser key (trb_...) "
                    + "or a user's token");
        }
        VerifiedBearer bearer;
        try {
            bearer = bearers.verify(credential);
        } catch (BearerRefused e) {
            throw e.expired() ? new ApiException(HttpStatus.UNAUTHORIZED, "TOKEN_EXPIRED", "The access token has expired: "
                    + "get a new one from POST /auth/refresh") : ApiException.unauthorized("The token is not valid: " + e.getMessage());
        }
        if (appId == null || appId.isBlank()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "MISSING_PARAMETER", "app is required: the app whose topics to use (?app=...)");
        }
        AppRole role = access.roleOf(bearer.caller(), appId).orElseThrow(() -> ApiException.noSuchApp(appId));
        App app = apps.find(appId).orElseThrow(() -> ApiException.noSuchApp(appId));
        checkOrigin(app, origin, true, ownOrigin);
        return new Admission(appId, new UserAccess(bearer, appId, TopicAccess.of(role)), bearer.caller().userId());
    }

    private Admission admitKey(String key, String appId, String origin) {
        JdbcRealtimeKeys.KeyOwner owner = keys.owner(key)
                .orElseThrow(() -> ApiException.unauthorized("The realtime key is unknown or revoked"));
        if (appId != null && !appId.isBlank() && !appId.equals(owner.appId())) {
            throw ApiException.forbidden("FORBIDDEN", "This key belongs to another app than '" + ApiException.excerpt(appId) + "'");
        }
        App app = apps.find(owner.appId()).orElseThrow(() -> ApiException.unauthorized("The realtime key is unknown or revoked"));
        checkOrigin(app, origin, false, null);
        return new Admission(owner.appId(), new KeyAccess(owner), null);
    }

    private void checkOrigin(App app, String origin, boolean user, String ownOrigin) {
        if (origin == null || app.allowsOrigin(origin)
                || user && (origin.equals(ownOrigin) || dashboardOrigins.contains(origin) || dashboardOrigins.contains("*"))) {
            return;
        }
        throw ApiException.forbidden("ORIGIN_NOT_ALLOWED", "Pages from " + ApiException.excerpt(origin)
                + " may not connect to app " + app.id() + " (its allowedOrigins)");
    }

    /** The bearer header's token, else the {@code token} query parameter (browsers cannot set headers on a WebSocket). */
    public static String credential(String authorizationHeader, String tokenParameter) {
        if (authorizationHeader != null && authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorizationHeader.substring(7).strip();
            return token.isEmpty() ? null : token;
        }
        return tokenParameter == null || tokenParameter.isBlank() ? null : tokenParameter.strip();
    }

    // ---- open connections ----

    private sealed interface Recheck {
        /** The caller as of now and their level; never a credential (connections of one user share it, each keeps its own expiry). */
        record Ok(dev.traceflow.access.Caller caller, TopicAccess level) implements Recheck {
        }

        record Refused(ErrorCode code, String message) implements Recheck {
        }
    }

    private Recheck recheckUser(VerifiedBearer bearer, String appId) {
        String credential = bearer.caller().viaApiToken() ? "t" + bearer.caller().ceiling().tokenId() : "v" + bearer.tokenVersion();
        String key = "u|" + bearer.caller().userId() + "|" + credential + "|" + appId;
        return (Recheck) rechecks.get(key, k -> {
            Optional<VerifiedBearer> now = bearers.recheck(bearer);
            if (now.isEmpty()) {
                return new Recheck.Refused(ErrorCode.UNAUTHORIZED, "the token no longer counts: the account was disabled, "
                        + "its password or role changed, or the API token was revoked");
            }
            Optional<AppRole> role = apps.find(appId).isPresent() ? access.roleOf(now.get().caller(), appId) : Optional.empty();
            if (role.isEmpty()) {
                return new Recheck.Refused(ErrorCode.FORBIDDEN, "no role on app " + appId + " any more");
            }
            return new Recheck.Ok(now.get().caller(), TopicAccess.of(role.get()));
        });
    }

    private boolean keyActive(String keyId) {
        return (Boolean) rechecks.get("k|" + keyId, k -> keys.active(keyId));
    }

    /** A user's connection: their role on the app, the app's topic rules as they are now. */
    private final class UserAccess implements ConnectionAuth {

        private final VerifiedBearer bearer;
        private final String appId;
        private final TopicAccess level;

        UserAccess(VerifiedBearer bearer, String appId, TopicAccess level) {
            this.bearer = bearer;
            this.appId = appId;
            this.level = level;
        }

        @Override
        public Instant expiresAt() {
            return bearer.expiresAt();
        }

        @Override
        public Actor actor() {
            return new Actor(bearer.caller().userId(), bearer.caller().username(), null);
        }

        @Override
        public boolean maySubscribe(String topic) {
            return rules.of(appId).maySubscribe(level, topic);
        }

        @Override
        public boolean mayPublish(String topic) {
            return rules.of(appId).mayPublish(level, topic);
        }

        @Override
        public ConnectionAuth recheck() throws AuthRefused {
            return switch (recheckUser(bearer, appId)) {
                case Recheck.Ok ok -> new UserAccess(new VerifiedBearer(ok.caller(), bearer.expiresAt(), bearer.tokenVersion()),
                        appId, ok.level());
                case Recheck.Refused refused -> throw new AuthRefused(refused.code(), refused.message());
            };
        }

        @Override
        public ConnectionAuth renew(String token) throws AuthRefused {
            VerifiedBearer fresh;
            try {
                fresh = bearers.verify(token);
            } catch (BearerRefused e) {
                throw new AuthRefused(ErrorCode.UNAUTHORIZED, e.getMessage());
            }
            if (!fresh.caller().userId().equals(bearer.caller().userId())) {
                throw new AuthRefused(ErrorCode.UNAUTHORIZED, "the token is another user's: open a new connection for them");
            }
            Optional<AppRole> role = access.roleOf(fresh.caller(), appId);
            if (role.isEmpty()) {
                throw new AuthRefused(ErrorCode.UNAUTHORIZED, "the token has no role on app " + appId);
            }
            return new UserAccess(fresh, appId, TopicAccess.of(role.get()));
        }
    }

    /** A connection with an app's key: anonymous (browser key) or a backend (server key); keys do not expire. */
    private final class KeyAccess implements ConnectionAuth {

        private final JdbcRealtimeKeys.KeyOwner owner;

        KeyAccess(JdbcRealtimeKeys.KeyOwner owner) {
            this.owner = owner;
        }

        @Override
        public Instant expiresAt() {
            return null;
        }

        /** A server key is a backend, audited by its key's id; a browser key is anyone's page: anonymous. */
        @Override
        public Actor actor() {
            return owner.kind() == JdbcRealtimeKeys.Kind.SERVER ? new Actor(null, "server key " + owner.keyId(), owner.keyId()) : null;
        }

        @Override
        public boolean maySubscribe(String topic) {
            return rules.of(owner.appId()).maySubscribe(owner.kind().access, topic);
        }

        @Override
        public boolean mayPublish(String topic) {
            return rules.of(owner.appId()).mayPublish(owner.kind().access, topic);
        }

        @Override
        public ConnectionAuth recheck() throws AuthRefused {
            if (!keyActive(owner.keyId())) {
                throw new AuthRefused(ErrorCode.UNAUTHORIZED, "the realtime key was revoked");
            }
            return this;
        }

        @Override
        public ConnectionAuth renew(String token) throws AuthRefused {
            throw new AuthRefused(ErrorCode.UNAUTHORIZED, "a connection opened with a key has no token to renew");
        }
    }

    /** For HTTP publish: the app of a working server key. */
    Optional<String> appOfServerKey(String presented) {
        return keys.owner(presented).filter(o -> o.kind() == JdbcRealtimeKeys.Kind.SERVER).map(JdbcRealtimeKeys.KeyOwner::appId);
    }
}
