package dev.traceflow.builds.internal;

import java.time.Instant;

/**
 * A config of a project. {@code config}, {@code fileReplacements}, {@code textReplacements} and
 * {@code resolvedVersions} are JSON text. {@code contentHash}: sha256 of the canonical JSON of env,
 * config and replacements (the same config saved twice is found by it). {@code snapshotHash} and
 * {@code resolvedVersions}: set by the last successful validation, cleared by a change.
 */
record ConfigInstance(String id, String projectId, String templateId, String env, String config, String fileReplacements,
                      String textReplacements, String contentHash, boolean validated, String snapshotHash, String resolvedVersions,
                      Instant createdAt, Instant updatedAt) {
}
