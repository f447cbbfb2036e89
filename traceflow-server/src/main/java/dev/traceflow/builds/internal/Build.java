package dev.traceflow.builds.internal;

import dev.traceflow.access.Caller;

import java.time.Instant;
import java.util.List;

/**
 * A build as the builds table holds it (issue 21). {@code inputs} and {@code resolvedVersions} are JSON
 * text frozen at trigger time; {@code attempt} counts claims (0 while never claimed) and fences every
 * write a worker makes.
 *
 * @param kind {@code build | retry | rollback}; retries and rollbacks name their {@code parentId}
 * @param triggeredBy who asked for this build (for a retry or rollback, who asked for that, not the parent's trigger)
 */
record Build(String id, String projectId, String configId, String appId, String status, String kind, String parentId,
             String snapshotHash, String resolvedVersions, String inputs, int attempt, int maxAttempts, String leaseOwner,
             Instant leaseUntil, boolean cancelRequested, Trigger triggeredBy, Instant queuedAt, Instant startedAt, Instant finishedAt,
             String failureReason, String failureMessage, String logsRef, String artifactRef, String artifactSha256, Long artifactSize,
             String releaseName) {

    static final String QUEUED = "queued";
    static final String RUNNING = "running";
    static final String SUCCESS = "success";
    static final String FAIL = "fail";
    static final String CANCELED = "canceled";

    /** The steps every build goes through, in order. */
    static final List<String> STAGES = List.of("fetch", "replace", "build", "package", "output", "verify");

    boolean ended() {
        return status.equals(SUCCESS) || status.equals(FAIL) || status.equals(CANCELED);
    }

    /**
     * Who triggered a build, with the names as they were then (kept when the user is renamed or the token revoked).
     *
     * @param userId    the user, or the API token's owner; null for builds whose user is gone
     * @param username  their login name then; null when unknown
     * @param tokenName the API token's name when the trigger came with one; null after a login
     */
    record Trigger(String userId, String username, String tokenName) {

        static Trigger of(Caller caller) {
            return new Trigger(caller.userId(), caller.username(), caller.viaApiToken() ? caller.ceiling().tokenName() : null);
        }
    }

    /** One step of a build with its times; {@code status}: {@code pending | running | success | fail | canceled | skipped}. */
    record Stage(String name, String status, Instant startedAt, Instant finishedAt) {
    }

    /** What a worker holds after a claim: the build and the attempt that fences its writes. */
    record Claim(Build build, int attempt, Instant leaseUntil) {
    }
}
