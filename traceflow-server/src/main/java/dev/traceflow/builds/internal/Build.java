package dev.traceflow.builds.internal;

import java.time.Instant;
import java.util.List;

/**
 * A build as the builds table holds it (issue 21). {@code inputs} and {@code resolvedVersions} are JSON
 * text frozen at trigger time; {@code attempt} counts claims (0 while never claimed) and fences every
 * write a worker makes.
 *
 * @param kind {@code build | retry | rollback}; retries and rollbacks name their {@code parentId}
 */
record Build(String id, String projectId, String configId, String appId, String status, String kind, String parentId,
             String snapshotHash, String resolvedVersions, String inputs, int attempt, int maxAttempts, String leaseOwner,
             Instant leaseUntil, boolean cancelRequested, String triggeredBy, Instant queuedAt, Instant startedAt, Instant finishedAt,
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

    /** One step of a build with its times; {@code status}: {@code pending | running | success | fail | canceled | skipped}. */
    record Stage(String name, String status, Instant startedAt, Instant finishedAt) {
    }

    /** What a worker holds after a claim: the build and the attempt that fences its writes. */
    record Claim(Build build, int attempt, Instant leaseUntil) {
    }
}
