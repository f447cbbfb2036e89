package dev.traceflow.auth.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.traceflow.TraceFlowProperties;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.auth.User;
import dev.traceflow.http.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** {@code /auth/login}, {@code /auth/refresh}, {@code /auth/logout} (API.md "Auth and people"). */
@RestController
@Tag(name = "Auth")
class AuthController {

    /**
     * {@code __Host-}: browsers keep it only when set Secure, on path /, without a Domain, by this
     * very host, so a sibling subdomain cannot plant or overwrite it.
     */
    static final String REFRESH_COOKIE = "__Host-traceflow_refresh";
    /** The name before 0.3 (path /auth): still read, and cleared, for one release. */
    static final String OLD_REFRESH_COOKIE = "traceflow_refresh";
    static final String COOKIE_PATH = "/";

    private final JdbcUsers users;
    private final Passwords passwords;
    private final AccessTokens accessTokens;
    private final RefreshTokens refreshTokens;
    private final LoginThrottle throttle;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final Duration refreshTtl;
    private final List<String> allowedOrigins;
    /** throttle keys audited in the last minute: a flood of refused attempts leaves one row a minute, not one per request */
    private final Cache<String, Boolean> recentlyAuditedThrottles = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(1)).build();

    AuthController(JdbcUsers users, Passwords passwords, AccessTokens accessTokens, RefreshTokens refreshTokens,
                   LoginThrottle throttle, AuditLog audit, TransactionTemplate tx, TraceFlowProperties properties) {
        this.users = users;
        this.passwords = passwords;
        this.accessTokens = accessTokens;
        this.refreshTokens = refreshTokens;
        this.throttle = throttle;
        this.audit = audit;
        this.tx = tx;
        this.refreshTtl = properties.auth().refreshTokenTtl();
        this.allowedOrigins = properties.auth().corsAllowedOrigins();
    }

    /** @param refreshTokenInBody also return the refresh token in the body, for API clients that keep no cookies */
    record LoginRequest(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) String username, @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String password, Boolean refreshTokenInBody) {
    }

    record RefreshRequest(String refreshToken, Boolean refreshTokenInBody) {
    }

    record TokenResponse(String accessToken, String tokenType, long expiresIn, String refreshToken) {
    }

    @PostMapping("/auth/login")
    @Operation(summary = "Log in with username and password",
            description = "Answers `{accessToken, tokenType, expiresIn}` and sets the refresh token as the HttpOnly, Secure, "
                    + "SameSite=Strict cookie `__Host-traceflow_refresh` (path /). A login's refresh tokens rotate for at most "
                    + "90 days (`TRACEFLOW_AUTH_REFRESH_TOKEN_MAX_LIFETIME`), each idle for at most 30. With `refreshTokenInBody: true` the body also carries `refreshToken` "
                    + "(API clients). Wrong credentials: 401 `INVALID_CREDENTIALS` (the same answer for unknown users). "
                    + "Throttled per client IP (every attempt) and per username (failures, from any IP): 429 with Retry-After.")
    ResponseEntity<TokenResponse> login(@RequestBody LoginRequest body, HttpServletRequest request) {
        if (body == null || body.username() == null || body.username().isBlank() || body.password() == null) {
            throw Passwords.invalid("username and password are required");
        }
        String username = JdbcUsers.normalize(body.username());
        if (username.length() > 64) {
            throw Passwords.invalid("username is at most 64 characters");
        }
        Optional<User> user = users.findByUsername(username);
        String recordedName = user.isPresent() || UserController.USERNAME.matcher(username).matches() ? username : null;
        throttled("ip", request.getRemoteAddr(), throttle.attemptFrom(request.getRemoteAddr()), recordedName);
        throttled("account", username, throttle.attemptOn(username), recordedName);

        String hash = user.flatMap(u -> users.passwordHash(u.id())).orElse(null);
        boolean matches = passwords.matches(body.password(), hash);
        if (!matches || !user.get().enabled()) {
            // a name no account could have is most often a password typed one field too early: not kept
            audit.recordAs(user.map(User::id).orElse(null), recordedName, "auth.login_failed", "user", user.map(User::id).orElse(null),
                    null, recordedName == null ? Map.of("reason", "bad_credentials", "username", "[not a username]")
                            : Map.of("reason", matches ? "disabled" : "bad_credentials"));
            throw new ApiException(HttpStatus.UNAUTHORIZED, "INVALID_CREDENTIALS", "Wrong username or password");
        }
        throttle.succeeded(username);
        User u = user.get();
        String refresh = tx.execute(status -> {
            users.touchLogin(u.id());
            audit.recordAs(u.id(), u.username(), "auth.login", "user", u.id(), null, Map.of());
            return refreshTokens.start(u.id());
        });
        return tokens(u, refresh, Boolean.TRUE.equals(body.refreshTokenInBody()));
    }

    private void throttled(String limit, String key, OptionalLong retryAfter, String username) {
        if (retryAfter.isEmpty()) {
            return;
        }
        if (recentlyAuditedThrottles.asMap().putIfAbsent(limit + ":" + key, Boolean.TRUE) == null) {
            audit.recordAs(null, username, "auth.login_throttled", "user", null, null,
                    Map.of("limit", limit, "retryAfterSeconds", retryAfter.getAsLong()));
        }
        throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "RATE_LIMITED", "Too many login attempts; try again later",
                List.of(), (int) Math.min(Integer.MAX_VALUE, retryAfter.getAsLong()));
    }

    @PostMapping("/auth/refresh")
    @Operation(summary = "Rotate the refresh token and get a new access token",
            description = "The refresh token comes from the cookie, or as `{refreshToken}` in the body. Each token works once: "
                    + "the answer carries its replacement. Presenting an already-rotated token revokes every token of its "
                    + "login (RFC 9700 reuse detection) and answers 401 `INVALID_REFRESH_TOKEN`. A request from another site's page "
                    + "(`Origin` not this server nor an allowed dashboard origin, or `Sec-Fetch-Site: cross-site`) is refused: "
                    + "403 `CROSS_SITE`.")
    ResponseEntity<TokenResponse> refresh(@RequestBody(required = false) RefreshRequest body, HttpServletRequest request) {
        refuseCrossSite(request);
        String presented = presented(body, request);
        RefreshTokens.Outcome outcome = tx.execute(status -> {
            RefreshTokens.Outcome o = refreshTokens.rotate(presented);
            if (o instanceof RefreshTokens.Reused reused) {
                String name = users.find(reused.userId()).map(User::username).orElse(null);
                audit.recordAs(reused.userId(), name, "auth.refresh_reuse", "refresh_token_family", reused.familyId(), null,
                        Map.of("familyRevoked", true));
            }
            return o;
        });
        if (outcome instanceof RefreshTokens.Rotated rotated) {
            Optional<User> user = users.find(rotated.userId()).filter(User::enabled);
            if (user.isPresent()) {
                return tokens(user.get(), rotated.token(), body != null && Boolean.TRUE.equals(body.refreshTokenInBody())
                        || body != null && body.refreshToken() != null);
            }
        }
        throw new ApiException(HttpStatus.UNAUTHORIZED, "INVALID_REFRESH_TOKEN",
                "The refresh token is unknown, expired or revoked; log in again");
    }

    @PostMapping("/auth/logout")
    @Operation(summary = "Revoke the refresh token (and every token of its login)",
            description = "Answers 204 and clears the cookie, also when the token was unknown. Access tokens already issued "
                    + "stay valid until they expire (at most the access-token lifetime). Refused from another site's page: 403 "
                    + "`CROSS_SITE`.")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    ResponseEntity<Void> logout(@RequestBody(required = false) RefreshRequest body, HttpServletRequest request) {
        refuseCrossSite(request);
        String presented = presented(body, request);
        tx.executeWithoutResult(status -> refreshTokens.revokeFamilyOf(presented).ifPresent(userId -> {
            String name = users.find(userId).map(User::username).orElse(null);
            audit.recordAs(userId, name, "auth.logout", "user", userId, null, Map.of());
        }));
        return ResponseEntity.noContent().header(HttpHeaders.SET_COOKIE, cookie("", Duration.ZERO).toString())
                .header(HttpHeaders.SET_COOKIE, ResponseCookie.from(OLD_REFRESH_COOKIE, "")
                        .httpOnly(true).secure(true).sameSite("Strict").path("/auth").maxAge(Duration.ZERO).build().toString())
                .build();
    }

    /**
     * Refresh and logout act on a cookie the browser sends by itself, so a page of another site
     * must not trigger them: refused (403 CROSS_SITE) when {@code Origin} is neither this server nor
     * an allowed dashboard origin, or when {@code Sec-Fetch-Site} says cross-site or same-site
     * without such an origin. API clients send neither header and are not affected.
     */
    private void refuseCrossSite(HttpServletRequest request) {
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        boolean allowedOrigin = origin != null && (origin.equals(ownOrigin(request)) || allowedOrigins.contains(origin));
        if (origin != null && !allowedOrigin) {
            throw crossSite();
        }
        String site = request.getHeader("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none") && !allowedOrigin) {
            throw crossSite();
        }
    }

    private static String ownOrigin(HttpServletRequest request) {
        return request.getScheme() + "://" + request.getHeader(HttpHeaders.HOST);
    }

    private static ApiException crossSite() {
        return ApiException.forbidden("CROSS_SITE", "Refresh and logout are refused from another site's page");
    }

    private static String presented(RefreshRequest body, HttpServletRequest request) {
        if (body != null && body.refreshToken() != null) {
            return body.refreshToken();
        }
        String old = null;
        if (request.getCookies() != null) {
            for (Cookie c : request.getCookies()) {
                if (REFRESH_COOKIE.equals(c.getName())) {
                    return c.getValue();
                }
                if (OLD_REFRESH_COOKIE.equals(c.getName())) {
                    old = c.getValue();
                }
            }
        }
        return old;
    }

    private ResponseEntity<TokenResponse> tokens(User user, String refresh, boolean inBody) {
        int version = users.tokenVersion(user.id()).orElseThrow(
                () -> new ApiException(HttpStatus.UNAUTHORIZED, "INVALID_CREDENTIALS", "The account is disabled"));
        AccessTokens.Issued issued = accessTokens.issue(user, version);
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .header(HttpHeaders.SET_COOKIE, cookie(refresh, refreshTtl).toString())
                .body(new TokenResponse(issued.token(), "Bearer", issued.expiresInSeconds(), inBody ? refresh : null));
    }

    static ResponseCookie cookie(String value, Duration maxAge) {
        return ResponseCookie.from(REFRESH_COOKIE, value)
                .httpOnly(true).secure(true).sameSite("Strict").path(COOKIE_PATH).maxAge(maxAge).build();
    }
}
