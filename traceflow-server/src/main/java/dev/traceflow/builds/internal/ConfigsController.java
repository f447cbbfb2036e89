package dev.traceflow.builds.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.http.ApiException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code /configs} (seed 003 "ConfigInstance"): a project's configs, their replacements, and
 * their validation into a snapshot hash. The project's app roles apply: viewers read, editors
 * write and validate. Saving a config identical to one the project has answers 409 with its id.
 */
@RestController
@Tag(name = "Configs", description = "Config instances of projects, validated into snapshot hashes (the project's app roles apply)")
class ConfigsController {

    static final int MAX_CONFIGS_PER_PROJECT = 500;
    static final int MAX_CONFIG_CHARS = 256 * 1024;

    private final JdbcProjects projects;
    private final JdbcTemplates templates;
    private final ProjectReader projectAccess;
    private final ConfigValidation validation;
    private final AppAccess access;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final BuildsProperties limits;
    private final Timer validateTimer;
    private final MeterRegistry metrics;

    ConfigsController(JdbcProjects projects, JdbcTemplates templates, ProjectReader projectAccess, ConfigValidation validation,
                      AppAccess access, AuditLog audit, TransactionTemplate tx, Clock clock, BuildsProperties limits, MeterRegistry metrics) {
        this.projects = projects;
        this.templates = templates;
        this.projectAccess = projectAccess;
        this.validation = validation;
        this.access = access;
        this.audit = audit;
        this.tx = tx;
        this.clock = clock;
        this.limits = limits;
        this.metrics = metrics;
        this.validateTimer = Timer.builder("traceflow.builds.config.validate").publishPercentiles(0.5, 0.99).register(metrics);
    }

    record ConfigBody(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) String projectId,
                      @Schema(example = "production", description = "default: the project's environment") String env,
                      @Schema(implementation = Object.class, requiredMode = Schema.RequiredMode.REQUIRED,
                              description = "checked against the exposed schemas of the template's sources") JsonNode config,
                      @Schema(implementation = Object[].class, description = "[{path, content}]: content (a Mustache template) written to path; the "
                              + "path's first folder names the source") JsonNode fileReplacements,
                      @Schema(implementation = Object[].class, description = "[{path, search, replace, regex?}]") JsonNode textReplacements) {
    }

    @PostMapping("/configs")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Save a config of a project", description = """
            Role: editor or above on the project's app (404 without a role). Paths are relative to the build's \
            workspace, where each source is checked out in a folder named after the git source; `..`, absolute paths, \
            NUL and control characters are refused (422). 409 CONFLICT with the existing config's `id` in `details` \
            when the project has a config with the same env, config and replacements (key order and whitespace do not \
            count). Audited (`config.create`, without the config's values).""", security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> create(@RequestBody(required = false) ConfigBody body) {
        if (body == null || body.projectId() == null) {
            throw ApiException.invalid("projectId is required");
        }
        Project project = projectAccess.readable(body.projectId());
        access.require(project.appId(), AppPermission.WRITE);
        Content content = content(body.env() == null ? project.environment() : body.env(), body.config(), body.fileReplacements(),
                body.textReplacements());
        Instant now = clock.instant();
        ConfigInstance c = new ConfigInstance(UUID.randomUUID().toString(), project.id(), project.templateId(), content.env(),
                content.config(), content.files(), content.texts(), content.hash(), false, null, null, now, now);
        try {
            tx.executeWithoutResult(t -> {
                projects.sameContent(project.id(), c.contentHash(), null).ifPresent(ConfigsController::duplicate);
                if (projects.countConfigs(project.id()) >= MAX_CONFIGS_PER_PROJECT) {
                    throw new ApiException(HttpStatus.CONFLICT, "TOO_MANY_CONFIGS", "a project has at most " + MAX_CONFIGS_PER_PROJECT
                            + " configs");
                }
                projects.insert(c);
                audit.record("config.create", "config", c.id(), project.appId(), auditDetails(c));
            });
        } catch (DuplicateKeyException e) {
            // two identical saves at once: the unique (project, content) key let one in
            projects.sameContent(project.id(), c.contentHash(), null).ifPresent(ConfigsController::duplicate);
            throw e;
        }
        return view(c);
    }

    @GetMapping("/configs")
    @Operation(summary = "Configs of a project", description = "Role: viewer or above on the project's app (404 otherwise).",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> list(@RequestParam String projectId) {
        Project project = projectAccess.readable(projectId);
        return Map.of("items", projects.configsOf(project.id()).stream().map(ConfigsController::view).toList());
    }

    @GetMapping("/configs/{id}")
    @Operation(summary = "One config", description = "Role: viewer or above on its project's app (404 otherwise).",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> get(@PathVariable String id) {
        return view(readable(id).config());
    }

    @PatchMapping("/configs/{id}")
    @Operation(summary = "Change a config", description = "Role: editor or above. Only the fields given change; a change clears "
            + "`validated` and `snapshotHash`. 409 when the result equals another config of the project. Audited (`config.update`).",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> update(@PathVariable String id, @RequestBody(required = false) ConfigBody body) {
        Found found = readable(id);
        access.require(found.project().appId(), AppPermission.WRITE);
        ConfigInstance old = found.config();
        if (body == null || body.env() == null && body.config() == null && body.fileReplacements() == null
                && body.textReplacements() == null) {
            throw ApiException.invalid("nothing to change: give env, config, fileReplacements or textReplacements");
        }
        if (body.projectId() != null && !body.projectId().equals(old.projectId())) {
            throw ApiException.invalid("a config cannot move to another project");
        }
        Content content = content(body.env() == null ? old.env() : body.env(),
                body.config() == null ? CanonicalJson.JSON.readTree(old.config()) : body.config(),
                body.fileReplacements() == null ? CanonicalJson.JSON.readTree(old.fileReplacements()) : body.fileReplacements(),
                body.textReplacements() == null ? CanonicalJson.JSON.readTree(old.textReplacements()) : body.textReplacements());
        boolean same = content.hash().equals(old.contentHash());
        ConfigInstance c = new ConfigInstance(id, old.projectId(), found.project().templateId(), content.env(), content.config(),
                content.files(), content.texts(), content.hash(), same && old.validated(), same ? old.snapshotHash() : null,
                same ? old.resolvedVersions() : null, old.createdAt(), clock.instant());
        tx.executeWithoutResult(t -> {
            projects.sameContent(old.projectId(), c.contentHash(), id).ifPresent(ConfigsController::duplicate);
            projects.update(c);
            audit.record("config.update", "config", id, found.project().appId(), auditDetails(c));
        });
        return view(c);
    }

    @DeleteMapping("/configs/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a config", description = "Role: editor or above. Audited (`config.delete`).",
            security = @SecurityRequirement(name = "BearerAuth"))
    void delete(@PathVariable String id) {
        Found found = readable(id);
        access.require(found.project().appId(), AppPermission.WRITE);
        tx.executeWithoutResult(t -> {
            if (!projects.deleteConfig(id)) {
                throw Strings.notFound("config", id);
            }
            audit.record("config.delete", "config", id, found.project().appId(), Map.of("contentHash", found.config().contentHash()));
        });
    }

    @PostMapping("/configs/{id}/validate")
    @Operation(summary = "Validate a config into a snapshot hash", description = """
            Role: editor or above (execute). Resolves each bound source's version by its strategy (registered, usable \
            versions), checks `config` against each source's exposed JSON Schema and the replacements against the \
            resolved checkouts (a path through a symbolic link or submodule, a missing file, a search not found, a file \
            replaced whole and also edited, two text replacements on one region). 200 `{"valid": true, "snapshotHash", \
            "resolvedVersions": [{"gitSourceId", "ref", "commit"}]}`, stored on the config; or 422 VALIDATION_FAILED \
            with `details: [{"in": "config|fileReplacements|textReplacements|versions", "pointer", "message"}]`, the \
            config unchanged. The hash is sha256 over the RFC 8785 canonical JSON of the template (id, deploy type, \
            bindings in build order), the resolved commits, env, config and replacements. Audited (`config.validate`) \
            when the answer changes what the config holds; validating again to the answer already stored writes \
            nothing (no audit row, `updatedAt` unchanged).""",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> validate(@PathVariable String id) {
        Found found = readable(id);
        access.require(found.project().appId(), AppPermission.EXECUTE);
        Template template = templates.find(found.project().templateId())
                .orElseThrow(() -> ApiException.invalid("the project's template is gone"));
        ConfigValidation.Outcome outcome = validateTimer.record(() -> validation.validate(template, found.config()));
        metrics.counter("traceflow.builds.config.validations", "outcome", outcome.valid() ? "valid" : "invalid").increment();
        if (!outcome.valid()) {
            List<Map<String, String>> details = outcome.problems().stream()
                    .map(p -> Map.of("in", p.in(), "pointer", p.pointer(), "message", p.message())).toList();
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "VALIDATION_FAILED", "the config is not valid: " + details.size()
                    + " problem(s) in details", details, null);
        }
        ConfigInstance old = found.config();
        if (!alreadyStored(old, template, outcome)) {
            String resolved = CanonicalJson.JSON.writeValueAsString(outcome.resolvedVersions());
            ConfigInstance c = new ConfigInstance(old.id(), old.projectId(), template.id(), old.env(), old.config(), old.fileReplacements(),
                    old.textReplacements(), old.contentHash(), true, outcome.snapshotHash(), resolved, old.createdAt(), clock.instant());
            tx.executeWithoutResult(t -> {
                projects.update(c);
                audit.record("config.validate", "config", id, found.project().appId(), Map.of("snapshotHash", outcome.snapshotHash(),
                        "resolvedVersions", outcome.resolvedVersions()));
            });
        }
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("valid", true);
        v.put("snapshotHash", outcome.snapshotHash());
        v.put("resolvedVersions", outcome.resolvedVersions());
        return v;
    }

    /**
     * Whether the config already holds this answer (validated, same template, hash and versions), so that
     * validating it again writes nothing: a repeated validation (a CI job checking before each build) changed
     * no row, and its UPDATE and audit row were the endpoint's slowest part (an H2 commit, and the store's
     * background writer on the same CPU afterwards).
     */
    private static boolean alreadyStored(ConfigInstance stored, Template template, ConfigValidation.Outcome outcome) {
        if (!stored.validated() || stored.resolvedVersions() == null || !template.id().equals(stored.templateId())
                || !outcome.snapshotHash().equals(stored.snapshotHash())) {
            return false;
        }
        // compared as JSON, not as text: the stored text's key order is whichever the writing JVM's Map.of had
        return CanonicalJson.JSON.readTree(stored.resolvedVersions()).equals(CanonicalJson.JSON.valueToTree(outcome.resolvedVersions()));
    }

    private record Found(Project project, ConfigInstance config) {
    }

    private record Content(String env, String config, String files, String texts, String hash) {
    }

    private Found readable(String id) {
        ConfigInstance c = projects.findConfig(id).orElseThrow(() -> Strings.notFound("config", id));
        Project p;
        try {
            p = projectAccess.readable(c.projectId());
        } catch (ApiException e) {
            throw Strings.notFound("config", id);
        }
        return new Found(p, c);
    }

    private Content content(String env, JsonNode config, JsonNode fileReplacements, JsonNode textReplacements) {
        ProjectsController.environment(env);
        if (config == null || !config.isObject()) {
            throw ApiException.invalid("config must be a JSON object");
        }
        String configText = CanonicalJson.JSON.writeValueAsString(config);
        if (configText.length() > MAX_CONFIG_CHARS) {
            throw ApiException.tooLarge("config is larger than " + MAX_CONFIG_CHARS / 1024 + " KB");
        }
        List<Replacements.FileReplacement> files;
        List<Replacements.TextReplacement> texts;
        try {
            files = Replacements.files(fileReplacements);
            texts = Replacements.texts(textReplacements, limits);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(e.getMessage());
        }
        JsonNode filesJson = Replacements.toJson(files);
        JsonNode textsJson = Replacements.textsToJson(texts);
        ObjectNode identity = CanonicalJson.JSON.createObjectNode();
        identity.put("env", env);
        identity.set("config", config);
        identity.set("fileReplacements", filesJson);
        identity.set("textReplacements", textsJson);
        return new Content(env, configText, CanonicalJson.JSON.writeValueAsString(filesJson), CanonicalJson.JSON.writeValueAsString(textsJson),
                CanonicalJson.sha256(identity));
    }

    private static void duplicate(String existingId) {
        throw new ApiException(HttpStatus.CONFLICT, "DUPLICATE_CONFIG", "the project has an identical config: " + existingId,
                List.of(Map.of("id", existingId)), null);
    }

    private static Map<String, Object> auditDetails(ConfigInstance c) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("projectId", c.projectId());
        d.put("env", c.env());
        d.put("contentHash", c.contentHash());
        return d;
    }

    static Map<String, Object> view(ConfigInstance c) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", c.id());
        v.put("projectId", c.projectId());
        v.put("templateId", c.templateId());
        v.put("env", c.env());
        v.put("config", CanonicalJson.JSON.readTree(c.config()));
        v.put("fileReplacements", CanonicalJson.JSON.readTree(c.fileReplacements()));
        v.put("textReplacements", CanonicalJson.JSON.readTree(c.textReplacements()));
        v.put("validated", c.validated());
        v.put("snapshotHash", c.snapshotHash());
        v.put("resolvedVersions", c.resolvedVersions() == null ? null : CanonicalJson.JSON.readTree(c.resolvedVersions()));
        v.put("createdAt", c.createdAt());
        v.put("updatedAt", c.updatedAt());
        return v;
    }
}
