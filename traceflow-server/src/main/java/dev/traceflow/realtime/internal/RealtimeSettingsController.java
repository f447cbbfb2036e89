package dev.traceflow.realtime.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.apps.AppDirectory;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.http.ApiException;
import dev.traceflow.realtime.internal.broker.Broker;
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
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An app's realtime keys and topic rules (owners manage them; members may read the rules). Like
 * ingest keys, a key is shown once, at creation, stored as its hash, and its creation and
 * revocation are audited; so is every change of the rules.
 */
@RestController
@Tag(name = "Realtime")
class RealtimeSettingsController {

    private final AppAccess access;
    private final AppDirectory apps;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final JdbcRealtimeKeys keys;
    private final JdbcTopicRules rules;
    private final Broker broker;

    RealtimeSettingsController(AppAccess access, AppDirectory apps, AuditLog audit, TransactionTemplate tx, JdbcRealtimeKeys keys,
                               JdbcTopicRules rules, Broker broker) {
        this.access = access;
        this.apps = apps;
        this.audit = audit;
        this.tx = tx;
        this.keys = keys;
        this.rules = rules;
        this.broker = broker;
    }

    record NewKey(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"server", "browser"}) String kind) {
    }

    /** The one answer that carries the key. */
    record CreatedKey(String id, String appId, String kind, String key, String prefix, Instant createdAt) {
    }

    record RuleBody(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "Topic pattern: 1-128 of A-Z a-z 0-9 _ - . : @ *; "
                            + "* stands for any run of characters") String pattern,
                    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"anonymous", "viewer", "editor", "owner", "server"})
                    String subscribe,
                    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"anonymous", "viewer", "editor", "owner", "server"})
                    String publish,
                    @JsonProperty("volatile") @Schema(description = "Events neither acknowledged nor sent again; a full send queue drops "
                            + "the oldest. Default false") Boolean isVolatile) {
    }

    record RulesBody(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<RuleBody> rules) {
    }

    /** @param isDefault true when the app stores no rules and the default applies */
    record RulesView(List<RuleBody> rules, @JsonProperty("default") boolean isDefault) {
        static RulesView of(TopicRuleSet set) {
            return new RulesView(set.rules().stream().map(r -> new RuleBody(r.pattern(), r.subscribe().wireName(),
                    r.publish().wireName(), r.isVolatile())).toList(), set.isDefault());
        }
    }

    @GetMapping("/api/apps/{appId}/realtime/keys")
    @Operation(summary = "The app's realtime keys (prefix, kind, dates; never the key)", description = "Role: owner.",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, List<JdbcRealtimeKeys.KeyView>> keys(@PathVariable String appId) {
        access.require(appId, AppPermission.MANAGE);
        existing(appId);
        return Map.of("items", keys.of(appId));
    }

    @PostMapping("/api/apps/{appId}/realtime/keys")
    @Operation(summary = "Create a realtime key", description = "Role: owner. `kind`: `server`, a backend's secret (`trs_...`) that "
            + "publishes with POST /api/realtime/publish and may use every topic; or `browser`, public (`trb_...`), for pages "
            + "without a login: they connect to /ws with it and may do what the topic rules grant `anonymous`. The answer is the "
            + "only time the key is shown; TraceFlow keeps its SHA-256 only. At most "
            + JdbcRealtimeKeys.MAX_ACTIVE_KEYS_PER_APP + " working keys per app.", security = @SecurityRequirement(name = "BearerAuth"))
    @ResponseStatus(HttpStatus.CREATED)
    ResponseEntity<CreatedKey> createKey(@PathVariable String appId, @RequestBody NewKey body) {
        access.require(appId, AppPermission.MANAGE);
        existing(appId);
        JdbcRealtimeKeys.Kind kind = JdbcRealtimeKeys.Kind.parse(body == null ? null : body.kind())
                .orElseThrow(() -> ApiException.invalid("kind is required: server or browser"));
        CreatedKey created = tx.execute(status -> {
            if (keys.activeCount(appId) >= JdbcRealtimeKeys.MAX_ACTIVE_KEYS_PER_APP) {
                throw new ApiException(HttpStatus.CONFLICT, "TOO_MANY_KEYS", "App '" + appId + "' has "
                        + JdbcRealtimeKeys.MAX_ACTIVE_KEYS_PER_APP + " working realtime keys: revoke one first");
            }
            JdbcRealtimeKeys.Created key = keys.create(appId, kind);
            audit.record("realtime_key.create", "realtime_key", key.view().id(), appId,
                    Map.of("kind", kind.wireName(), "keyPrefix", key.view().prefix()));
            return new CreatedKey(key.view().id(), appId, kind.wireName(), key.key(), key.view().prefix(), key.view().createdAt());
        });
        return ResponseEntity.status(HttpStatus.CREATED).body(created);
    }

    @DeleteMapping("/api/apps/{appId}/realtime/keys/{keyId}")
    @Operation(summary = "Revoke a realtime key now", description = "Role: owner. Publishing with it stops at once on this instance "
            + "and within 5 s on others; connections opened with a browser key are closed "
            + "(4001 UNAUTHORIZED) within a few seconds.", security = @SecurityRequirement(name = "BearerAuth"))
    @ResponseStatus(HttpStatus.NO_CONTENT)
    ResponseEntity<Void> revokeKey(@PathVariable String appId, @PathVariable String keyId) {
        access.require(appId, AppPermission.MANAGE);
        existing(appId);
        tx.executeWithoutResult(status -> {
            if (!keys.revoke(appId, keyId)) {
                throw ApiException.notFound("No working realtime key '" + ApiException.excerpt(keyId) + "' on app '" + appId + "'");
            }
            audit.record("realtime_key.revoke", "realtime_key", keyId, appId, Map.of());
        });
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/api/apps/{appId}/realtime/rules")
    @Operation(summary = "The app's topic rules", description = "Role: viewer or above. In order; the first whose pattern matches a "
            + "topic decides who may subscribe and publish (that level and above: anonymous < viewer < editor < owner < server) and "
            + "whether it is volatile; a topic no rule matches is closed to clients. `default: true` when the app stores none: then "
            + "one rule applies, `{pattern: \"*\", subscribe: \"viewer\", publish: \"editor\"}`.",
            security = @SecurityRequirement(name = "BearerAuth"))
    RulesView rules(@PathVariable String appId) {
        access.require(appId, AppPermission.READ);
        existing(appId);
        return RulesView.of(rules.of(appId));
    }

    @PutMapping("/api/apps/{appId}/realtime/rules")
    @Operation(summary = "Replace the app's topic rules", description = "Role: owner. The whole list, in order, at most "
            + JdbcTopicRules.MAX_RULES + " rules; an empty list goes back to the default. `anonymous` opens a topic to pages with "
            + "the app's browser key; `server` closes it to every client (backends with the server key still publish). Open "
            + "connections follow within a few seconds: a subscription the new rules no longer allow ends with an error "
            + "FORBIDDEN_TOPIC.", security = @SecurityRequirement(name = "BearerAuth"))
    RulesView replaceRules(@PathVariable String appId, @RequestBody RulesBody body) {
        access.require(appId, AppPermission.MANAGE);
        existing(appId);
        List<TopicRule> parsed = parse(body);
        tx.executeWithoutResult(status -> {
            rules.replace(appId, parsed);
            audit.record("realtime_rules.update", "app", appId, appId, Map.of("rules", parsed.stream()
                    .map(r -> r.pattern() + " sub:" + r.subscribe().wireName() + " pub:" + r.publish().wireName()
                            + (r.isVolatile() ? " volatile" : "")).toList()));
        });
        rules.forget(appId);
        broker.topicKindsChanged(appId);
        return RulesView.of(rules.of(appId));
    }

    private static List<TopicRule> parse(RulesBody body) {
        if (body == null || body.rules() == null) {
            throw ApiException.invalid("rules is required: a list, empty for the default");
        }
        if (body.rules().size() > JdbcTopicRules.MAX_RULES) {
            throw ApiException.invalid("at most " + JdbcTopicRules.MAX_RULES + " rules");
        }
        List<TopicRule> parsed = new ArrayList<>();
        for (int i = 0; i < body.rules().size(); i++) {
            RuleBody r = body.rules().get(i);
            String at = "rules[" + i + "]";
            if (r == null || r.pattern() == null || !TopicRule.PATTERN.matcher(r.pattern()).matches()) {
                throw ApiException.invalid(at + ".pattern is required: 1-128 of A-Z a-z 0-9 _ - . : @ *");
            }
            TopicAccess subscribe = TopicAccess.parse(r.subscribe()).orElseThrow(() -> ApiException.invalid(at
                    + ".subscribe is one of anonymous, viewer, editor, owner, server"));
            TopicAccess publish = TopicAccess.parse(r.publish()).orElseThrow(() -> ApiException.invalid(at
                    + ".publish is one of anonymous, viewer, editor, owner, server"));
            parsed.add(new TopicRule(r.pattern(), subscribe, publish, Boolean.TRUE.equals(r.isVolatile())));
        }
        return parsed;
    }

    private void existing(String appId) {
        apps.find(appId).orElseThrow(() -> ApiException.noSuchApp(appId));
    }
}
