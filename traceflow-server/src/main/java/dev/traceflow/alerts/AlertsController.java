package dev.traceflow.alerts;

import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.http.ApiException;
import dev.traceflow.http.RequestTimes;
import dev.traceflow.reading.PageCursors;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** {@code GET /api/alerts}, {@code POST /api/alerts/{id}/ack} and silences (API.md "Alerts"). */
@RestController
@Tag(name = "Alerts")
class AlertsController {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;
    static final Duration MAX_SILENCE = Duration.ofDays(90);

    private final JdbcIncidents incidents;
    private final JdbcAlertRules rules;
    private final AppAccess access;
    private final AuditLog audit;
    private final PageCursors cursors;
    private final TransactionTemplate tx;
    private final Clock clock;

    AlertsController(JdbcIncidents incidents, JdbcAlertRules rules, AppAccess access, AuditLog audit, PageCursors cursors,
                     TransactionTemplate tx, Clock clock) {
        this.incidents = incidents;
        this.rules = rules;
        this.access = access;
        this.audit = audit;
        this.cursors = cursors;
        this.tx = tx;
        this.clock = clock;
    }

    @GetMapping("/api/alerts")
    @Operation(summary = "An app's incidents, the latest first",
            description = """
                    Role: viewer or above on `appId`. Optional `state` (firing | resolved), `ruleId`, `limit` (1-200, \
                    default 50), `cursor` (the previous page's `nextCursor`). Each incident: `{id, ruleId, appId, state, \
                    title, startedAt, resolvedAt?, value, ackedAt?, ackedBy?, deliveries: [{id, channelId, channelType, \
                    event (firing | resolved), status (pending | delivered | failed | silenced | skipped), attempts, \
                    detail, createdAt, lastAttemptAt}]}`. `value` is what the rule measured when the incident started \
                    (for error-group rules: the group's id, also in `subject`).""",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> list(@RequestParam String appId, @RequestParam(required = false) String state,
                             @RequestParam(required = false) String ruleId, @RequestParam(required = false) Integer limit,
                             @RequestParam(required = false) String cursor) {
        access.require(appId, AppPermission.READ);
        if (state != null && !state.equals(Incident.FIRING) && !state.equals(Incident.RESOLVED)) {
            throw ApiException.invalid("state must be firing or resolved");
        }
        int n = limit == null ? DEFAULT_LIMIT : limit;
        if (n < 1 || n > MAX_LIMIT) {
            throw ApiException.invalid("limit must be between 1 and " + MAX_LIMIT);
        }
        Instant beforeStarted = null;
        String beforeId = null;
        if (cursor != null) {
            String position = cursors.decode(cursor);
            int bar = position.indexOf('|');
            if (bar < 0) {
                throw ApiException.invalid("cursor is not one of this list's");
            }
            beforeStarted = Instant.parse(position.substring(0, bar));
            beforeId = position.substring(bar + 1);
        }
        List<Incident> page = incidents.page(appId, state, ruleId, beforeStarted, beforeId, n + 1);
        boolean more = page.size() > n;
        if (more) {
            page = page.subList(0, n);
        }
        Map<String, List<Delivery>> deliveries = incidents.deliveriesOf(page.stream().map(Incident::id).toList());
        List<Map<String, Object>> items = new ArrayList<>();
        for (Incident i : page) {
            items.add(view(i, deliveries.getOrDefault(i.id(), List.of())));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("items", items);
        if (more) {
            Incident last = page.get(page.size() - 1);
            answer.put("nextCursor", cursors.encode(last.startedAt() + "|" + last.id()));
        }
        return answer;
    }

    @GetMapping("/api/alerts/{id}")
    @Operation(summary = "One incident", description = "Role: viewer or above on its app (404 otherwise). Shaped as in GET /api/alerts.",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> get(@PathVariable String id) {
        Incident i = readable(id);
        return view(i, incidents.deliveriesOf(List.of(i.id())).getOrDefault(i.id(), List.of()));
    }

    @PostMapping("/api/alerts/{id}/ack")
    @Operation(summary = "Acknowledge an incident",
            description = "Role: editor or above on its app. Records who took it (`ackedAt`, `ackedBy`); the first "
                    + "acknowledgement stands, a repeat answers the incident unchanged. Audited (`alert.ack`). Acknowledging "
                    + "does not resolve: the incident resolves when its condition ends.",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> ack(@PathVariable String id) {
        Incident i = readable(id);
        access.require(i.appId(), AppPermission.WRITE);
        String userId = access.caller().userId();
        tx.executeWithoutResult(t -> {
            if (incidents.ack(id, userId, clock.instant())) {
                audit.record("alert.ack", "alert_incident", id, i.appId(), Map.of("ruleId", i.ruleId()));
            }
        });
        return get(id);
    }

    record SilenceBody(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) String appId,
                       @Schema(description = "one rule of the app; absent: every rule of the app") String ruleId,
                       @Schema(description = "default: now") String startsAt,
                       @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "at most 90 days ahead") String endsAt,
                       @Schema(description = "at most 500 characters") String reason) {
    }

    @PostMapping("/api/alerts/silences")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Hold back an app's (or one rule's) notifications until a time",
            description = "Role: editor or above on `appId`. Incidents still start and resolve while silenced; their "
                    + "deliveries are recorded as `silenced` instead of being sent. Times ISO-8601 or epoch milliseconds. "
                    + "Audited (`alert_silence.create`).",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> silence(@RequestBody(required = false) SilenceBody body) {
        if (body == null || body.appId() == null) {
            throw ApiException.invalid("appId is required");
        }
        access.require(body.appId(), AppPermission.WRITE);
        if (body.ruleId() != null && rules.find(body.ruleId()).filter(r -> r.appId().equals(body.appId())).isEmpty()) {
            throw AlertRulesController.notFound(body.ruleId());
        }
        Instant now = clock.instant();
        Instant starts = body.startsAt() == null ? now : time("startsAt", body.startsAt());
        if (body.endsAt() == null) {
            throw ApiException.invalid("endsAt is required");
        }
        Instant ends = time("endsAt", body.endsAt());
        if (!ends.isAfter(starts) || !ends.isAfter(now)) {
            throw ApiException.invalid("endsAt must be after startsAt and in the future");
        }
        if (ends.isAfter(now.plus(MAX_SILENCE))) {
            throw ApiException.invalid("a silence ends at most 90 days ahead");
        }
        if (body.reason() != null && body.reason().length() > 500) {
            throw ApiException.invalid("reason must be at most 500 characters");
        }
        JdbcIncidents.Silence s = new JdbcIncidents.Silence(UUID.randomUUID().toString(), body.appId(), body.ruleId(), body.reason(),
                starts, ends, access.caller().userId(), now);
        tx.executeWithoutResult(t -> {
            incidents.insert(s);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("endsAt", ends.toString());
            if (s.ruleId() != null) {
                details.put("ruleId", s.ruleId());
            }
            audit.record("alert_silence.create", "alert_silence", s.id(), s.appId(), details);
        });
        return view(s);
    }

    @GetMapping("/api/alerts/silences")
    @Operation(summary = "An app's silences that have not ended", description = "Role: viewer or above on `appId`.",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> silences(@RequestParam String appId) {
        access.require(appId, AppPermission.READ);
        return Map.of("items", incidents.silences(appId, clock.instant()).stream().map(AlertsController::view).toList());
    }

    @DeleteMapping("/api/alerts/silences/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "End a silence now", description = "Role: editor or above on its app. Audited (`alert_silence.delete`).",
            security = @SecurityRequirement(name = "BearerAuth"))
    void deleteSilence(@PathVariable String id) {
        JdbcIncidents.Silence s = incidents.silence(id).orElseThrow(() -> ApiException.notFound("No silence '" + ApiException.excerpt(id) + "'"));
        try {
            access.require(s.appId(), AppPermission.READ);
        } catch (ApiException e) {
            throw ApiException.notFound("No silence '" + ApiException.excerpt(id) + "'");
        }
        access.require(s.appId(), AppPermission.WRITE);
        tx.executeWithoutResult(t -> {
            if (incidents.deleteSilence(id)) {
                audit.record("alert_silence.delete", "alert_silence", id, s.appId(), Map.of());
            }
        });
    }

    private Incident readable(String id) {
        Incident i = incidents.find(id).orElseThrow(() -> notFound(id));
        try {
            access.require(i.appId(), AppPermission.READ);
        } catch (ApiException e) {
            throw notFound(id);
        }
        return i;
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound("No incident '" + ApiException.excerpt(id) + "'");
    }

    private static Instant time(String name, String value) {
        return RequestTimes.parse(value).orElseThrow(() -> ApiException.invalid(name + " must be an ISO-8601 time or epoch milliseconds"));
    }

    static Map<String, Object> view(Incident i, List<Delivery> deliveries) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", i.id());
        v.put("ruleId", i.ruleId());
        v.put("appId", i.appId());
        v.put("state", i.state());
        v.put("title", i.title());
        if (i.subject() != null) {
            v.put("subject", i.subject());
        }
        v.put("startedAt", i.startedAt());
        if (i.resolvedAt() != null) {
            v.put("resolvedAt", i.resolvedAt());
        }
        v.put("value", i.value());
        if (i.ackedAt() != null) {
            v.put("ackedAt", i.ackedAt());
            v.put("ackedBy", i.ackedBy());
        }
        List<Map<String, Object>> ds = new ArrayList<>();
        for (Delivery d : deliveries) {
            Map<String, Object> dv = new LinkedHashMap<>();
            dv.put("id", d.id());
            dv.put("channelId", d.channelId());
            dv.put("channelType", d.channelType());
            dv.put("event", d.event());
            dv.put("status", d.status());
            dv.put("attempts", d.attempts());
            dv.put("detail", d.detail());
            dv.put("createdAt", d.createdAt());
            dv.put("lastAttemptAt", d.lastAttemptAt());
            ds.add(dv);
        }
        v.put("deliveries", ds);
        return v;
    }

    static Map<String, Object> view(JdbcIncidents.Silence s) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", s.id());
        v.put("appId", s.appId());
        v.put("ruleId", s.ruleId());
        v.put("reason", s.reason());
        v.put("startsAt", s.startsAt());
        v.put("endsAt", s.endsAt());
        v.put("createdAt", s.createdAt());
        return v;
    }
}
