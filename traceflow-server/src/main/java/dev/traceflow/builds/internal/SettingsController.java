package dev.traceflow.builds.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.http.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /settings} (seed 003 "Settings"): the builds' typed platform settings. Admins write
 * (each value checked against its type and range; all or nothing), signed-in users read.
 */
@RestController
@Tag(name = "Settings", description = "Typed platform settings of the builds (admins write, signed-in users read)")
class SettingsController {

    private final BuildSettings settings;
    private final AppAccess access;
    private final AuditLog audit;
    private final TransactionTemplate tx;

    SettingsController(BuildSettings settings, AppAccess access, AuditLog audit, TransactionTemplate tx) {
        this.settings = settings;
        this.access = access;
        this.audit = audit;
        this.tx = tx;
    }

    @GetMapping("/settings")
    @Operation(summary = "The builds' settings", description = "Role: viewer (any signed-in user). Every setting with its `value`, "
            + "`default`, `type` and `description`; `updatedAt` when changed from the default.",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> list() {
        access.caller();
        return Map.of("items", settings.all().stream().map(SettingsController::view).toList());
    }

    @PatchMapping("/settings")
    @Operation(summary = "Change settings", description = """
            Role: admin. Body: `{"build.concurrency": 4, "artifacts.store": "local"}`. Every value is checked (type and \
            range) before any is stored: one bad value is a 422 naming it, and nothing changes. Unknown names are 422. \
            Audited (`settings.update`, with the old and new values).""", security = @SecurityRequirement(name = "BearerAuth"))
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(schema = @Schema(implementation = Object.class,
            description = "setting name -> new value", example = "{\"build.concurrency\": 4}")))
    Map<String, Object> update(@RequestBody(required = false) Map<String, Object> body) {
        access.requireAdmin();
        if (body == null || body.isEmpty()) {
            throw ApiException.invalid("give one or more settings to change, e.g. {\"build.concurrency\": 4}");
        }
        List<Map<String, String>> problems = new ArrayList<>();
        Map<BuildSettings.Definition, JsonNode> changes = new LinkedHashMap<>();
        for (Map.Entry<String, Object> raw : body.entrySet()) {
            JsonNode given = raw.getValue() == null ? NullNode.getInstance() : CanonicalJson.JSON.valueToTree(raw.getValue());
            Map.Entry<String, JsonNode> e = Map.entry(raw.getKey(), given);
            var d = BuildSettings.definition(e.getKey());
            if (d.isEmpty()) {
                problems.add(Map.of("name", ApiText.excerpt(e.getKey()), "message", "no such setting"));
                continue;
            }
            try {
                d.get().check().apply(e.getValue());
                changes.put(d.get(), e.getValue());
            } catch (IllegalArgumentException ex) {
                problems.add(Map.of("name", e.getKey(), "message", ex.getMessage()));
            }
        }
        if (!problems.isEmpty()) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "VALIDATION_FAILED", "settings refused: "
                    + problems.getFirst().get("name") + " " + problems.getFirst().get("message"), problems, null);
        }
        tx.executeWithoutResult(t -> {
            Map<String, JsonNode> before = new LinkedHashMap<>();
            settings.all().forEach(v -> before.put(v.definition().name(), v.value()));
            Map<String, Object> details = new LinkedHashMap<>();
            changes.forEach((d, v) -> {
                BuildSettings.Value stored = settings.set(d, v);
                details.put(d.name(), Map.of("from", before.get(d.name()), "to", stored.value()));
            });
            audit.record("settings.update", "settings", "builds", null, details);
        });
        return list();
    }

    /** The seed lists POST beside PATCH: the same partial update. */
    @PostMapping("/settings")
    @Operation(summary = "Change settings (as PATCH)", description = "Role: admin. Same as PATCH /settings.",
            security = @SecurityRequirement(name = "BearerAuth"))
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(schema = @Schema(implementation = Object.class,
            description = "setting name -> new value")))
    Map<String, Object> post(@RequestBody(required = false) Map<String, Object> body) {
        return update(body);
    }

    @DeleteMapping("/settings/{name}")
    @Operation(summary = "Reset a setting to its default", description = "Role: admin. Audited (`settings.reset`).",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> reset(@PathVariable String name) {
        access.requireAdmin();
        BuildSettings.Definition d = BuildSettings.definition(name).orElseThrow(() -> Strings.notFound("setting", name));
        tx.executeWithoutResult(t -> {
            if (settings.reset(d)) {
                audit.record("settings.reset", "settings", "builds", null, Map.of("name", name));
            }
        });
        return list();
    }

    private static Map<String, Object> view(BuildSettings.Value v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", v.definition().name());
        m.put("type", v.definition().type());
        m.put("value", v.value());
        m.put("default", v.definition().defaultValue());
        m.put("description", v.definition().description());
        m.put("updatedAt", v.updatedAt());
        return m;
    }
}
