package dev.traceflow.apps.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.access.AppRole;
import dev.traceflow.apps.AppDirectory;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.auth.User;
import dev.traceflow.auth.UserDirectory;
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
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Who may do what on an app: {@code /api/apps/{appId}/members}. Owners (and admins) manage them. */
@RestController
@Tag(name = "Apps")
class MemberController {

    private final AppDirectory apps;
    private final AppAccess access;
    private final UserDirectory users;
    private final AuditLog audit;
    private final TransactionTemplate tx;

    MemberController(AppDirectory apps, AppAccess access, UserDirectory users, AuditLog audit, TransactionTemplate tx) {
        this.apps = apps;
        this.access = access;
        this.users = users;
        this.audit = audit;
        this.tx = tx;
    }

    record MemberView(String userId, String username, String role, Instant since) {
    }

    record RoleBody(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"owner", "editor", "viewer"}) String role) {
    }

    @GetMapping("/api/apps/{appId}/members")
    @Operation(summary = "Members of the app and their roles", description = "Role: owner.",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, List<MemberView>> list(@PathVariable String appId) {
        access.require(appId, AppPermission.MANAGE);
        existing(appId);
        List<MemberView> items = access.members(appId).stream()
                .map(m -> new MemberView(m.userId(), users.find(m.userId()).map(User::username).orElse(null), m.role().wireName(),
                        m.createdAt()))
                .toList();
        return Map.of("items", items);
    }

    @PutMapping("/api/apps/{appId}/members/{username}")
    @Operation(summary = "Give a user a role on the app (owner, editor or viewer)",
            description = "Role: owner. Adds the user or changes their role; takes effect on their next request.",
            security = @SecurityRequirement(name = "BearerAuth"))
    MemberView set(@PathVariable String appId, @PathVariable String username, @RequestBody RoleBody body) {
        access.require(appId, AppPermission.MANAGE);
        existing(appId);
        AppRole role = AppRole.parse(body == null ? null : body.role())
                .orElseThrow(() -> ApiException.invalid("role must be owner, editor or viewer"));
        User user = users.findByUsername(username)
                .orElseThrow(() -> ApiException.notFound("No user '" + ApiException.excerpt(username) + "'"));
        tx.executeWithoutResult(status -> {
            access.setMember(appId, user.id(), role);
            audit.record("member.set", "membership", user.id(), appId, Map.of("username", user.username(), "role", role.wireName()));
        });
        return access.members(appId).stream().filter(m -> m.userId().equals(user.id())).findFirst()
                .map(m -> new MemberView(m.userId(), user.username(), m.role().wireName(), m.createdAt())).orElseThrow();
    }

    @DeleteMapping("/api/apps/{appId}/members/{username}")
    @Operation(summary = "Remove a user from the app", description = "Role: owner. Takes effect on their next request.",
            security = @SecurityRequirement(name = "BearerAuth"))
    @ResponseStatus(HttpStatus.NO_CONTENT)
    ResponseEntity<Void> remove(@PathVariable String appId, @PathVariable String username) {
        access.require(appId, AppPermission.MANAGE);
        existing(appId);
        User user = users.findByUsername(username).orElse(null);
        tx.executeWithoutResult(status -> {
            if (user == null || !access.removeMember(appId, user.id())) {
                throw ApiException.notFound("'" + ApiException.excerpt(username) + "' is not a member of '" + appId + "'");
            }
            audit.record("member.remove", "membership", user.id(), appId, Map.of("username", user.username()));
        });
        return ResponseEntity.noContent().build();
    }

    private void existing(String appId) {
        if (apps.find(appId).isEmpty()) {
            throw ApiException.noSuchApp(appId);
        }
    }
}
