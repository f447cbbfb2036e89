package dev.traceflow.builds.internal;

import java.time.Instant;

/** A repository the platform builds from. {@code exposedSchema}: JSON text, or null. */
record GitSource(String id, String name, String repoUrl, String defaultBranch, String credentialId, String exposedSchema,
                 Instant createdAt, Instant updatedAt) {
}
