package dev.traceflow.builds.internal;

import java.time.Instant;

/**
 * A repository the platform builds from. {@code exposedSchema}: JSON text, or null.
 * {@code sshHostKey}: ssh sources only, the server's host key line ({@code <type> <base64>}), or
 * null until given or first seen.
 */
record GitSource(String id, String name, String repoUrl, String defaultBranch, String credentialId, String exposedSchema,
                 String sshHostKey, Instant createdAt, Instant updatedAt) {
}
