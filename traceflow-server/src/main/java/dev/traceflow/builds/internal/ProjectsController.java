package dev.traceflow.builds.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.access.AppScope;
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
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code /projects} (seed 003 "Project"): a project belongs to one app ({@code appId}), whose roles
 * apply: viewers read, editors and owners write. Callers without a role on the app see 404, as
 * for a project that does not exist.
 */
@RestController
@Tag(name = "Projects", description = "Projects of an app, built with a template (the app's roles apply)")
class ProjectsController {

    static final int MAX_PROJECTS_PER_APP = 500;
    static final Pattern ENV = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    private final JdbcProjects projects;
    private final JdbcTemplates templates;
    private final AppAccess access;
    private final AppDirectory apps;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final ProjectReader reader;

    ProjectsController(JdbcProjects projects, JdbcTemplates templates, AppAccess access, AppDirectory apps, AuditLog audit,
                       TransactionTemplate tx, Clock clock, ProjectReader reader) {
        this.reader = reader;
        this.projects = projects;
        this.templates = templates;
        this.access = access;
        this.apps = apps;
        this.audit = audit;
        this.tx = tx;
        this.clock = clock;
    }

    record ProjectBody(@Schema(example = "shop") String appId, @Schema(example = "shop-acme") String name,
                       @Schema(example = "ACME Corp") String customer, @Schema(example = "production") String environment,
                       String templateId) {
    }

    @PostMapping("/projects")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a project", description = "Role: editor or above on `appId`. `templateId`: an existing template. "
            + "`environment`: 1-64 of a-z 0-9 _ - (default `production`). Audited (`project.create`).",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> create(@RequestBody(required = false) ProjectBody body) {
        if (body == null || body.appId() == null || body.appId().isBlank()) {
            throw ApiException.invalid("appId is required");
        }
        access.require(body.appId(), AppPermission.WRITE);
        if (apps.find(body.appId()).isEmpty()) {
            throw ApiException.noSuchApp(body.appId());
        }
        String name = Strings.name("name", body.name());
        String customer = Strings.text("customer", body.customer(), 200);
        String environment = environment(body.environment() == null ? "production" : body.environment());
        if (body.templateId() == null || templates.find(body.templateId()).isEmpty()) {
            throw ApiException.invalid("templateId names no template");
        }
        Instant now = clock.instant();
        Project p = new Project(UUID.randomUUID().toString(), body.appId(), name, customer, environment, body.templateId(),
                access.caller().userId(), now, now);
        tx.executeWithoutResult(t -> {
            if (projects.nameTaken(p.appId(), name, null)) {
                throw new ApiException(HttpStatus.CONFLICT, "CONFLICT", "the app has a project named '" + name + "'");
            }
            if (projects.countOfApp(p.appId()) >= MAX_PROJECTS_PER_APP) {
                throw new ApiException(HttpStatus.CONFLICT, "TOO_MANY_PROJECTS", "an app has at most " + MAX_PROJECTS_PER_APP + " projects");
            }
            projects.insert(p);
            audit.record("project.create", "project", p.id(), p.appId(), details(p));
        });
        return view(p);
    }

    @GetMapping("/projects")
    @Operation(summary = "Projects you can read", description = "Role: viewer or above on each project's app; `appId` narrows to one "
            + "app (404 without a role on it).", security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> list(@RequestParam(required = false) String appId) {
        if (appId != null) {
            access.require(appId, AppPermission.READ);
            return Map.of("items", projects.ofApp(appId).stream().map(ProjectsController::view).toList());
        }
        AppScope scope = access.scope(AppPermission.READ);
        return Map.of("items", projects.all(10_000).stream().filter(p -> scope.contains(p.appId())).map(ProjectsController::view).toList());
    }

    @GetMapping("/projects/{id}")
    @Operation(summary = "One project", description = "Role: viewer or above on its app (404 otherwise).",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> get(@PathVariable String id) {
        return view(readable(id));
    }

    @PatchMapping("/projects/{id}")
    @Operation(summary = "Change a project", description = "Role: editor or above on its app. The app cannot change. Audited "
            + "(`project.update`).", security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> update(@PathVariable String id, @RequestBody(required = false) ProjectBody body) {
        Project old = readable(id);
        access.require(old.appId(), AppPermission.WRITE);
        if (body == null || body.name() == null && body.customer() == null && body.environment() == null && body.templateId() == null
                && body.appId() == null) {
            throw ApiException.invalid("nothing to change: give name, customer, environment or templateId");
        }
        if (body.appId() != null && !body.appId().equals(old.appId())) {
            throw ApiException.invalid("a project cannot move to another app");
        }
        if (body.templateId() != null && templates.find(body.templateId()).isEmpty()) {
            throw ApiException.invalid("templateId names no template");
        }
        Project p = new Project(id, old.appId(), body.name() == null ? old.name() : Strings.name("name", body.name()),
                body.customer() == null ? old.customer() : Strings.text("customer", body.customer(), 200),
                body.environment() == null ? old.environment() : environment(body.environment()),
                body.templateId() == null ? old.templateId() : body.templateId(), old.ownerId(), old.createdAt(), clock.instant());
        tx.executeWithoutResult(t -> {
            if (projects.nameTaken(p.appId(), p.name(), id)) {
                throw new ApiException(HttpStatus.CONFLICT, "CONFLICT", "the app has a project named '" + p.name() + "'");
            }
            projects.update(p);
            audit.record("project.update", "project", id, p.appId(), details(p));
        });
        return view(p);
    }

    @DeleteMapping("/projects/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a project and its configs", description = "Role: editor or above on its app. Audited "
            + "(`project.delete`).", security = @SecurityRequirement(name = "BearerAuth"))
    void delete(@PathVariable String id) {
        Project p = readable(id);
        access.require(p.appId(), AppPermission.WRITE);
        tx.executeWithoutResult(t -> {
            if (!projects.delete(id)) {
                throw Strings.notFound("project", id);
            }
            audit.record("project.delete", "project", id, p.appId(), Map.of("name", p.name()));
        });
    }

    private Project readable(String id) {
        return reader.readable(id);
    }

    static String environment(String env) {
        if (!ENV.matcher(env).matches()) {
            throw ApiException.invalid("environment must be 1-64 of a-z 0-9 _ -, starting with a letter or digit");
        }
        return env;
    }

    private static Map<String, Object> details(Project p) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", p.name());
        d.put("customer", p.customer());
        d.put("environment", p.environment());
        d.put("templateId", p.templateId());
        return d;
    }

    static Map<String, Object> view(Project p) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", p.id());
        v.put("appId", p.appId());
        v.put("name", p.name());
        v.put("customer", p.customer());
        v.put("environment", p.environment());
        v.put("templateId", p.templateId());
        v.put("ownerId", p.ownerId());
        v.put("createdAt", p.createdAt());
        v.put("updatedAt", p.updatedAt());
        return v;
    }
}
