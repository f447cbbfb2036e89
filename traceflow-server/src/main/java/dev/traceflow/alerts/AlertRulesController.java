package dev.traceflow.alerts;

import dev.traceflow.TraceFlowProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.apps.AppDirectory;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.core.query.Filters;
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
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** {@code /api/alerts/rules} (API.md "Alerts"): an app's rules; editors write, viewers read. */
@RestController
@Tag(name = "Alerts")
class AlertRulesController {

    static final Set<String> FILTER_NAMES = Set.of("release", "environment", "path", "browser", "os", "deviceType", "country");
    static final int MAX_NAME_LENGTH = 200;
    static final int MAX_FILTER_LENGTH = 500;
    static final int MAX_CHANNELS = 20;
    static final Duration MIN_INTERVAL = Duration.ofMinutes(1);
    static final Duration MAX_WINDOW = Duration.ofDays(31);
    static final Duration MAX_ANOMALY_WINDOW = Duration.ofDays(1);
    static final Duration DEFAULT_COOLDOWN = Duration.ofMinutes(5);

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
            AlertRule r = validated(id, appId, body, now, now);
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
            AlertRule r = validated(id, existing.appId(), same, existing.createdAt(), now);
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

    static ApiException notFound(String id) {
        return ApiException.notFound("No alert rule '" + ApiException.excerpt(id) + "'");
    }

    /** The whole definition checked, as a rule ready to store (state ok, first due spread over one interval). */
    private AlertRule validated(String id, String appId, RuleBody b, Instant createdAt, Instant now) {
        if (b.name() == null || b.name().isBlank() || b.name().length() > MAX_NAME_LENGTH) {
            throw ApiException.invalid("name is required: 1 to " + MAX_NAME_LENGTH + " characters");
        }
        AlertKind kind = AlertKind.fromWireName(b.kind());
        if (kind == null) {
            throw ApiException.invalid("kind must be one of new_error_group, regression, threshold, anomaly");
        }
        Filters filters = filters(b.filters());
        List<String> channelIds = channelIds(appId, b.channelIds());
        boolean enabled = b.enabled() == null || b.enabled();
        if (!kind.scheduled()) {
            refuseFields(kind, Map.of("metric", b.metric() != null, "window", b.window() != null, "comparison", b.comparison() != null,
                    "threshold", b.threshold() != null, "for", b.forDuration() != null, "minSamples", b.minSamples() != null,
                    "interval", b.interval() != null, "cooldown", b.cooldown() != null, "factor", b.factor() != null,
                    "weeks", b.weeks() != null));
            return new AlertRule(id, appId, b.name(), kind, filters, null, null, null, null, Duration.ZERO, 1, MIN_INTERVAL,
                    Duration.ZERO, null, null, channelIds, enabled, createdAt, now, AlertRule.Evaluation.initial(null));
        }
        AlertMetric metric = AlertMetric.parse(b.metric());
        if (metric == null) {
            throw ApiException.invalid("metric " + (b.metric() == null ? "is required" : "'" + ApiException.excerpt(b.metric())
                    + "' is unknown") + ": one of " + AlertMetric.accepted());
        }
        Duration interval = Durations.parse("interval", b.interval(), MIN_INTERVAL, MIN_INTERVAL, Duration.ofDays(1), true);
        Duration window = Durations.parse("window", b.window(), null, Duration.ofMinutes(1),
                kind == AlertKind.ANOMALY ? MAX_ANOMALY_WINDOW : MAX_WINDOW, true);
        if (window.compareTo(interval) < 0) {
            throw ApiException.invalid("window (" + window + ") must not be shorter than the evaluation interval (" + interval
                    + "): minutes between windows would never be looked at");
        }
        Duration forDuration = Durations.parse("for", b.forDuration(), Duration.ZERO, Duration.ZERO, Duration.ofDays(1), false);
        Duration cooldown = Durations.parse("cooldown", b.cooldown(), DEFAULT_COOLDOWN, Duration.ZERO, Duration.ofDays(1), false);
        long minSamples = b.minSamples() == null ? 1 : b.minSamples();
        if (minSamples < 1 || minSamples > 1_000_000_000L) {
            throw ApiException.invalid("minSamples must be between 1 and 1000000000");
        }
        Comparison comparison = null;
        if (b.comparison() != null) {
            comparison = Comparison.fromWireName(b.comparison());
            if (comparison == null) {
                throw ApiException.invalid("comparison must be one of gt, gte, lt, lte");
            }
        }
        Double threshold = null;
        Double factor = null;
        Integer weeks = null;
        if (kind == AlertKind.THRESHOLD) {
            refuseFields(kind, Map.of("factor", b.factor() != null, "weeks", b.weeks() != null));
            if (comparison == null) {
                throw ApiException.invalid("comparison is required for a threshold rule: gt, gte, lt or lte");
            }
            if (b.threshold() == null || !b.threshold().isNumber() || !Double.isFinite(b.threshold().asDouble())) {
                throw ApiException.invalid("threshold is required for a threshold rule and must be a number");
            }
            threshold = b.threshold().asDouble();
        } else {
            refuseFields(kind, Map.of("threshold", b.threshold() != null));
            factor = b.factor() == null ? 3.0 : b.factor();
            if (!(factor > 0 && factor <= 100)) {
                throw ApiException.invalid("factor must be above 0 and at most 100");
            }
            weeks = b.weeks() == null ? 4 : b.weeks();
            if (weeks < AnomalyBand.MIN_BASELINE || weeks > 12) {
                throw ApiException.invalid("weeks must be between " + AnomalyBand.MIN_BASELINE + " and 12");
            }
        }
        return new AlertRule(id, appId, b.name(), kind, filters, metric.wireName(), window, comparison, threshold, forDuration,
                minSamples, interval, cooldown, factor, weeks, channelIds, enabled, createdAt, now,
                AlertRule.Evaluation.initial(AlertEngine.firstDue(id, interval, now)));
    }

    private static void refuseFields(AlertKind kind, Map<String, Boolean> given) {
        for (Map.Entry<String, Boolean> e : new java.util.TreeMap<>(given).entrySet()) {
            if (e.getValue()) {
                throw ApiException.invalid(e.getKey() + " is not used by a " + kind.wireName() + " rule");
            }
        }
    }

    private static Filters filters(Map<String, String> given) {
        if (given == null) {
            return Filters.NONE;
        }
        for (Map.Entry<String, String> e : given.entrySet()) {
            if (!FILTER_NAMES.contains(e.getKey())) {
                throw ApiException.invalid("unknown filter '" + ApiException.excerpt(e.getKey()) + "'; filters are "
                        + String.join(", ", new java.util.TreeSet<>(FILTER_NAMES)));
            }
            if (e.getValue() == null || e.getValue().isEmpty() || e.getValue().length() > MAX_FILTER_LENGTH) {
                throw ApiException.invalid("filter " + e.getKey() + " must be 1 to " + MAX_FILTER_LENGTH + " characters");
            }
        }
        return new Filters(given.get("release"), given.get("environment"), given.get("path"), given.get("browser"), given.get("os"),
                given.get("deviceType"), given.get("country"));
    }

    private List<String> channelIds(String appId, List<String> given) {
        if (given == null) {
            throw ApiException.invalid("channelIds is required (it may be empty: incidents are then only listed)");
        }
        if (given.size() > MAX_CHANNELS) {
            throw ApiException.invalid("a rule has at most " + MAX_CHANNELS + " channels");
        }
        Set<String> ids = new LinkedHashSet<>();
        for (String id : given) {
            if (id == null || channels.find(id).filter(c -> c.appId().equals(appId)).isEmpty()) {
                throw ApiException.notFound("No alert channel '" + ApiException.excerpt(id) + "' in app '" + ApiException.excerpt(appId)
                        + "'");
            }
            ids.add(id);
        }
        return List.copyOf(ids);
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
