package dev.traceflow.access.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.access.AppRole;
import dev.traceflow.access.AppScope;
import dev.traceflow.access.Caller;
import dev.traceflow.access.Membership;
import dev.traceflow.access.TokenCeiling;
import dev.traceflow.http.ApiException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Memberships read from the metadata database on every check, without a cache: removing a member
 * takes effect on their very next request. One indexed primary-key look-up per request is cheap
 * next to the query it guards. A caller with an API token gets the lower of the token's role and
 * their own on each app ({@link TokenCeiling}), the own role read afresh like any other.
 */
@Component
class JdbcAppAccess implements AppAccess {

    private final JdbcClient jdbc;

    JdbcAppAccess(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Caller caller() {
        return currentCaller().orElseThrow(() -> ApiException.unauthorized("A valid access token is required"));
    }

    @Override
    public Optional<Caller> currentCaller() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication != null && authentication.isAuthenticated() && authentication.getPrincipal() instanceof Caller caller) {
            return Optional.of(caller);
        }
        return Optional.empty();
    }

    @Override
    public AppRole require(String appId, AppPermission permission) {
        Caller caller = caller();
        AppRole role = roleOf(caller, appId).orElseThrow(() -> ApiException.noSuchApp(appId));
        if (!role.permits(permission)) {
            throw ApiException.forbidden("FORBIDDEN", "Your role on app '" + appId + "' (" + role.wireName()
                    + ") does not allow this; it needs " + permission.minimumRole().wireName());
        }
        return role;
    }

    @Override
    public Caller requireAdmin() {
        Caller caller = caller();
        if (!caller.admin()) {
            throw ApiException.forbidden("FORBIDDEN", "Only administrators may do this");
        }
        return caller;
    }

    @Override
    public Optional<AppRole> roleOf(Caller caller, String appId) {
        if (caller.admin()) {
            return Optional.of(AppRole.OWNER);
        }
        if (appId == null || appId.length() > 64) {
            return Optional.empty();
        }
        TokenCeiling ceiling = caller.ceiling();
        if (ceiling == null) {
            return memberRole(caller.userId(), appId);
        }
        if (!ceiling.apps().containsKey(appId)) {
            return Optional.empty(); // no look-up needed: the token cannot reach the app
        }
        return ceiling.cap(appId, ceiling.userAdmin() ? Optional.of(AppRole.OWNER) : memberRole(caller.userId(), appId));
    }

    private Optional<AppRole> memberRole(String userId, String appId) {
        return jdbc.sql("SELECT role FROM app_members WHERE app_id = ? AND user_id = ?")
                .params(appId, userId).query(String.class).optional().flatMap(AppRole::parse);
    }

    @Override
    public AppScope scope(AppPermission permission) {
        Caller caller = caller();
        if (caller.admin()) {
            return AppScope.all();
        }
        Set<String> ids = new HashSet<>();
        for (Membership m : effectiveRoles(caller)) {
            if (m.role().permits(permission)) {
                ids.add(m.appId());
            }
        }
        return AppScope.of(ids);
    }

    @Override
    public List<Membership> members(String appId) {
        return jdbc.sql("SELECT app_id, user_id, role, created_at FROM app_members WHERE app_id = ? ORDER BY created_at, user_id")
                .param(appId).query(JdbcAppAccess::row).list();
    }

    @Override
    public void setMember(String appId, String userId, AppRole role) {
        if (role != AppRole.OWNER) {
            keepAnOwner(appId, userId);
        }
        // standard MERGE: the same statement on H2 and PostgreSQL 15+
        jdbc.sql("MERGE INTO app_members t USING (VALUES (CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(36)), CAST(? AS VARCHAR(16)), "
                        + "CAST(? AS TIMESTAMP WITH TIME ZONE))) AS s (app_id, user_id, role, created_at) "
                        + "ON t.app_id = s.app_id AND t.user_id = s.user_id "
                        + "WHEN MATCHED THEN UPDATE SET role = s.role "
                        + "WHEN NOT MATCHED THEN INSERT (app_id, user_id, role, created_at) VALUES (s.app_id, s.user_id, s.role, s.created_at)")
                .params(appId, userId, role.wireName(), OffsetDateTime.now(ZoneOffset.UTC)).update();
    }

    @Override
    public boolean removeMember(String appId, String userId) {
        keepAnOwner(appId, userId);
        return jdbc.sql("DELETE FROM app_members WHERE app_id = ? AND user_id = ?").params(appId, userId).update() > 0;
    }

    /**
     * Refuses to take the app's only owner away. The owners' rows are locked first (in one order,
     * so two of these never deadlock) and then counted afresh: of two owners demoting each other at
     * once, the second waits for the first to commit and then sees one owner left.
     */
    private void keepAnOwner(String appId, String userId) {
        String owner = AppRole.OWNER.wireName();
        jdbc.sql("SELECT user_id FROM app_members WHERE app_id = ? AND role = ? ORDER BY user_id FOR UPDATE")
                .params(appId, owner).query(String.class).list();
        List<String> owners = jdbc.sql("SELECT user_id FROM app_members WHERE app_id = ? AND role = ?")
                .params(appId, owner).query(String.class).list();
        if (owners.contains(userId) && owners.size() <= 1) {
            throw new ApiException(HttpStatus.CONFLICT, "LAST_OWNER",
                    "An app keeps at least one owner: make someone else owner first");
        }
    }

    @Override
    public List<Membership> membershipsOf(String userId) {
        return jdbc.sql("SELECT app_id, user_id, role, created_at FROM app_members WHERE user_id = ? ORDER BY app_id")
                .param(userId).query(JdbcAppAccess::row).list();
    }

    @Override
    public List<Membership> effectiveRoles(Caller caller) {
        TokenCeiling ceiling = caller.ceiling();
        boolean everyApp = caller.admin() || ceiling != null && ceiling.userAdmin();
        List<Membership> own = everyApp ? everyAppAsOwner(caller.userId()) : membershipsOf(caller.userId());
        if (caller.admin() || ceiling == null) {
            return own;
        }
        List<Membership> capped = new ArrayList<>();
        for (Membership m : own) {
            ceiling.cap(m.appId(), Optional.of(m.role()))
                    .ifPresent(role -> capped.add(new Membership(m.appId(), m.userId(), role, m.createdAt())));
        }
        return capped;
    }

    private List<Membership> everyAppAsOwner(String userId) {
        return jdbc.sql("SELECT id, created_at FROM apps ORDER BY id")
                .query((rs, row) -> new Membership(rs.getString("id"), userId, AppRole.OWNER,
                        rs.getObject("created_at", OffsetDateTime.class).toInstant()))
                .list();
    }

    private static Membership row(ResultSet rs, int row) throws SQLException {
        return new Membership(rs.getString("app_id"), rs.getString("user_id"),
                AppRole.parse(rs.getString("role")).orElse(AppRole.VIEWER),
                rs.getObject("created_at", OffsetDateTime.class).toInstant());
    }
}
