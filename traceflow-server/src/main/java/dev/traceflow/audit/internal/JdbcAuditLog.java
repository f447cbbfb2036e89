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
import java.util.regex.Pattern;

/** Appends audit rows to the metadata database; the only statement on {@code audits} here is INSERT. */
@Component
class JdbcAuditLog implements AuditLog {

    static final int MAX_DETAILS_CHARS = 4000;
    /** Detail names that hold a secret: the name itself, or its last word (newPassword, refreshToken, ingestKey). */
    private static final Set<String> SECRET_WORDS = Set.of("password", "token", "secret", "hash", "privatekey", "key", "credential");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Compiled once: {@link #namesSecret} runs for every detail of every audited write. */
    private static final Pattern WORD_BOUNDARY = Pattern.compile("(?<=[a-z0-9])(?=[A-Z])|[_\\-.]");
    private static final Pattern SEPARATORS = Pattern.compile("[_\\-.]");

    private final JdbcClient jdbc;
    private final AppAccess access;

    JdbcAuditLog(JdbcClient jdbc, AppAccess access) {
        this.jdbc = jdbc;
        this.access = access;
    }

    @Override
    public void record(String action, String resourceType, String resourceId, String appId, Map<String, ?> details) {
        Caller caller = access.currentCaller().orElse(null);
        if (caller != null && caller.viaApiToken()) {
            // which of the user's API tokens acted, so that a leaked one's doings can be told apart
            Map<String, Object> withToken = new LinkedHashMap<>();
            if (details != null) {
                withToken.putAll(details);
            }
            withToken.put("apiTokenId", caller.ceiling().tokenId());
            details = withToken;
        }
        recordAs(caller == null ? null : caller.userId(), caller == null ? null : caller.username(),
                action, resourceType, resourceId, appId, details);
    }

    @Override
    public void recordAs(String actorId, String actorName, String action, String resourceType, String resourceId, String appId,
                         Map<String, ?> details) {
        HttpServletRequest request = currentRequest();
        insert(request == null ? null : request.getRemoteAddr(), request == null ? null : TraceIds.current(request),
                actorId, actorName, action, resourceType, resourceId, appId, details);
    }

    @Override
    public void recordFrom(String clientIp, String actorId, String actorName, String action, String resourceType, String resourceId,
                           String appId, Map<String, ?> details) {
        insert(clientIp, null, actorId, actorName, action, resourceType, resourceId, appId, details);
    }

    private void insert(String clientIp, String traceId, String actorId, String actorName, String action, String resourceType,
                        String resourceId, String appId, Map<String, ?> details) {
        jdbc.sql("INSERT INTO audits (created_at, actor_id, actor_name, action, resource_type, resource_id, app_id, details, "
                        + "client_ip, trace_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(OffsetDateTime.now(ZoneOffset.UTC), actorId, truncate(actorName, 64), action, resourceType,
                        truncate(resourceId, 128), truncate(appId, 64), detailsJson(details),
                        truncate(clientIp, 64), truncate(traceId, 64))
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

    /**
     * Keyed on what a field holds, read from the last word of its name: {@code key},
     * {@code ingestKey}, {@code newPassword}, {@code refreshToken}, {@code passwordHash} are secrets;
     * {@code newKeyId}, {@code keyPrefix}, {@code kid}, {@code tokenVersion} name or describe one
     * and stay (a rotation row keeps the new key's id).
     */
    static boolean namesSecret(String name) {
        String[] words = WORD_BOUNDARY.split(name);
        String last = words[words.length - 1].toLowerCase(Locale.ROOT);
        String whole = SEPARATORS.matcher(name.toLowerCase(Locale.ROOT)).replaceAll("");
        return SECRET_WORDS.contains(last) || SECRET_WORDS.contains(whole);
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    private static HttpServletRequest currentRequest() {
        return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attrs ? attrs.getRequest() : null;
    }
}
