package dev.traceflow.builds.internal;

import dev.traceflow.builds.internal.run.BuildLogSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-process workers (issue 21 item 3): {@code workers} threads (the {@code build.concurrency}
 * setting unless {@code traceflow.builds.queue.workers} is set), each claiming a build, running it
 * with the {@link BuildExecutor} and finishing it; idle, they look at the queue less and less often
 * until a build is queued here ({@link IdlePolling}). A ticker sends waiting log lines every second and
 * renews each running build's lease every {@code heartbeat}; a lost lease or a cancel ends the
 * running command. Stopping the server stops claiming and cancels running builds; their leases then
 * run out and the reaper re-queues them for the next server.
 */
@Component
class BuildWorkers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BuildWorkers.class);

    private final BuildQueue queue;
    private final JdbcBuilds builds;
    private final BuildExecutor executor;
    private final FetchSources sources;
    private final BuildLogSink logs;
    private final ArtifactStore store;
    private final BuildSettings platform;
    private final BuildQueueProperties settings;
    private final Clock clock;
    private final IdlePolling idle;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final String owner;
    private volatile boolean started;
    private WorkerThreads threads;

    private record Running(Build.Claim claim, BuildExecutor.Execution execution, LocalReporter reporter) {
    }

    BuildWorkers(BuildQueue queue, JdbcBuilds builds, BuildExecutor executor, StoredFetchSources sources, BuildLogSink logs, ArtifactStore store,
                 BuildSettings platform, BuildQueueProperties settings, Clock clock, IdlePolling idle) {
        this.queue = queue;
        this.builds = builds;
        this.executor = executor;
        this.sources = sources;
        this.logs = logs;
        this.store = store;
        this.platform = platform;
        this.settings = settings;
        this.clock = clock;
        this.idle = idle;
        this.owner = hostName() + ":" + ManagementFactory.getRuntimeMXBean().getPid();
    }

    int workerCount() {
        if (settings.workers() != null) {
            return Math.max(0, settings.workers());
        }
        return platform.all().stream().filter(v -> v.definition().name().equals("build.concurrency")).findFirst()
                .map(v -> v.value().asInt()).orElse(2);
    }

    @Override
    public synchronized void start() {
        int n = workerCount();
        started = true;
        if (n == 0) {
            return;
        }
        threads = WorkerThreads.start("build-worker", owner, n, true, this::loop, this::tick);
    }

    @Override
    public synchronized void stop() {
        started = false;
        running.values().forEach(r -> r.execution().cancel());
        if (threads != null) {
            threads.stop(Duration.ofSeconds(10));
        }
    }

    @Override
    public boolean isRunning() {
        return started;
    }

    /** Ends a running build of this server now (the API's cancel); builds of other workers see the cancel at their heartbeat. */
    void cancel(String buildId) {
        Running r = running.get(buildId);
        if (r != null) {
            r.execution().cancel();
        }
    }

    private void loop(String me) {
        int emptyLooks = 0;
        while (started && !Thread.currentThread().isInterrupted()) {
            try {
                long mark = idle.mark();
                Optional<Build.Claim> claim = queue.claim(me);
                if (claim.isPresent()) {
                    emptyLooks = 0;
                    run(claim.get());
                } else if (idle.await(mark, IdlePolling.delay(settings.poll(), settings.maxIdlePoll(), ++emptyLooks))) {
                    emptyLooks = 0;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("build worker {}: {}", me, e.toString());
                try {
                    Thread.sleep(settings.poll().toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Runs and finishes one claimed build (also used by tests that drive a claim themselves). */
    void run(Build.Claim claim) {
        String id = claim.build().id();
        BuildExecutor.Execution execution = new BuildExecutor.Execution();
        LocalReporter reporter = new LocalReporter(claim);
        running.put(id, new Running(claim, execution, reporter));
        try {
            if (claim.build().cancelRequested()) {
                execution.cancel();
            }
            BuildExecutor.Result result = executor.run(claim, sources, reporter, execution);
            queue.finish(claim, result.status(), result.reason(), result.message(), result.release());
        } catch (JdbcBuilds.LeaseLost e) {
            // another worker holds the build now: this attempt writes nothing more
            log.info("build {} attempt {}: lease lost, stopped", id, claim.attempt());
        } catch (RuntimeException e) {
            // a fault of this server, not of the build: end it now rather than leave it to the lease
            log.warn("build {} attempt {}: the worker failed: {}", id, claim.attempt(), e.getClass().getSimpleName());
            try {
                queue.finish(claim, Build.FAIL, "internal_error", "the worker failed: " + e.getClass().getSimpleName(), null);
            } catch (RuntimeException ignored) {
                // the lease runs out and the reaper re-queues it
            }
        } finally {
            running.remove(id);
        }
    }

    private void tick() {
        Instant now = clock.instant();
        for (Running r : running.values()) {
            try {
                r.execution().sendLogSoon();
                if (r.reporter().heartbeatDue(now) && r.reporter().heartbeat()) {
                    r.execution().cancel();
                }
            } catch (JdbcBuilds.LeaseLost e) {
                r.execution().cancel();
            } catch (RuntimeException e) {
                log.warn("build {}: heartbeat failed: {}", r.claim().build().id(), e.toString());
            }
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Reports straight to the queue, the log sink and the artifact store, fenced by the claim's attempt. */
    final class LocalReporter implements BuildReporter {

        private final Build.Claim claim;
        private final String id;
        private final Map<String, Instant> stageStarts = new ConcurrentHashMap<>();
        private volatile Instant lastHeartbeat;

        LocalReporter(Build.Claim claim) {
            this.claim = claim;
            this.id = claim.build().id();
            this.lastHeartbeat = clock.instant();
        }

        boolean heartbeatDue(Instant now) {
            return !now.isBefore(lastHeartbeat.plus(settings.heartbeat()));
        }

        @Override
        public void secrets(Collection<String> secrets) {
            logs.registerSecrets(id, secrets);
        }

        @Override
        public void stageStarted(String stage) {
            stageStarts.put(stage, clock.instant());
            queue.stageStarted(id, claim.attempt(), stage);
        }

        @Override
        public void stageEnded(String stage, String status) {
            queue.stageEnded(id, claim.attempt(), stage, stageStarts.getOrDefault(stage, clock.instant()), status);
        }

        @Override
        public void logs(long firstSeq, List<BuildLogSink.LogLine> lines) {
            builds.requireHeld(id, claim.attempt());
            logs.append(id, claim.attempt(), firstSeq, lines);
        }

        @Override
        public String artifact(Path archive, String sha256, long size) throws IOException, ArtifactPackager.BadArchive {
            builds.requireHeld(id, claim.attempt());
            String ref = StoredArtifacts.storeVerified(store, id, archive, sha256, size, settings.maxArtifactBytes().toBytes() * 4);
            builds.artifact(id, claim.attempt(), ref, sha256, size);
            return ref;
        }

        @Override
        public boolean heartbeat() {
            boolean cancel = queue.heartbeat(id, claim.attempt());
            lastHeartbeat = clock.instant();
            return cancel;
        }
    }
}
