package dev.traceflow.auth.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppRole;
import dev.traceflow.access.Caller;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.http.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A user's own long-lived API tokens ({@code /api/users/me/tokens}), for scripts and CI. */
@RestController
@Tag(name = "Users")
class ApiTokenController {

    static final int MAX_DAYS = 365;
    static final int MAX_APPS = 50;
    static final int MAX_TOKENS_PER_USER = 100;

    private final ApiTokens tokens;
    private final AppAccess access;
    private final AuditLog audit;
    private final TransactionTemplate tx;

    ApiTokenController(ApiTokens tokens, AppAccess access, AuditLog audit, TransactionTemplate tx) {
        this.tokens = tokens;
        this.access = access;
        this.audit = audit;
        this.tx = tx;
    }

    record NewToken(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "1-64 characters") String name,
                    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, minimum = "1", maximum = "365") Integer expiresInDays,
                    @Schema(description = "app id to role: viewer, editor or owner, at most yours") Map<String, String> apps,
                    Boolean admin) {
    }

    /** The token as listed plus, this once, its secret. */
    record CreatedToken(String id, String name, String prefix, boolean admin, Map<String, String> apps,
                        Instant createdAt, Instant expiresAt, Instant lastUsedAt, String token) {
    }

    @PostMapping("/api/users/me/tokens")
    @Operation(summary = "Create an API token for yourself",
            description = """
                    Any user, logged in with a password: an API token cannot create tokens (403 `LOGIN_REQUIRED`). Body \
                    `{"name": "ci", "expiresInDays": 90, "apps": {"shop": "viewer"}, "admin": false}`: `name` 1-64 \
                    characters; `expiresInDays` 1-365, required; `apps` a role (`viewer`, `editor`, `owner`) per app, each \
                    no higher than your own role there (422 otherwise, the same answer for an app you cannot see and one \
                    that does not exist), at most 50; `admin: true` only if you are an admin (403 otherwise); at least \
                    one app or `admin`. The answer (201) holds `token` (`tft_...`): shown this once, stored only as its \
                    SHA-256. Send it as `Authorization: Bearer tft_...` to the read and management APIs (never to \
                    ingest). It acts as you, limited to its roles: on an app, the lower of its role and your current \
                    one, so losing a role takes it from your tokens too; an `admin` token acts as admin only while you \
                    are one. It stops working when it expires, is revoked, or you are disabled or deleted; it survives \
                    a password change (revoke it if it may have leaked). At most 100 tokens per user (409). Audited \
                    (`api_token.create`).""",
            security = @SecurityRequirement(name = "BearerAuth"))
    ResponseEntity<CreatedToken> create(@RequestBody(required = false) NewToken body) {
        Caller caller = loggedIn("create API tokens");
        if (body == null) {
            throw ApiException.invalid("name, expiresInDays and apps (or admin) are required");
        }
        String name = body.name() == null ? "" : body.name().strip();
        if (name.isEmpty() || name.length() > 64) {
            throw ApiException.invalid("name must be 1-64 characters");
        }
        if (body.expiresInDays() == null || body.expiresInDays() < 1 || body.expiresInDays() > MAX_DAYS) {
            throw ApiException.invalid("expiresInDays must be 1-" + MAX_DAYS);
        }
        boolean admin = Boolean.TRUE.equals(body.admin());
        if (admin && !caller.admin()) {
            throw ApiException.forbidden("FORBIDDEN", "Only administrators may create an admin token");
        }
        Map<String, String> requested = body.apps() == null ? Map.of() : body.apps();
        if (requested.size() > MAX_APPS) {
            throw ApiException.invalid("at most " + MAX_APPS + " apps per token");
        }
        if (requested.isEmpty() && !admin) {
            throw ApiException.invalid("give at least one app in apps, or admin: true");
        }
        Map<String, AppRole> apps = new TreeMap<>();
        requested.forEach((appId, wire) -> {
            AppRole role = AppRole.parse(wire).orElseThrow(() -> ApiException.invalid(
                    "apps." + ApiException.excerpt(appId) + " must be viewer, editor or owner"));
            Optional<AppRole> own = access.roleOf(caller, appId);
            if (own.isEmpty()) {
                throw ApiException.invalid("You have no role on app '" + ApiException.excerpt(appId) + "'");
            }
            if (role.compareTo(own.get()) > 0) {
                throw ApiException.invalid("apps." + ApiException.excerpt(appId) + ": " + role.wireName()
                        + " is above your own role there (" + own.get().wireName() + ")");
            }
            apps.put(appId, role);
        });
        ApiTokens.Created created = tx.execute(status -> {
            if (tokens.countOf(caller.userId()) >= MAX_TOKENS_PER_USER) {
                throw new ApiException(HttpStatus.CONFLICT, "CONFLICT",
                        "You have " + MAX_TOKENS_PER_USER + " API tokens: revoke one first");
            }
            ApiTokens.Created c = tokens.create(caller.userId(), name, admin, apps, Duration.ofDays(body.expiresInDays()));
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("name", name);
            details.put("prefix", c.view().prefix());
            details.put("admin", admin);
            details.put("apps", c.view().apps());
            details.put("expiresAt", c.view().expiresAt().toString());
            audit.record("api_token.create", "api_token", c.view().id(), null, details);
            return c;
        });
        ApiTokens.TokenView v = created.view();
        return ResponseEntity.status(HttpStatus.CREATED).body(new CreatedToken(v.id(), v.name(), v.prefix(), v.admin(),
                v.apps(), v.createdAt(), v.expiresAt(), v.lastUsedAt(), created.token()));
    }

    @GetMapping("/api/users/me/tokens")
    @Operation(summary = "Your API tokens",
            description = "Any logged-in user (or API token). Newest first, expired ones included until revoked: `id`, `name`, "
                    + "`prefix` (the first 12 characters, to recognise one), `admin`, `apps` (the token's roles, before the "
                    + "ceiling of your current roles), `createdAt`, `expiresAt`, `lastUsedAt` (null until used; updated at "
                    + "most once a minute). Never the token itself.",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, List<ApiTokens.TokenView>> list() {
        return Map.of("items", tokens.of(access.caller().userId()));
    }

    @DeleteMapping("/api/users/me/tokens/{id}")
    @Operation(summary = "Revoke one of your API tokens",
            description = "Any logged-in user (or one of their API tokens: a token may revoke itself or a sibling, which "
                    + "only takes power away). 204; 404 for a token that is not yours or no longer exists. Takes effect "
                    + "on the next request. Audited (`api_token.revoke`).",
            security = @SecurityRequirement(name = "BearerAuth"))
    ResponseEntity<Void> revoke(@PathVariable String id) {
        Caller caller = access.caller();
        ApiTokens.TokenView token = tokens.find(caller.userId(), id)
                .orElseThrow(() -> ApiException.notFound("No API token '" + ApiException.excerpt(id) + "'"));
        tx.executeWithoutResult(status -> {
            if (tokens.revoke(caller.userId(), id)) {
                audit.record("api_token.revoke", "api_token", id, null,
                        Map.of("name", token.name(), "prefix", token.prefix()));
            }
        });
        return ResponseEntity.noContent().build();
    }

    /** @throws ApiException 403 {@code LOGIN_REQUIRED} for a request made with an API token */
    private Caller loggedIn(String what) {
        Caller caller = access.caller();
        if (caller.viaApiToken()) {
            throw ApiException.forbidden("LOGIN_REQUIRED", "API tokens cannot " + what + ": log in with your password");
        }
        return caller;
    }
}
