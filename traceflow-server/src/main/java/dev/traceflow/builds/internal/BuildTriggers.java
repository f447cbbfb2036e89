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
    private final QueueAdmission admission;
    private final BuildQueueProperties settings;
    private final Clock clock;
    private final IdlePolling idle;

    BuildTriggers(JdbcBuilds builds, QueueAdmission admission, BuildQueueProperties settings, Clock clock, IdlePolling idle) {
        this.builds = builds;
        this.admission = admission;
        this.settings = settings;
        this.clock = clock;
        this.idle = idle;
    }

    /**
     * A new build of the found config (present: see {@link ProjectReader#executableForTrigger}). Call inside the caller's
     * transaction (with its audit row); {@code found} was read in it, so the build's writes follow its one read.
     *
     * @throws ApiException 422 when the config is not validated or went stale, 409 when the snapshot is queued or
     *                      running, 429 when the queue is full
     * @throws SnapshotRaced when a trigger of the same snapshot committed meanwhile
     */
    Build trigger(TriggerRead.Found found, Build.Trigger triggeredBy) {
        Project project = found.project();
        ConfigInstance config = found.config().orElseThrow();
        if (!config.validated() || config.snapshotHash() == null || config.resolvedVersions() == null) {
            throw ApiException.invalid("the config is not validated: POST /configs/" + config.id() + "/validate first");
        }
        JdbcTemplates.WithSources bound = found.template().orElseThrow(() -> ApiException.invalid("the project's template is gone"));
        Template template = bound.template();
        if (!template.id().equals(config.templateId())) {
            throw ApiException.invalid("the project's template changed since the config was validated: validate it again");
        }
        JsonNode resolved = CanonicalJson.JSON.readTree(config.resolvedVersions());
        Map<String, JsonNode> bySource = new HashMap<>();
        resolved.forEach(r -> bySource.put(r.path("gitSourceId").asString(), r));
        Map<String, JdbcTemplates.BoundSource> byId = new HashMap<>();
        bound.sources().forEach(b -> byId.put(b.binding().gitSourceId(), b));
        List<String> order = BuildGraph.order(bound.sources().stream().map(JdbcTemplates.BoundSource::binding)
                .map(b -> new BuildGraph.Node(b.gitSourceId(), b.gitSourceId(), b.buildOrder(), b.dependencies())).toList())
                .orElseThrow(() -> new IllegalStateException("stored bindings form a cycle"));
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
            JdbcTemplates.BoundSource source = byId.get(sourceId);
            Template.Binding b = source.binding();
            JsonNode r = bySource.get(sourceId);
            if (r == null || source.sourceName() == null || bound.sources().size() != bySource.size()) {
                throw ApiException.invalid("the template's sources changed since the config was validated: validate it again");
            }
            ObjectNode s = list.addObject();
            s.put("gitSourceId", sourceId);
            s.put("name", source.sourceName());
            s.put("ref", r.path("ref").asString());
            s.put("commit", r.path("commit").asString());
            s.set("build", b.build().toJson());
            // what its build step may read of the other sources (BuildExecutor): the order above builds these first
            ArrayNode dependencies = s.putArray("dependencies");
            b.dependencies().forEach(dependencies::add);
        }
        return queue(found.admission(), project.id(), config.id(), project.appId(), "build", null, config.snapshotHash(),
                config.resolvedVersions(), CanonicalJson.JSON.writeValueAsString(inputs), triggeredBy);
    }

    /**
     * A new build with the parent's frozen inputs, linked to it, triggered by whoever asked for it (not the parent's
     * trigger). Call inside the caller's transaction.
     */
    Build again(Build parent, String kind, Build.Trigger triggeredBy) {
        return queue(admission.of(parent.projectId(), parent.snapshotHash()), parent.projectId(), parent.configId(), parent.appId(), kind,
                parent.id(), parent.snapshotHash(), parent.resolvedVersions(), parent.inputs(), triggeredBy);
    }

    /**
     * Queues a build with these frozen inputs (the trigger's database work, which the queue measurement times) if the
     * queue's {@code answer}, read in this transaction, admits it: the build's rows (see {@link JdbcBuilds#insert}).
     *
     * @throws SnapshotRaced when a trigger of the same snapshot committed after the admission was read
     */
    Build queue(QueueAdmission.Answer answer, String projectId, String configId, String appId, String kind, String parentId,
                String snapshotHash, String resolved, String inputs, Build.Trigger triggeredBy) {
        answer.activeBuild().ifPresent(BuildTriggers::duplicate);
        // Concurrent triggers each see the others' builds only once committed: together they may pass the capacity
        // by fewer than their number (BuildQueueContract has the bound), as they did when this counted the queue.
        if (answer.full()) {
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "QUEUE_FULL", answer.capacity()
                    + " builds are waiting already (build.queueCapacity)", null, 30);
        }
        Instant now = clock.instant();
        Build b = new Build(UUID.randomUUID().toString(), projectId, configId, appId, Build.QUEUED, kind, parentId, snapshotHash, resolved,
                inputs, 0, settings.maxAttempts(), null, null, false, triggeredBy, now, null, null, null, null, null, null, null, null,
                null);
        try {
            builds.insert(b);
        } catch (DuplicateKeyException e) {
            throw new SnapshotRaced(projectId, snapshotHash, e);
        }
        idle.buildQueued();
        return b;
    }

    /**
     * Two triggers of one snapshot at once: the unique key let the other one in. Its transaction is spoiled (on
     * PostgreSQL), so the 409 naming the winner is read after it, by {@link #conflict}.
     */
    static final class SnapshotRaced extends RuntimeException {

        final String projectId;
        final String snapshotHash;

        SnapshotRaced(String projectId, String snapshotHash, DuplicateKeyException cause) {
            super("another build of the snapshot was queued meanwhile", cause);
            this.projectId = projectId;
            this.snapshotHash = snapshotHash;
        }
    }

    /**
     * After a {@link SnapshotRaced} of {@link #trigger} or {@link #again}, outside the failed transaction: the 409 naming the
     * build that won, or the key's failure itself when that build has ended already.
     */
    RuntimeException conflict(SnapshotRaced raced) {
        try {
            builds.activeWithSnapshot(raced.projectId, raced.snapshotHash).ifPresent(BuildTriggers::duplicate);
        } catch (ApiException conflict) {
            return conflict;
        }
        return (DuplicateKeyException) raced.getCause();
    }

    static void duplicate(String existingId) {
        throw new ApiException(HttpStatus.CONFLICT, "BUILD_IN_PROGRESS", "a build of the same snapshot is queued or running: " + existingId,
                List.of(Map.of("id", existingId)), null);
    }
}
