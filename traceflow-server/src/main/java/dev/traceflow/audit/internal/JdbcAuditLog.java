package dev.traceflow.audit.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.access.Caller;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.http.TraceIds;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import tools.jackson.databind.json.JsonMapper;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Appends audit rows to the metadata database; the only statement on {@code audits} here is INSERT. */
@Component
class JdbcAuditLog implements AuditLog {

    static final int MAX_DETAILS_CHARS = 4000;
    private static final Set<String> SECRET_WORDS = Set.of("password", "token", "secret", "hash", "privatekey", "key");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;
    private final AppAccess access;

    JdbcAuditLog(JdbcClient jdbc, AppAccess access) {
        this.jdbc = jdbc;
        this.access = access;
    }

    @Override
    public void record(String action, String resourceType, String resourceId, String appId, Map<String, ?> details) {
        Caller caller = access.currentCaller().orElse(null);
        recordAs(caller == null ? null : caller.userId(), caller == null ? null : caller.username(),
                action, resourceType, resourceId, appId, details);
    }

    @Override
    public void recordAs(String actorId, String actorName, String action, String resourceType, String resourceId, String appId,
                         Map<String, ?> details) {
        HttpServletRequest request = currentRequest();
        jdbc.sql("INSERT INTO audits (created_at, actor_id, actor_name, action, resource_type, resource_id, app_id, details, "
                        + "client_ip, trace_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(OffsetDateTime.now(ZoneOffset.UTC), actorId, truncate(actorName, 64), action, resourceType,
                        truncate(resourceId, 128), truncate(appId, 64), detailsJson(details),
                        request == null ? null : truncate(request.getRemoteAddr(), 64),
                        request == null ? null : truncate(TraceIds.current(request), 64))
                .update();
    }

    static String detailsJson(Map<String, ?> details) {
        Map<String, Object> safe = new LinkedHashMap<>();
        if (details != null) {
            details.forEach((k, v) -> safe.put(k, namesSecret(k) ? "[redacted]" : v));
        }
        String json = JSON.writeValueAsString(safe);
        return json.length() <= MAX_DETAILS_CHARS ? json : JSON.writeValueAsString(Map.of("truncated", true));
    }

    /** {@code keyId} and {@code keyPrefix} are safe names of a key; {@code key}, {@code newPassword}... are not. */
    static boolean namesSecret(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("keyid") || n.equals("keyprefix") || n.equals("kid")) {
            return false;
        }
        return SECRET_WORDS.stream().anyMatch(n::contains);
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    private static HttpServletRequest currentRequest() {
        return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attrs ? attrs.getRequest() : null;
    }
}
