package dev.traceflow.auth.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.access.Caller;
import dev.traceflow.access.Membership;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.auth.User;
import dev.traceflow.http.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/** User management (admins) and a user's own account ({@code /api/users/me}). */
@RestController
@Tag(name = "Users")
class UserController {

    static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._@-]{2,63}");

    private final JdbcUsers users;
    private final Passwords passwords;
    private final RefreshTokens refreshTokens;
    private final CallerAuthentication callers;
    private final LoginThrottle throttle;
    private final AppAccess access;
    private final AuditLog audit;
    private final TransactionTemplate tx;

    UserController(JdbcUsers users, Passwords passwords, RefreshTokens refreshTokens, CallerAuthentication callers,
                   LoginThrottle throttle, AppAccess access, AuditLog audit, TransactionTemplate tx) {
        this.users = users;
        this.passwords = passwords;
        this.refreshTokens = refreshTokens;
        this.callers = callers;
        this.throttle = throttle;
        this.access = access;
        this.audit = audit;
        this.tx = tx;
    }

    record NewUser(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "3-64 of a-z, 0-9, ., _, @, -") String username,
                   @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "10-72 bytes") String password, Boolean admin) {
    }

    record UserPatch(String password, Boolean admin, Boolean enabled) {
    }

    record PasswordChange(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) String oldPassword, @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "10-72 bytes") String newPassword) {
    }

    record MembershipView(String appId, String role) {
    }

    record Me(User user, List<MembershipView> apps) {
    }

    @GetMapping("/api/users")
    @Operation(summary = "List users", description = "Role: admin.", security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, List<User>> list() {
        access.requireAdmin();
        return Map.of("items", users.all());
    }

    @PostMapping("/api/users")
    @Operation(summary = "Create a user", description = "Role: admin. Username: 3-64 of a-z, 0-9, `.`, `_`, `@`, `-` "
            + "(case-insensitive, stored lower-case). Password: 10-72 bytes. 409 `CONFLICT` when the username is taken.",
            security = @SecurityRequirement(name = "BearerAuth"))
    @ResponseStatus(HttpStatus.CREATED)
    ResponseEntity<User> create(@RequestBody NewUser body) {
        access.requireAdmin();
        if (body == null || body.username() == null || !USERNAME.matcher(JdbcUsers.normalize(body.username())).matches()) {
            throw Passwords.invalid("username must be 3-64 of a-z, 0-9, '.', '_', '@', '-', starting with a letter or digit");
        }
        Passwords.checkRules("password", body.password());
        boolean admin = Boolean.TRUE.equals(body.admin());
        String hash = passwords.hash(body.password());
        try {
            User created = tx.execute(status -> {
                User u = users.create(body.username(), hash, admin);
                audit.record("user.create", "user", u.id(), null, Map.of("username", u.username(), "admin", admin));
                return u;
            });
            return ResponseEntity.status(HttpStatus.CREATED).body(created);
        } catch (DuplicateKeyException e) {
            throw new ApiException(HttpStatus.CONFLICT, "CONFLICT", "Username '" + JdbcUsers.normalize(body.username()) + "' is taken");
        }
    }

    @GetMapping("/api/users/{id}")
    @Operation(summary = "One user", description = "Role: admin.", security = @SecurityRequirement(name = "BearerAuth"))
    User get(@PathVariable String id) {
        access.requireAdmin();
        return users.find(id).orElseThrow(() -> notFound(id));
    }

    @PatchMapping("/api/users/{id}")
    @Operation(summary = "Change a user: password (reset), admin, enabled",
            description = "Role: admin. A new password, a role change or disabling ends the user's access and refresh tokens. "
                    + "Admins cannot demote, disable or delete themselves, and the last enabled admin stays.",
            security = @SecurityRequirement(name = "BearerAuth"))
    User update(@PathVariable String id, @RequestBody UserPatch body) {
        Caller caller = access.requireAdmin();
        User user = users.find(id).orElseThrow(() -> notFound(id));
        if (body == null || body.password() == null && body.admin() == null && body.enabled() == null) {
            throw Passwords.invalid("nothing to change: give password, admin or enabled");
        }
        if (body.password() != null) {
            Passwords.checkRules("password", body.password());
        }
        boolean losesAdmin = user.admin() && (Boolean.FALSE.equals(body.admin()) || Boolean.FALSE.equals(body.enabled()));
        if (losesAdmin && user.id().equals(caller.userId())) {
            throw conflict("You cannot remove your own admin role or disable yourself");
        }
        String hash = body.password() == null ? null : passwords.hash(body.password());
        tx.executeWithoutResult(status -> {
            if (losesAdmin && user.enabled() && users.lockEnabledAdmins() <= 1) {
                throw conflict("The last enabled admin cannot be demoted or disabled");
            }
            Map<String, Object> changed = new LinkedHashMap<>();
            if (hash != null) {
                users.setPassword(id, hash);
                changed.put("passwordReset", true);
            }
            if (body.admin() != null && body.admin() != user.admin()) {
                users.setAdmin(id, body.admin());
                changed.put("admin", body.admin());
            }
            if (body.enabled() != null && body.enabled() != user.enabled()) {
                users.setEnabled(id, body.enabled());
                changed.put("enabled", body.enabled());
            }
            if (hash != null || Boolean.FALSE.equals(body.enabled())) {
                refreshTokens.revokeAllOf(id);
            }
            audit.record("user.update", "user", id, null, changed);
        });
        callers.forget(id);
        return users.find(id).orElseThrow();
    }

    @DeleteMapping("/api/users/{id}")
    @Operation(summary = "Delete a user", description = "Role: admin. Their memberships and refresh tokens go with them; "
            + "their audit rows stay.", security = @SecurityRequirement(name = "BearerAuth"))
    @ResponseStatus(HttpStatus.NO_CONTENT)
    ResponseEntity<Void> delete(@PathVariable String id) {
        Caller caller = access.requireAdmin();
        User user = users.find(id).orElseThrow(() -> notFound(id));
        if (user.id().equals(caller.userId())) {
            throw conflict("You cannot delete yourself");
        }
        tx.executeWithoutResult(status -> {
            if (user.admin() && user.enabled() && users.lockEnabledAdmins() <= 1) {
                throw conflict("The last enabled admin cannot be deleted");
            }
            users.delete(id);
            audit.record("user.delete", "user", id, null, Map.of("username", user.username()));
        });
        callers.forget(id);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/api/users/me")
    @Operation(summary = "The caller's account and app roles",
            description = "Any logged-in user. `apps` lists the apps the caller can read with the role on each, as "
                    + "`GET /api/apps` does: for an admin every app, as owner.",
            security = @SecurityRequirement(name = "BearerAuth"))
    Me me() {
        Caller caller = access.caller();
        User user = users.find(caller.userId()).orElseThrow(() -> ApiException.unauthorized("A valid access token is required"));
        List<MembershipView> apps = access.effectiveRoles(caller).stream()
                .map((Membership m) -> new MembershipView(m.appId(), m.role().wireName())).toList();
        return new Me(user, apps);
    }

    @PostMapping("/api/users/me/password")
    @Operation(summary = "Change your own password",
            description = "Any logged-in user, with the old password; not with an API token (403 `LOGIN_REQUIRED`). "
                    + "403 `INVALID_CREDENTIALS` when the old password is wrong (wrong guesses count toward "
                    + "the login limit). Ends all your sessions (API tokens stay): log in again with the new password.",
            security = @SecurityRequirement(name = "BearerAuth"))
    @ResponseStatus(HttpStatus.NO_CONTENT)
    ResponseEntity<Void> changePassword(@RequestBody PasswordChange body) {
        Caller caller = access.caller();
        if (caller.viaApiToken()) {
            throw ApiException.forbidden("LOGIN_REQUIRED", "API tokens cannot change the password: log in with your password");
        }
        if (body == null || body.oldPassword() == null) {
            throw Passwords.invalid("oldPassword and newPassword are required");
        }
        Passwords.checkRules("newPassword", body.newPassword());
        OptionalLong blocked = throttle.attemptOn(caller.username());
        if (blocked.isPresent()) {
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "RATE_LIMITED", "Too many wrong passwords; try again later",
                    List.of(), (int) blocked.getAsLong());
        }
        if (!passwords.matches(body.oldPassword(), users.passwordHash(caller.userId()).orElse(null))) {
            audit.record("user.password_change_failed", "user", caller.userId(), null, Map.of());
            throw new ApiException(HttpStatus.FORBIDDEN, "INVALID_CREDENTIALS", "The old password is wrong");
        }
        throttle.succeeded(caller.username());
        String hash = passwords.hash(body.newPassword());
        tx.executeWithoutResult(status -> {
            users.setPassword(caller.userId(), hash);
            refreshTokens.revokeAllOf(caller.userId());
            audit.record("user.password_change", "user", caller.userId(), null, Map.of());
        });
        callers.forget(caller.userId());
        return ResponseEntity.noContent().build();
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound("No user '" + ApiException.excerpt(id) + "'");
    }

    private static ApiException conflict(String message) {
        return new ApiException(HttpStatus.CONFLICT, "CONFLICT", message);
    }
}
