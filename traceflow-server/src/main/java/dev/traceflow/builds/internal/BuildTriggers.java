package dev.traceflow.builds.internal;

import dev.traceflow.http.ApiException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns a validated config into a queued build whose inputs are frozen: the config, its
 * replacements, the template's bindings in build order and the commits the validation resolved.
 * A retry or a rollback copies its parent's frozen inputs, so it runs what the parent ran even
 * after the config or the template changed.
 */
@Component
class BuildTriggers {

    private final JdbcBuilds builds;
    private final JdbcTemplates templates;
    private final JdbcGitSources sources;
    private final BuildSettings platform;
    private final BuildQueueProperties settings;
    private final Clock clock;
    private final IdlePolling idle;

    BuildTriggers(JdbcBuilds builds, JdbcTemplates templates, JdbcGitSources sources, BuildSettings platform,
                  BuildQueueProperties settings, Clock clock, IdlePolling idle) {
        this.builds = builds;
        this.templates = templates;
        this.sources = sources;
        this.platform = platform;
        this.settings = settings;
        this.clock = clock;
        this.idle = idle;
    }

    /**
     * A new build of the config. Call inside the caller's transaction (with its audit row).
     *
     * @throws ApiException 422 when the config is not validated or went stale, 409 when the snapshot is queued or
     *                      running, 429 when the queue is full
     */
    Build trigger(Project project, ConfigInstance config, Build.Trigger triggeredBy) {
        if (!config.validated() || config.snapshotHash() == null || config.resolvedVersions() == null) {
            throw ApiException.invalid("the config is not validated: POST /configs/" + config.id() + "/validate first");
        }
        Template template = templates.find(project.templateId()).orElseThrow(() -> ApiException.invalid("the project's template is gone"));
        if (!template.id().equals(config.templateId())) {
            throw ApiException.invalid("the project's template changed since the config was validated: validate it again");
        }
        JsonNode resolved = CanonicalJson.JSON.readTree(config.resolvedVersions());
        Map<String, JsonNode> bySource = new HashMap<>();
        resolved.forEach(r -> bySource.put(r.path("gitSourceId").asString(), r));
        List<Template.Binding> bound = templates.bindings(template.id());
        List<String> order = BuildGraph.order(bound.stream().map(b -> new BuildGraph.Node(b.gitSourceId(), b.gitSourceId(),
                b.buildOrder(), b.dependencies())).toList()).orElseThrow(() -> new IllegalStateException("stored bindings form a cycle"));
        ObjectNode inputs = CanonicalJson.JSON.createObjectNode();
        inputs.put("templateId", template.id());
        inputs.put("deployType", template.deployType());
        inputs.put("projectName", project.name());
        inputs.put("customer", project.customer());
        inputs.put("env", config.env());
        inputs.set("config", CanonicalJson.JSON.readTree(config.config()));
        inputs.set("fileReplacements", CanonicalJson.JSON.readTree(config.fileReplacements()));
        inputs.set("textReplacements", CanonicalJson.JSON.readTree(config.textReplacements()));
        ArrayNode list = inputs.putArray("sources");
        for (String sourceId : order) {
            Template.Binding b = bound.stream().filter(x -> x.gitSourceId().equals(sourceId)).findFirst().orElseThrow();
            JsonNode r = bySource.get(sourceId);
            GitSource source = sources.find(sourceId).orElse(null);
            if (r == null || source == null || bound.size() != bySource.size()) {
                throw ApiException.invalid("the template's sources changed since the config was validated: validate it again");
            }
            ObjectNode s = list.addObject();
            s.put("gitSourceId", sourceId);
            s.put("name", source.name());
            s.put("ref", r.path("ref").asString());
            s.put("commit", r.path("commit").asString());
            s.set("build", b.build().toJson());
            // what its build step may read of the other sources (BuildExecutor): the order above builds these first
            ArrayNode dependencies = s.putArray("dependencies");
            b.dependencies().forEach(dependencies::add);
        }
        return queue(project.id(), config.id(), project.appId(), "build", null, config.snapshotHash(), config.resolvedVersions(),
                CanonicalJson.JSON.writeValueAsString(inputs), triggeredBy);
    }

    /**
     * A new build with the parent's frozen inputs, linked to it, triggered by whoever asked for it (not the parent's
     * trigger). Call inside the caller's transaction.
     */
    Build again(Build parent, String kind, Build.Trigger triggeredBy) {
        return queue(parent.projectId(), parent.configId(), parent.appId(), kind, parent.id(), parent.snapshotHash(),
                parent.resolvedVersions(), parent.inputs(), triggeredBy);
    }

    /** Queues a build with these frozen inputs (the trigger's database work, which the queue measurement times). */
    Build queue(String projectId, String configId, String appId, String kind, String parentId, String snapshotHash,
                        String resolved, String inputs, Build.Trigger triggeredBy) {
        builds.activeWithSnapshot(projectId, snapshotHash).ifPresent(BuildTriggers::duplicate);
        long capacity = platform.all().stream().filter(v -> v.definition().name().equals("build.queueCapacity")).findFirst()
                .map(v -> v.value().asLong()).orElse(100L);
        // Concurrent triggers each see the others' builds only once committed: together they may pass the capacity
        // by fewer than their number (BuildQueueContract has the bound), as they did when this counted the queue.
        if (builds.queuedBuilds() >= capacity) {
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "QUEUE_FULL", capacity + " builds are waiting already (build.queueCapacity)",
                    null, 30);
        }
        Instant now = clock.instant();
        Build b = new Build(UUID.randomUUID().toString(), projectId, configId, appId, Build.QUEUED, kind, parentId, snapshotHash, resolved,
                inputs, 0, settings.maxAttempts(), null, null, false, triggeredBy, now, null, null, null, null, null, null, null, null,
                null);
        builds.insert(b);
        idle.buildQueued();
        return b;
    }

    /**
     * After a {@link DuplicateKeyException} of {@link #trigger} or {@link #again} (two triggers of one snapshot at once, the
     * unique key let one in), outside the failed transaction: the 409 naming the build that won.
     */
    ApiException conflict(String projectId, String snapshotHash, DuplicateKeyException e) {
        try {
            builds.activeWithSnapshot(projectId, snapshotHash).ifPresent(BuildTriggers::duplicate);
        } catch (ApiException conflict) {
            return conflict;
        }
        throw e;
    }

    static void duplicate(String existingId) {
        throw new ApiException(HttpStatus.CONFLICT, "BUILD_IN_PROGRESS", "a build of the same snapshot is queued or running: " + existingId,
                List.of(Map.of("id", existingId)), null);
    }
}
