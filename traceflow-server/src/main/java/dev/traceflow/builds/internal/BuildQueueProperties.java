package dev.traceflow.builds.internal;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How builds are queued and run ({@code traceflow.builds.queue.*}, e.g. {@code TRACEFLOW_BUILDS_QUEUE_LEASE});
 * how many run at once on one server is the platform setting {@code build.concurrency} unless {@code workers} is set.
 *
 * @param lease                 how long a claim holds a build without a heartbeat; a lost worker's build is
 *                              re-queued after at most this plus {@code reaperPeriod}
 * @param heartbeat             how often a worker extends its lease (well under {@code lease})
 * @param reaperPeriod          how often expired leases are looked for
 * @param maxAttempts           claims a build gets before an expired lease fails it ({@code lease_lost})
 * @param maxRunningPerProject  builds of one project that run at once
 * @param maxRunning            builds that run at once over all workers, in-process and remote ({@code 0}: no overall
 *                              limit, only each worker's own concurrency); when set, claims take one database row lock
 *                              in turn, so they are serialized
 * @param workers               in-process workers; 0 runs none (remote workers only); null: the {@code build.concurrency} setting
 * @param poll                  how often an idle worker looks at the queue, at first: each look that finds nothing
 *                              doubles the wait, up to {@code maxIdlePoll} ({@link IdlePolling}); a build queued on
 *                              this server wakes its workers at once
 * @param maxIdlePoll           the longest wait of an idle worker between looks (so the longest a build queued
 *                              through another server sharing the database waits for this one's workers)
 * @param artifactsDir          the local artifact store; default {@code <data-dir>/builds/artifacts}
 * @param workspacesDir         where builds are checked out; default {@code <data-dir>/builds/workspaces}, or a folder of
 *                              the server's own under the system's temporary directory when it runs as root ({@link BuildWorkspaces})
 * @param maxArtifactBytes      the largest packed artifact (the package step fails beyond)
 * @param maxOutputBytes        output of a build command beyond this ends it
 * @param maxProcesses          processes a build command may run at once (the sandbox enforces it)
 * @param downloadUrlTtl        how long a signed artifact URL is valid
 * @param workerToken           the token remote workers present ({@code TRACEFLOW_BUILDS_QUEUE_WORKER_TOKEN});
 *                              empty: the worker API is closed
 */
@ConfigurationProperties("traceflow.builds.queue")
public record BuildQueueProperties(@DefaultValue("30s") Duration lease,
                                   @DefaultValue("10s") Duration heartbeat,
                                   @DefaultValue("5s") Duration reaperPeriod,
                                   @DefaultValue("3") int maxAttempts,
                                   @DefaultValue("2") int maxRunningPerProject,
                                   @DefaultValue("0") int maxRunning,
                                   Integer workers,
                                   @DefaultValue("500ms") Duration poll,
                                   @DefaultValue("5s") Duration maxIdlePoll,
                                   Path artifactsDir,
                                   Path workspacesDir,
                                   @DefaultValue("1GB") DataSize maxArtifactBytes,
                                   @DefaultValue("50MB") DataSize maxOutputBytes,
                                   @DefaultValue("256") int maxProcesses,
                                   @DefaultValue("5m") Duration downloadUrlTtl,
                                   @DefaultValue("") String workerToken) {
}
