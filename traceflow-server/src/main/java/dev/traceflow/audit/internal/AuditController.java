package dev.traceflow.audit.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.access.AppScope;
import dev.traceflow.http.ApiException;
import dev.traceflow.http.RequestTimes;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code GET /audits}: the trail, newest first, paged by cursor; admins see all, owners their apps. */
@RestController
@Tag(name = "Audit")
class AuditController {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_LIMIT = 200;

    private final JdbcClient jdbc;
    private final AppAccess access;

    AuditController(JdbcClient jdbc, AppAccess access) {
        this.jdbc = jdbc;
        this.access = access;
    }

    record AuditRow(long id, Instant time, String actorId, String actorName, String action, String resourceType,
                    String resourceId, String appId,
                    @Schema(type = "object", description = "What changed; never a secret") JsonNode details, String clientIp, String traceId) {
    }

    record AuditPage(List<AuditRow> items, String nextCursor) {
    }

    @GetMapping("/audits")
    @Operation(summary = "Audit trail, newest first",
            description = "Role: admin (every row), or owner of an app (rows of the apps they own). `actor` is a username; "
                    + "`from` inclusive, `to` exclusive (ISO-8601 or epoch ms); `limit` 1-200 (default 50); `cursor` is the "
                    + "previous page's `nextCursor`. Asking for an app you do not own answers 404.",
            security = @SecurityRequirement(name = "BearerAuth"))
    AuditPage audits(@RequestParam(required = false) String actor,
                     @RequestParam(required = false) String action,
                     @RequestParam(required = false) String resourceType,
                     @RequestParam(required = false) String resourceId,
                     @RequestParam(required = false) String appId,
                     @RequestParam(required = false) String from,
                     @RequestParam(required = false) String to,
                     @RequestParam(defaultValue = "50") int limit,
                     @RequestParam(required = false) String cursor) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.invalid("limit must be between 1 and " + MAX_LIMIT);
        }
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (appId != null) {
            access.require(appId, AppPermission.MANAGE);
            where.append(" AND app_id = ?");
            params.add(appId);
        } else {
            AppScope owned = access.scope(AppPermission.MANAGE);
            if (owned.isEmpty()) {
                throw ApiException.forbidden("FORBIDDEN", "Only administrators and app owners may read the audit trail");
            }
            if (!owned.everyApp()) {
                where.append(" AND app_id IN (").append(String.join(", ", owned.appIds().stream().map(a -> "?").toList())).append(")");
                params.addAll(owned.appIds());
            }
        }
        filter(where, params, "actor_name", actor == null ? null : actor.toLowerCase(Locale.ROOT));
        filter(where, params, "action", action);
        filter(where, params, "resource_type", resourceType);
        filter(where, params, "resource_id", resourceId);
        if (from != null) {
            where.append(" AND created_at >= ?");
            params.add(OffsetDateTime.ofInstant(time("from", from), ZoneOffset.UTC));
        }
        if (to != null) {
            where.append(" AND created_at < ?");
            params.add(OffsetDateTime.ofInstant(time("to", to), ZoneOffset.UTC));
        }
        if (cursor != null) {
            try {
                where.append(" AND id < ?");
                params.add(Long.parseLong(cursor));
            } catch (NumberFormatException e) {
                throw ApiException.invalid("cursor is not one this endpoint gave out");
            }
        }
        List<AuditRow> rows = jdbc.sql("SELECT * FROM audits" + where + " ORDER BY id DESC LIMIT " + (limit + 1))
                .params(params).query(AuditController::row).list();
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            next = Long.toString(rows.getLast().id());
        }
        return new AuditPage(rows, next);
    }

    private static void filter(StringBuilder where, List<Object> params, String column, String value) {
        if (value != null) {
            where.append(" AND ").append(column).append(" = ?");
            params.add(value);
        }
    }

    private static Instant time(String name, String value) {
        return RequestTimes.parse(value).orElseThrow(() -> ApiException.invalid(name + " must be an ISO-8601 time or epoch milliseconds"));
    }

    private static AuditRow row(ResultSet rs, int n) throws SQLException {
        return new AuditRow(rs.getLong("id"), rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                rs.getString("actor_id"), rs.getString("actor_name"), rs.getString("action"), rs.getString("resource_type"),
                rs.getString("resource_id"), rs.getString("app_id"), JSON.readTree(rs.getString("details")),
                rs.getString("client_ip"), rs.getString("trace_id"));
    }

}
