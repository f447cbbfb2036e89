package dev.traceflow.alerts;

import dev.traceflow.TraceFlowProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.apps.AppDirectory;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.http.ApiException;
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
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/** {@code /api/alerts/rules} (API.md "Alerts"): an app's rules; editors write, viewers read. */
@RestController
@Tag(name = "Alerts")
class AlertRulesController {

    private final JdbcAlertRules rules;
    private final JdbcAlertChannels channels;
    private final AppAccess access;
    private final AppDirectory apps;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final TraceFlowProperties.Alerts properties;

    AlertRulesController(JdbcAlertRules rules, JdbcAlertChannels channels, AppAccess access, AppDirectory apps, AuditLog audit,
                         TransactionTemplate tx, Clock clock, TraceFlowProperties properties) {
        this.rules = rules;
        this.channels = channels;
        this.access = access;
        this.apps = apps;
        this.audit = audit;
        this.tx = tx;
        this.clock = clock;
        this.properties = properties.alerts();
    }

    @Schema(description = "A rule. Fields by kind: new_error_group and regression take appId, name, filters?, channelIds, "
            + "enabled?; threshold adds metric, window, comparison, threshold, for?, minSamples?, interval?, cooldown?; anomaly "
            + "adds metric, window, comparison? (gt: spikes only, lt: dips only, none: both), factor?, weeks?, for?, minSamples?, "
            + "interval?, cooldown?")
    record RuleBody(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String appId,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "1-200 characters") String name,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"new_error_group", "regression", "threshold",
                    "anomaly"}) String kind,
            @Schema(description = "Exact matches as in Reading data: release, environment, path, browser, os, deviceType, country",
                    example = "{\"deviceType\": \"mobile\"}") Map<String, String> filters,
            @Schema(description = "threshold and anomaly: what is measured", example = "lcp_p75") String metric,
            @Schema(description = "ISO-8601 duration, whole minutes, at least the interval, at most P31D (anomaly: P1D)",
                    example = "PT10M") String window,
            @Schema(allowableValues = {"gt", "gte", "lt", "lte"}) String comparison,
            @Schema(type = "number", description = "threshold rules: the number compared with", example = "4000") JsonNode threshold,
            @JsonProperty("for") @Schema(description = "how long the condition must hold before an incident starts; default PT0S",
                    example = "PT5M") String forDuration,
            @Schema(description = "ratio, mean and percentile metrics decide nothing below this many samples; default 1")
            Long minSamples,
            @Schema(description = "how often the rule is evaluated; default PT1M, whole minutes", example = "PT1M") String interval,
            @Schema(description = "after an incident resolves, how long before the rule may start another; default PT5M")
            String cooldown,
            @Schema(description = "anomaly: how many robust deviations leave the band; default 3") Double factor,
            @Schema(description = "anomaly: past weeks in the baseline, 2-12; default 4") Integer weeks,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "channels of the same app, at most 20")
            List<String> channelIds,
            @Schema(description = "default true") Boolean enabled) {
    }

    @PostMapping("/api/alerts/rules")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create an alert rule",
            description = """
                    Role: editor or above on `appId` (404 when the caller has no role on it, 403 for a viewer). Audited \
                    (`alert_rule.create`).

                    Kinds: `new_error_group` (an error group in scope gets its first event) and `regression` (a resolved \
                    group in scope gets a new event) fire within seconds of the events being stored, one incident per \
                    group, resolved when someone resolves or ignores the group. `threshold` compares `metric` over the \
                    last `window` with `threshold`; `anomaly` compares it with the band of the same window at the same \
                    time of week over the last `weeks` weeks (median ± `factor` × 1.4826 × MAD, floored at 10 % of the \
                    median, and at 1 for counts; at least 2 past weeks with data). Both are evaluated every `interval` on \
                    complete minutes (the window ends at the start of the current minute); a rule goes `pending` when its \
                    condition holds and `firing` (an incident, one notification) once it has held for `for`; it resolves \
                    (one notification) at the first evaluation where it no longer holds, and starts no new incident \
                    within `cooldown` after that. A ratio, mean or percentile measured on fewer than `minSamples` samples \
                    (sessions, page views, vital reports) decides nothing and counts as not holding. A failing query puts \
                    the rule in state `error` with `lastError`.

                    Metrics: any of GET /api/metrics (page_views, sessions, bounce_rate, conversions, revenue, events, \
                    visitors...), error_count, error_users, error_rate (error events / page views), lcp_p75, inp_p75, \
                    cls_p75, fcp_p75, ttfb_p75, fid_p75, event_count:<event name>, ingest_dropped, \
                    ingest_dropped:<reason> (kept per hour: the window widens to whole hours).

                    Example: `{"appId": "shop", "name": "Slow LCP on mobile", "kind": "threshold", "metric": "lcp_p75", \
                    "filters": {"deviceType": "mobile"}, "window": "PT10M", "comparison": "gt", "threshold": 4000, \
                    "for": "PT5M", "minSamples": 20, "channelIds": ["..."]}`. 422 for an unknown kind or metric, a \
                    window shorter than the interval, a threshold that is not a number, a field the kind does not use; \
                    404 for a channel that is not one of the app's.""",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> create(@RequestBody(required = false) RuleBody body) {
        if (body == null) {
            throw ApiException.invalid("a rule body is required");
        }
        String appId = requireApp(body.appId());
        Instant now = clock.instant();
        String id = UUID.randomUUID().toString();
        AlertRule rule = tx.execute(t -> {
            if (rules.countOfApp(appId) >= properties.maxRulesPerApp()) {
                throw new ApiException(HttpStatus.CONFLICT, "TOO_MANY_RULES", "an app has at most " + properties.maxRulesPerApp()
                        + " alert rules");
            }
            AlertRule r = RuleDefinitions.validated(id, appId, body, now, now, channelOf(appId));
            rules.insert(r);
            audit.record("alert_rule.create", "alert_rule", id, appId, auditDetails(r));
            return r;
        });
        return view(rules.find(rule.id()).orElseThrow());
    }

    @GetMapping("/api/alerts/rules")
    @Operation(summary = "An app's alert rules",
            description = "Role: viewer or above on `appId`. Each rule with its definition and, for threshold and anomaly rules, "
                    + "where its evaluation stands: `state` (ok | pending | firing | error), `stateSince`, `lastEvaluatedAt`, "
                    + "`lastValue`, `lastError`.",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> list(@RequestParam String appId) {
        access.require(appId, AppPermission.READ);
        return Map.of("items", rules.ofApp(appId).stream().map(AlertRulesController::view).toList());
    }

    @GetMapping("/api/alerts/rules/{id}")
    @Operation(summary = "One alert rule", description = "Role: viewer or above on the rule's app (404 otherwise).",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> get(@PathVariable String id) {
        return view(readable(id, AppPermission.READ));
    }

    @PutMapping("/api/alerts/rules/{id}")
    @Operation(summary = "Replace an alert rule",
            description = "Role: editor or above on the rule's app. The body is a whole rule as for POST (its `appId` must be "
                    + "the rule's). A changed rule starts its evaluation afresh (state ok); an open incident stays open until "
                    + "the new definition no longer holds. Audited (`alert_rule.update`).",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> replace(@PathVariable String id, @RequestBody(required = false) RuleBody body) {
        AlertRule existing = readable(id, AppPermission.WRITE);
        if (body == null) {
            throw ApiException.invalid("a rule body is required");
        }
        if (body.appId() != null && !body.appId().equals(existing.appId())) {
            throw ApiException.invalid("appId cannot change: create a rule in the other app instead");
        }
        RuleBody same = new RuleBody(existing.appId(), body.name(), body.kind(), body.filters(), body.metric(), body.window(),
                body.comparison(), body.threshold(), body.forDuration(), body.minSamples(), body.interval(), body.cooldown(),
                body.factor(), body.weeks(), body.channelIds(), body.enabled());
        Instant now = clock.instant();
        tx.executeWithoutResult(t -> {
            AlertRule r = RuleDefinitions.validated(id, existing.appId(), same, existing.createdAt(), now, channelOf(existing.appId()));
            if (!rules.updateDefinition(r)) {
                throw notFound(id);
            }
            audit.record("alert_rule.update", "alert_rule", id, existing.appId(), auditDetails(r));
        });
        return view(rules.find(id).orElseThrow(() -> notFound(id)));
    }

    @DeleteMapping("/api/alerts/rules/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete an alert rule",
            description = "Role: editor or above on the rule's app. Its incidents and their delivery records go with it. "
                    + "Audited (`alert_rule.delete`).",
            security = @SecurityRequirement(name = "BearerAuth"))
    void delete(@PathVariable String id) {
        AlertRule existing = readable(id, AppPermission.WRITE);
        tx.executeWithoutResult(t -> {
            if (!rules.delete(id)) {
                throw notFound(id);
            }
            audit.record("alert_rule.delete", "alert_rule", id, existing.appId(), auditDetails(existing));
        });
    }

    private String requireApp(String appId) {
        if (appId == null || appId.isBlank()) {
            throw ApiException.invalid("appId is required");
        }
        access.require(appId, AppPermission.WRITE);
        if (apps.find(appId).isEmpty()) {
            throw ApiException.noSuchApp(appId);
        }
        return appId;
    }

    private AlertRule readable(String id, AppPermission permission) {
        AlertRule r = rules.find(id).orElseThrow(() -> notFound(id));
        try {
            access.require(r.appId(), AppPermission.READ);
        } catch (ApiException e) {
            throw notFound(id); // a rule of an app the caller cannot see does not exist for them
        }
        access.require(r.appId(), permission);
        return r;
    }

    /** Whether a channel id names a channel of the app. */
    private Predicate<String> channelOf(String appId) {
        return id -> channels.find(id).filter(c -> c.appId().equals(appId)).isPresent();
    }

    static ApiException notFound(String id) {
        return ApiException.notFound("No alert rule '" + ApiException.excerpt(id) + "'");
    }

    private static Map<String, Object> auditDetails(AlertRule r) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", r.name());
        d.put("kind", r.kind().wireName());
        if (r.metric() != null) {
            d.put("metric", r.metric());
        }
        d.put("channelIds", r.channelIds());
        d.put("enabled", r.enabled());
        return d;
    }

    static Map<String, Object> view(AlertRule r) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", r.id());
        v.put("appId", r.appId());
        v.put("name", r.name());
        v.put("kind", r.kind().wireName());
        Map<String, String> filters = new LinkedHashMap<>();
        r.filters().byColumn().forEach((column, value) -> filters.put(column.equals("device_type") ? "deviceType" : column, value));
        v.put("filters", filters);
        if (r.kind().scheduled()) {
            v.put("metric", r.metric());
            v.put("window", r.window().toString());
            if (r.comparison() != null) {
                v.put("comparison", r.comparison().wireName());
            }
            if (r.threshold() != null) {
                v.put("threshold", r.threshold());
            }
            if (r.anomalyFactor() != null) {
                v.put("factor", r.anomalyFactor());
                v.put("weeks", r.anomalyWeeks());
            }
            v.put("for", r.forDuration().toString());
            v.put("minSamples", r.minSamples());
            v.put("interval", r.interval().toString());
            v.put("cooldown", r.cooldown().toString());
        }
        v.put("channelIds", r.channelIds());
        v.put("enabled", r.enabled());
        v.put("createdAt", r.createdAt());
        v.put("updatedAt", r.updatedAt());
        if (r.kind().scheduled()) {
            AlertRule.Evaluation e = r.evaluation();
            v.put("state", e.state().wireName());
            v.put("stateSince", e.stateSince());
            v.put("lastEvaluatedAt", e.lastEvaluatedAt());
            v.put("nextEvaluationAt", r.enabled() ? e.nextAt() : null);
            v.put("lastValue", e.lastValue());
            v.put("lastError", e.lastError());
        }
        return v;
    }
}
