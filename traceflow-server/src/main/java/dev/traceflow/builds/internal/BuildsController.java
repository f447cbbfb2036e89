package dev.traceflow.builds.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.access.AppScope;
import dev.traceflow.apps.App;
import dev.traceflow.apps.AppDirectory;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.http.ApiException;
import dev.traceflow.reading.ReadRequests;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code /builds} (API.md "Builds", issue 21 item 1): triggers, reading, cancel, retry and rollback.
 * The project's app roles apply: viewers read, editors and owners execute; a caller without a role
 * on the app gets 404, as for a build that does not exist.
 */
@RestController
@Tag(name = "Builds", description = "Builds of a project's validated configs: queued, run by workers, with stages, logs, artifact and release (the project's app's roles apply)")
class BuildsController {

    static final int MAX_PAGE = 200;
    private static final Set<String> STATUSES = Set.of(Build.QUEUED, Build.RUNNING, Build.SUCCESS, Build.FAIL, Build.CANCELED);

    private final JdbcBuilds builds;
    private final ProjectReader projectAccess;
    private final BuildTriggers triggers;
    private final BuildQueue queue;
    private final BuildWorkers workers;
    private final AppAccess access;
    private final AppDirectory apps;
    private final AuditLog audit;
    private final TransactionTemplate tx;

    BuildsController(JdbcBuilds builds, ProjectReader projectAccess, BuildTriggers triggers, BuildQueue queue,
                     BuildWorkers workers, AppAccess access, AppDirectory apps, AuditLog audit, TransactionTemplate tx) {
        this.builds = builds;
        this.projectAccess = projectAccess;
        this.triggers = triggers;
        this.queue = queue;
        this.workers = workers;
        this.access = access;
        this.apps = apps;
        this.audit = audit;
        this.tx = tx;
    }

    record TriggerBody(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) String projectId,
                       @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "a validated config of the project") String configId) {
    }

    @PostMapping("/builds")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Trigger a build of a validated config", description = """
            Role: editor or owner of the project's app (execute; a viewer gets 403, a caller without a role 404). The \
            config's snapshot (hash, resolved commits, config and replacements, the template's bindings) is frozen into \
            the build. 202 `{"id", "status": "queued"}`; 422 when the config is not validated (or the template changed \
            since); 409 BUILD_IN_PROGRESS with the queued or running build of the same snapshot's `id` in `details`; \
            429 QUEUE_FULL beyond the `build.queueCapacity` setting. Audited (`build.trigger`).""",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> trigger(@RequestBody(required = false) TriggerBody body) {
        if (body == null || body.projectId() == null || body.configId() == null) {
            throw ApiException.invalid("projectId and configId are required");
        }
        Build.Trigger caller = Build.Trigger.of(access.caller());
        // one transaction, one connection: the project with the config, its template with the sources and the queue's
        // admission in one read, the caller's role, then the build, its stages, the queue count and the audit row
        Build b = queued(() -> {
            TriggerRead.Found found = projectAccess.executableForTrigger(body.projectId(), body.configId());
            Project project = found.project();
            Build built = triggers.trigger(found, caller);
            audit.record("build.trigger", "build", built.id(), project.appId(), Map.of("projectId", project.id(), "configId",
                    built.configId(), "snapshotHash", built.snapshotHash()));
            return built;
        });
        return Map.of("id", b.id(), "status", b.status());
    }

    @GetMapping("/builds")
    @Operation(summary = "Builds you can read, newest first", description = """
            Role: viewer or above on each build's app. Filters: `appId` (every build of the app's projects; 404 without \
            a role on the app, as for an app that does not exist), `projectId` (404 without a role on its app), `status` \
            (queued | running | success | fail | canceled). Paging: `offset` and `limit` (1-200, default 50); the answer's \
            `next` is the offset of the next page, or null. Each item is the build as `GET /builds/{id}` answers it, \
            `stages` included (name, status, startedAt, finishedAt, in step order). A bad value of a parameter is 400 \
            INVALID_PARAMETER naming it in `details`.""", security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> list(@RequestParam(required = false) String appId, @RequestParam(required = false) String projectId,
                             @RequestParam(required = false) String status, @RequestParam(defaultValue = "0") int offset,
                             @RequestParam(defaultValue = "50") int limit) {
        if (appId != null && !App.wellFormedId(appId)) {
            throw ReadRequests.invalid("appId", "appId must be an app's id: 1-64 of a-z, 0-9, '-' and '_'");
        }
        if (status != null && !STATUSES.contains(status)) {
            throw ReadRequests.invalid("status", "status must be one of queued, running, success, fail, canceled");
        }
        if (offset < 0) {
            throw ReadRequests.invalid("offset", "offset must be 0 or more");
        }
        if (limit < 1 || limit > MAX_PAGE) {
            throw ReadRequests.invalid("limit", "limit must be 1-" + MAX_PAGE);
        }
        AppScope scope = access.scope(AppPermission.READ);
        if (appId != null) {
            access.require(appId, AppPermission.READ);
            if (apps.find(appId).isEmpty()) {
                throw ApiException.noSuchApp(appId);
            }
        }
        if (projectId != null) {
            projectAccess.readable(projectId);
        }
        List<Build> page = builds.list(scope, appId, projectId, status, offset, limit + 1);
        List<Build> shown = page.stream().limit(limit).toList();
        Map<String, List<Build.Stage>> stages = builds.stagesOf(shown.stream().map(Build::id).toList());
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("items", shown.stream().map(b -> view(b, stages.getOrDefault(b.id(), List.of()))).toList());
        v.put("next", page.size() > limit ? offset + limit : null);
        return v;
    }

    @GetMapping("/builds/{id}")
    @Operation(summary = "One build", description = """
            Role: viewer or above on its app (404 otherwise). `status`, `stages` with their times, `attempt`, \
            `triggeredBy` (`{"username", "token"}`: who asked for this build, as named then; `token` is the API token's \
            name when the request came with one, absent after a login; a retry or rollback names who asked for it), \
            `configSnapshotHash`, `resolvedVersions`, `parentId` (retries and rollbacks), `failureReason`, `logsRef` \
            (the log's archive once the build ended), `artifactRef` with `artifact: {sha256, size}`, and `release`.""",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> get(@PathVariable String id) {
        Build b = readable(id);
        return view(b, builds.stages(b.id()));
    }

    @PostMapping("/builds/{id}/cancel")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Cancel a build", description = """
            Role: editor or owner (execute). A queued build is canceled at once (`status: canceled`); a running one is \
            asked to stop: its worker ends the command's whole process tree and finishes it as `canceled` \
            (`status: running`, `cancelRequested: true` until then). 409 BUILD_ENDED for a build that has ended. \
            Audited (`build.cancel`).""", security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> cancel(@PathVariable String id) {
        Build b = executable(id);
        String status = tx.execute(t -> {
            String s;
            if (builds.cancelQueued(b.id(), queue.now())) {
                s = Build.CANCELED;
            } else if (builds.requestCancel(b.id())) {
                s = Build.RUNNING;
            } else {
                throw new ApiException(HttpStatus.CONFLICT, "BUILD_ENDED", "the build has ended already");
            }
            audit.record("build.cancel", "build", b.id(), b.appId(), Map.of("statusBefore", b.status()));
            return s;
        });
        if (Build.CANCELED.equals(status)) {
            queue.canceledWhileQueued(b.id());
        } else {
            workers.cancel(b.id());
        }
        return Map.of("id", b.id(), "status", status, "cancelRequested", true);
    }

    @PostMapping("/builds/{id}/retry")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Retry a failed or canceled build", description = """
            Role: editor or owner (execute). A new build with the same frozen inputs (`kind: retry`, `parentId`), even if \
            the config changed since. 409 NOT_RETRYABLE unless the build failed or was canceled; 409 BUILD_IN_PROGRESS \
            when its snapshot is queued or running. 202 `{"id", "status": "queued", "parentId"}`. Audited (`build.retry`).""",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> retry(@PathVariable String id) {
        Build parent = executable(id);
        if (!parent.status().equals(Build.FAIL) && !parent.status().equals(Build.CANCELED)) {
            throw new ApiException(HttpStatus.CONFLICT, "NOT_RETRYABLE", "only a failed or canceled build is retried; this one is "
                    + parent.status());
        }
        return again(parent, "retry");
    }

    @PostMapping("/builds/{id}/rollback")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Roll back to an earlier successful build", description = """
            Role: editor or owner (execute). Rebuilds the earlier build's exact snapshot (its frozen inputs and commits) as \
            a new build (`kind: rollback`, `parentId`), which publishes its artifact and release again. 409 NOT_ROLLBACKABLE \
            unless the build succeeded; 409 BUILD_IN_PROGRESS when the snapshot is queued or running. Audited \
            (`build.rollback`).""", security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> rollback(@PathVariable String id) {
        Build parent = executable(id);
        if (!parent.status().equals(Build.SUCCESS)) {
            throw new ApiException(HttpStatus.CONFLICT, "NOT_ROLLBACKABLE", "only a successful build is rolled back to; this one is "
                    + parent.status());
        }
        return again(parent, "rollback");
    }

    private Map<String, Object> again(Build parent, String kind) {
        Build.Trigger caller = Build.Trigger.of(access.caller());
        Build b = queued(() -> {
            Build built = triggers.again(parent, kind, caller);
            audit.record("build." + kind, "build", built.id(), parent.appId(), Map.of("parentId", parent.id()));
            return built;
        });
        return Map.of("id", b.id(), "status", b.status(), "parentId", parent.id());
    }

    private Build queued(Supplier<Build> work) {
        try {
            return tx.execute(t -> work.get());
        } catch (BuildTriggers.SnapshotRaced raced) {
            throw triggers.conflict(raced);
        }
    }

    /** The build when the caller may read its app; 404 otherwise, as for a build that does not exist. */
    Build readable(String id) {
        Build b = builds.find(id).orElseThrow(() -> Strings.notFound("build", id));
        try {
            access.require(b.appId(), AppPermission.READ);
        } catch (ApiException e) {
            throw Strings.notFound("build", id);
        }
        return b;
    }

    private Build executable(String id) {
        Build b = readable(id);
        access.require(b.appId(), AppPermission.EXECUTE);
        return b;
    }

    /** {@code {"username", "token"}}, null fields left out; null when nothing is known of who triggered it. */
    private static Map<String, Object> triggeredBy(Build.Trigger t) {
        if (t == null || t.username() == null && t.tokenName() == null) {
            return null;
        }
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("username", t.username());
        v.put("token", t.tokenName());
        return v;
    }

    static Map<String, Object> view(Build b, List<Build.Stage> stages) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", b.id());
        v.put("projectId", b.projectId());
        v.put("configId", b.configId());
        v.put("appId", b.appId());
        v.put("status", b.status());
        v.put("kind", b.kind());
        v.put("parentId", b.parentId());
        v.put("attempt", b.attempt());
        v.put("cancelRequested", b.cancelRequested());
        v.put("triggeredBy", triggeredBy(b.triggeredBy()));
        v.put("configSnapshotHash", b.snapshotHash());
        v.put("resolvedVersions", CanonicalJson.JSON.readTree(b.resolvedVersions()));
        v.put("queuedAt", b.queuedAt());
        v.put("startedAt", b.startedAt());
        v.put("finishedAt", b.finishedAt());
        v.put("failureReason", b.failureReason());
        v.put("failureMessage", b.failureMessage());
        v.put("logsRef", b.logsRef());
        v.put("artifactRef", b.artifactRef());
        v.put("artifact", b.artifactRef() == null ? null : Map.of("sha256", b.artifactSha256(), "size", b.artifactSize()));
        v.put("release", b.releaseName());
        if (stages != null) {
            v.put("stages", stages.stream().map(s -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", s.name());
                m.put("status", s.status());
                m.put("startedAt", s.startedAt());
                m.put("finishedAt", s.finishedAt());
                return m;
            }).toList());
        }
        return v;
    }
}
