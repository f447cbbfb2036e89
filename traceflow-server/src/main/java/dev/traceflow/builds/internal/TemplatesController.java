package dev.traceflow.builds.internal;

import dev.traceflow.access.AppAccess;
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
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code /templates} (seed 003 "Template"): what is built from which sources, in which order.
 * Admins write, signed-in users read. Binding a source checks its version strategy against the
 * source's registered versions and the whole dependency graph; a cycle is refused with its path.
 */
@RestController
@Tag(name = "Templates", description = "Build templates and their bound sources (admins write, signed-in users read)")
class TemplatesController {

    static final int MAX_TEMPLATES = 1000;
    static final int MAX_SOURCES_PER_TEMPLATE = 50;
    private static final Pattern DEPLOY_TYPE = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    private final JdbcTemplates templates;
    private final JdbcGitSources sources;
    private final JdbcSourceVersions versions;
    private final AppAccess access;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final Clock clock;

    TemplatesController(JdbcTemplates templates, JdbcGitSources sources, JdbcSourceVersions versions, AppAccess access, AuditLog audit,
                        TransactionTemplate tx, Clock clock) {
        this.templates = templates;
        this.sources = sources;
        this.versions = versions;
        this.access = access;
        this.audit = audit;
        this.tx = tx;
        this.clock = clock;
    }

    record TemplateBody(@Schema(example = "shop") String name,
                        @Schema(example = "static", description = "1-64 of a-z 0-9 -: how the result is deployed") String deployType,
                        String description) {
    }

    record BindingBody(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) String gitSourceId,
                       @Schema(implementation = Object.class, requiredMode = Schema.RequiredMode.REQUIRED, example = "{\"type\": \"range\", \"range\": \"^1.2\"}",
                               description = "{type: fixed, ref} | {type: latest-stable} | {type: range, range}") JsonNode versionStrategy,
                       @Schema(description = "lower builds first among sources whose dependencies are built; default 0") Integer buildOrder,
                       @Schema(description = "git source ids bound to this template that are built before this one; its build reads "
                               + "their folders read-only at ../<source name>") List<String> dependencies,
                       @Schema(implementation = Object.class, requiredMode = Schema.RequiredMode.REQUIRED,
                               example = "{\"command\": [\"sh\", \"build.sh\"], \"artifacts\": [\"dist/**\"], \"timeout\": \"PT10M\", \"network\": false}")
                       JsonNode build) {
    }

    @PostMapping("/templates")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a template", description = "Role: admin. Bind sources next with POST /templates/{id}/sources. "
            + "Audited (`template.create`).", security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> create(@RequestBody(required = false) TemplateBody body) {
        access.requireAdmin();
        if (body == null) {
            throw ApiException.invalid("a template body is required");
        }
        String name = Strings.name("name", body.name());
        String deployType = deployType(body.deployType());
        String description = Strings.text("description", body.description(), 2000);
        Instant now = clock.instant();
        Template t = new Template(UUID.randomUUID().toString(), name, deployType, description, now, now);
        tx.executeWithoutResult(s -> {
            if (templates.nameTaken(name, null)) {
                throw new ApiException(HttpStatus.CONFLICT, "CONFLICT", "a template named '" + name + "' exists");
            }
            if (templates.count() >= MAX_TEMPLATES) {
                throw new ApiException(HttpStatus.CONFLICT, "TOO_MANY_TEMPLATES", "at most " + MAX_TEMPLATES + " templates");
            }
            templates.insert(t);
            audit.record("template.create", "template", t.id(), null, Map.of("name", name, "deployType", deployType));
        });
        return view(t, List.of());
    }

    @GetMapping("/templates")
    @Operation(summary = "Templates", description = "Role: viewer (any signed-in user). Each with its sources in build order.",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> list() {
        access.caller();
        return Map.of("items", templates.all().stream().map(t -> view(t, templates.bindings(t.id()))).toList());
    }

    @GetMapping("/templates/{id}")
    @Operation(summary = "One template", description = "Role: viewer (any signed-in user). `sources` in build order "
            + "(dependencies first, then by buildOrder).", security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> get(@PathVariable String id) {
        access.caller();
        Template t = existing(id);
        return view(t, templates.bindings(id));
    }

    @PatchMapping("/templates/{id}")
    @Operation(summary = "Change a template", description = "Role: admin. Audited (`template.update`).",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> update(@PathVariable String id, @RequestBody(required = false) TemplateBody body) {
        access.requireAdmin();
        if (body == null || body.name() == null && body.deployType() == null && body.description() == null) {
            throw ApiException.invalid("nothing to change: give name, deployType or description");
        }
        Template old = existing(id);
        Template t = new Template(id, body.name() == null ? old.name() : Strings.name("name", body.name()),
                body.deployType() == null ? old.deployType() : deployType(body.deployType()),
                body.description() == null ? old.description() : Strings.text("description", body.description(), 2000),
                old.createdAt(), clock.instant());
        tx.executeWithoutResult(s -> {
            if (templates.nameTaken(t.name(), id)) {
                throw new ApiException(HttpStatus.CONFLICT, "CONFLICT", "a template named '" + t.name() + "' exists");
            }
            templates.update(t);
            audit.record("template.update", "template", id, null, Map.of("name", t.name(), "deployType", t.deployType()));
        });
        return view(t, templates.bindings(id));
    }

    @DeleteMapping("/templates/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a template", description = "Role: admin. 409 while a project uses it. Audited (`template.delete`).",
            security = @SecurityRequirement(name = "BearerAuth"))
    void delete(@PathVariable String id) {
        access.requireAdmin();
        Template t = existing(id);
        tx.executeWithoutResult(s -> {
            if (templates.usedByProjects(id)) {
                throw new ApiException(HttpStatus.CONFLICT, "IN_USE", "a project uses this template");
            }
            if (!templates.delete(id)) {
                throw Strings.notFound("template", id);
            }
            audit.record("template.delete", "template", id, null, Map.of("name", t.name()));
        });
    }

    @PostMapping("/templates/{id}/sources")
    @Operation(summary = "Bind a git source to a template, or change its binding", description = """
            Role: admin. `versionStrategy`: `{"type": "fixed", "ref"}` (a registered tag or commit), \
            `{"type": "latest-stable"}` (highest semver tag that is no pre-release) or `{"type": "range", "range": "^1.2"}` \
            (npm semver ranges); it must resolve now against the source's usable registered versions (fetch them with \
            POST /git-sources/{id}/versions), else 422. `dependencies`: git source ids bound to this template, built \
            first; this source's build step reads their checkouts, with what their builds wrote, read-only at \
            `../<source name>` beside its own folder (no other source's folder is visible to it); a cycle is refused \
            (422, `details` holds the cycle's path). `build`: `command` as an argument list \
            (never a shell string), `artifacts` (paths inside the checkout), `timeout` (PT1S-PT6H, default PT10M), \
            `network` (default false). Answers the template with its sources in build order. Audited (`template.bind`).""",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> bind(@PathVariable String id, @RequestBody(required = false) BindingBody body) {
        access.requireAdmin();
        if (body == null || body.gitSourceId() == null) {
            throw ApiException.invalid("gitSourceId is required");
        }
        existing(id);
        GitSource source = sources.find(body.gitSourceId()).orElseThrow(() -> ApiException.invalid("gitSourceId names no git source"));
        VersionStrategy strategy;
        BuildSpec build;
        try {
            strategy = VersionStrategy.parse(body.versionStrategy());
            build = BuildSpec.parse(body.build());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(e.getMessage());
        }
        int buildOrder = body.buildOrder() == null ? 0 : body.buildOrder();
        if (buildOrder < 0 || buildOrder > 10_000) {
            throw ApiException.invalid("buildOrder must be 0-10000");
        }
        if (body.dependencies() != null && body.dependencies().stream().anyMatch(d -> d == null)) {
            throw ApiException.invalid("dependencies must be git source ids, not null");
        }
        List<String> dependencies = body.dependencies() == null ? List.of() : List.copyOf(new LinkedHashSet<>(body.dependencies()));
        if (dependencies.size() > MAX_SOURCES_PER_TEMPLATE) {
            throw ApiException.invalid("dependencies must list at most " + MAX_SOURCES_PER_TEMPLATE + " git source ids");
        }
        if (dependencies.contains(source.id())) {
            throw dependencyCycle(List.of(source.id(), source.id()), Map.of(source.id(), source.name()));
        }
        VersionStrategy.Resolution resolution = strategy.resolve(versions.forResolution(source.id()));
        if (resolution.version() == null) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "VALIDATION_FAILED", "versionStrategy does not resolve: "
                    + resolution.problem(), List.of(Map.of("pointer", "/versionStrategy", "message", resolution.problem())), null);
        }
        Template.Binding binding = new Template.Binding(UUID.randomUUID().toString(), id, source.id(), strategy, buildOrder, dependencies,
                build);
        List<Template.Binding> after = tx.execute(s -> {
            Template locked = templates.findForUpdate(id).orElseThrow(() -> Strings.notFound("template", id));
            List<Template.Binding> bound = new ArrayList<>(templates.bindings(id));
            bound.removeIf(b -> b.gitSourceId().equals(source.id()));
            bound.add(binding);
            if (bound.size() > MAX_SOURCES_PER_TEMPLATE) {
                throw ApiException.invalid("a template binds at most " + MAX_SOURCES_PER_TEMPLATE + " sources");
            }
            for (String d : dependencies) {
                if (bound.stream().noneMatch(b -> b.gitSourceId().equals(d))) {
                    throw ApiException.invalid("dependency '" + ApiText.excerpt(d) + "' is not bound to this template; bind it first");
                }
            }
            List<BuildGraph.Node> nodes = nodes(bound);
            if (BuildGraph.order(nodes).isEmpty()) {
                throw dependencyCycle(BuildGraph.cycle(nodes).orElseThrow(), names(bound));
            }
            templates.upsert(binding);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("gitSourceId", source.id());
            details.put("versionStrategy", strategy.toJson());
            details.put("buildOrder", buildOrder);
            details.put("dependencies", dependencies);
            details.put("build", build.toJson());
            audit.record("template.bind", "template", id, null, details);
            templates.update(new Template(locked.id(), locked.name(), locked.deployType(), locked.description(), locked.createdAt(),
                    clock.instant()));
            return templates.bindings(id);
        });
        return view(existing(id), after);
    }

    @DeleteMapping("/templates/{id}/sources/{gitSourceId}")
    @Operation(summary = "Unbind a git source from a template", description = "Role: admin. 409 while another bound source depends on "
            + "it. Audited (`template.unbind`).", security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> unbind(@PathVariable String id, @PathVariable String gitSourceId) {
        access.requireAdmin();
        existing(id);
        List<Template.Binding> after = tx.execute(s -> {
            templates.findForUpdate(id).orElseThrow(() -> Strings.notFound("template", id));
            List<Template.Binding> bound = templates.bindings(id);
            if (bound.stream().anyMatch(b -> b.dependencies().contains(gitSourceId))) {
                throw new ApiException(HttpStatus.CONFLICT, "IN_USE", "another bound source depends on this one");
            }
            if (!templates.unbind(id, gitSourceId)) {
                throw Strings.notFound("binding of this template", gitSourceId);
            }
            audit.record("template.unbind", "template", id, null, Map.of("gitSourceId", gitSourceId));
            return templates.bindings(id);
        });
        return view(existing(id), after);
    }

    private ApiException dependencyCycle(List<String> cycle, Map<String, String> names) {
        List<String> named = cycle.stream().map(c -> names.getOrDefault(c, c)).toList();
        return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "DEPENDENCY_CYCLE", "the dependencies form a cycle: "
                + String.join(" -> ", named), List.of(Map.of("cycle", cycle, "names", named)), null);
    }

    private Map<String, String> names(List<Template.Binding> bound) {
        Map<String, String> names = new HashMap<>();
        for (Template.Binding b : bound) {
            sources.find(b.gitSourceId()).ifPresent(s -> names.put(s.id(), s.name()));
        }
        return names;
    }

    private List<BuildGraph.Node> nodes(List<Template.Binding> bound) {
        Map<String, String> names = names(bound);
        return bound.stream().map(b -> new BuildGraph.Node(b.gitSourceId(), names.getOrDefault(b.gitSourceId(), b.gitSourceId()),
                b.buildOrder(), b.dependencies())).toList();
    }

    private Template existing(String id) {
        return templates.find(id).orElseThrow(() -> Strings.notFound("template", id));
    }

    private static String deployType(String deployType) {
        if (deployType == null || !DEPLOY_TYPE.matcher(deployType).matches()) {
            throw ApiException.invalid("deployType must be 1-64 of a-z 0-9 -, e.g. static");
        }
        return deployType;
    }

    /** The bindings in build order (stored graphs have no cycle: binding refuses them). */
    List<Template.Binding> inBuildOrder(List<Template.Binding> bound) {
        List<String> order = BuildGraph.order(nodes(bound)).orElse(bound.stream().map(Template.Binding::gitSourceId).toList());
        return order.stream().map(id -> bound.stream().filter(b -> b.gitSourceId().equals(id)).findFirst().orElseThrow()).toList();
    }

    private Map<String, Object> view(Template t, List<Template.Binding> bound) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", t.id());
        v.put("name", t.name());
        v.put("deployType", t.deployType());
        v.put("description", t.description());
        v.put("sources", inBuildOrder(bound).stream().map(TemplatesController::view).toList());
        v.put("createdAt", t.createdAt());
        v.put("updatedAt", t.updatedAt());
        return v;
    }

    static Map<String, Object> view(Template.Binding b) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("gitSourceId", b.gitSourceId());
        v.put("versionStrategy", b.versionStrategy().toJson());
        v.put("buildOrder", b.buildOrder());
        v.put("dependencies", b.dependencies());
        v.put("build", b.build().toJson());
        return v;
    }
}
