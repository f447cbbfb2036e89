package dev.traceflow.builds.internal;

import java.time.Instant;
import java.util.List;

/** A build template: what is deployed how, and which sources it is built from. */
record Template(String id, String name, String deployType, String description, Instant createdAt, Instant updatedAt) {

    /**
     * A git source bound to a template.
     *
     * @param dependencies the git source ids (bound to the same template) that are built before this one
     */
    record Binding(String id, String templateId, String gitSourceId, VersionStrategy versionStrategy, int buildOrder,
                   List<String> dependencies, BuildSpec build) {
    }
}
