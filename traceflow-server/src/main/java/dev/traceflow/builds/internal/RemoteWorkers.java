package dev.traceflow.builds.internal;

import dev.traceflow.builds.internal.run.BuildLogSink;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

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
import java.util.concurrent.TimeUnit;

/**
 * The builds a worker process runs (worker mode, issue 21 item 3): {@code concurrency} threads, each
 * claiming a build from the server, running it with the same {@link BuildExecutor} as the server's
 * in-process workers and finishing it, all over the worker API ({@link WorkerApiClient}). A ticker
 * sends waiting log lines every second and renews each build's lease every {@code heartbeat} (at
 * most a third of the server's lease). A lost lease (409) or a cancel ends the running command's
 * whole process tree; the build is then the server's and another worker's, and this one writes
 * nothing more for it. Stopping the process cancels its builds; their leases run out on the server,
 * which re-queues them.
 *
 * <p>Metrics (served by {@link WorkerMetricsEndpoint} when configured): {@code traceflow.worker.claims{outcome}} times
 * each claim's round trip to the server ({@code build}, {@code none} when the queue had nothing for it, {@code error});
 * {@code traceflow.worker.builds{status, reason}} each build from claim to finish (reason {@code none} on success,
 * {@code lease_lost} when the server took it back); {@code traceflow.worker.builds.running}; the steps' times
 * ({@code traceflow.builds.step{step}}, from the executor) and the sandbox's commands come from the same registry.
 *
 * <p>Its threads are not daemons: they are what keeps a worker process (which has no web server)
 * alive.
 */
final class RemoteWorkers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RemoteWorkers.class);

    private final WorkerApiClient client;
    private final BuildExecutor executor;
    private final RemoteWorkerProperties settings;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final String name;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private volatile boolean started;
    private WorkerThreads threads;

    private record Running(Build.Claim claim, BuildExecutor.Execution execution, Reporter reporter) {
    }

    RemoteWorkers(WorkerApiClient client, BuildExecutor executor, RemoteWorkerProperties settings, Clock clock, MeterRegistry metrics) {
        this.client = client;
        this.executor = executor;
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        Gauge.builder("traceflow.worker.builds.running", running, Map::size).description("builds this worker process runs now")
                .register(metrics);
        this.name = settings.name() != null ? settings.name() : hostName() + ":" + ManagementFactory.getRuntimeMXBean().getPid();
    }

    @Override
    public synchronized void start() {
        started = true;
        threads = WorkerThreads.start("remote-build-worker", name, settings.concurrency(), false, this::loop, this::tick);
        log.atInfo().addKeyValue("worker", name).addKeyValue("server", settings.serverUrl()).addKeyValue("concurrency", settings.concurrency())
                .log("worker mode: taking builds from the server");
    }

    @Override
    public synchronized void stop() {
        started = false;
        running.values().forEach(r -> r.execution().cancel());
        if (threads != null) {
            threads.stop(Duration.ofSeconds(15));
        }
    }

    @Override
    public boolean isRunning() {
        return started;
    }

    private void loop(String me) {
        while (started && !Thread.currentThread().isInterrupted()) {
            try {
                Optional<WorkerApiClient.Claimed> claimed = claim(me);
                if (claimed.isPresent()) {
                    run(claimed.get());
                } else {
                    Thread.sleep(settings.poll().toMillis());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.atWarn().addKeyValue("worker", me).log("cannot take builds now: {}", e.getMessage());
                try {
                    Thread.sleep(Math.max(settings.poll().toMillis(), 1000));
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** A claim, timed by how it ended: the latency a queued build waits on at least, beside the poll interval. */
    private Optional<WorkerApiClient.Claimed> claim(String me) {
        long t0 = System.nanoTime();
        String outcome = "error";
        try {
            Optional<WorkerApiClient.Claimed> claimed = client.claim(me);
            outcome = claimed.isPresent() ? "build" : "none";
            return claimed;
        } finally {
            Timer.builder("traceflow.worker.claims").description("claims sent to the server: the round trip").tag("outcome", outcome)
                    .register(metrics).record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        }
    }

    private void ended(long startedNanos, String status, String reason) {
        Timer.builder("traceflow.worker.builds").description("builds this worker ran, from claim to finish")
                .tags("status", status, "reason", reason == null ? "none" : reason).register(metrics)
                .record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    private void run(WorkerApiClient.Claimed claimed) {
        Build.Claim claim = claimed.claim();
        String id = claim.build().id();
        int attempt = claim.attempt();
        BuildExecutor.Execution execution = new BuildExecutor.Execution();
        Duration heartbeat = min(settings.heartbeat(), claimed.lease().dividedBy(3));
        Reporter reporter = new Reporter(id, attempt, heartbeat);
        running.put(id, new Running(claim, execution, reporter));
        log.atInfo().addKeyValue("buildId", id).addKeyValue("attempt", attempt).log("build claimed");
        long t0 = System.nanoTime();
        try {
            BuildExecutor.Result result = executor.run(claim, claimed.sources(), reporter, execution);
            client.finish(id, attempt, result.status(), result.reason(), result.message());
            ended(t0, result.status(), result.reason());
            log.atInfo().addKeyValue("buildId", id).addKeyValue("attempt", attempt).addKeyValue("status", result.status())
                    .addKeyValue("reason", result.reason()).log("build finished");
        } catch (JdbcBuilds.LeaseLost e) {
            // the server gave the build to another worker: this attempt writes nothing more (its command was ended by the ticker or now)
            execution.cancel();
            ended(t0, Build.FAIL, "lease_lost");
            log.atInfo().addKeyValue("buildId", id).addKeyValue("attempt", attempt).log("lease lost: build stopped");
        } catch (RuntimeException e) {
            execution.cancel();
            ended(t0, Build.FAIL, "internal_error");
            log.atWarn().addKeyValue("buildId", id).addKeyValue("attempt", attempt).log("the worker failed: {}", e.getMessage());
            try {
                client.finish(id, attempt, Build.FAIL, "internal_error", "the worker failed: " + e.getClass().getSimpleName());
            } catch (RuntimeException ignored) {
                // the lease runs out and the server's reaper re-queues the build
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
                    log.atInfo().addKeyValue("buildId", r.claim().build().id()).log("cancel asked for: ending the build");
                    r.execution().cancel();
                }
            } catch (JdbcBuilds.LeaseLost e) {
                log.atInfo().addKeyValue("buildId", r.claim().build().id()).addKeyValue("attempt", r.claim().attempt())
                        .log("lease lost: ending the build's processes");
                r.execution().cancel();
            } catch (RuntimeException e) {
                log.atWarn().addKeyValue("buildId", r.claim().build().id()).log("sending the log or the heartbeat failed: {}", e.getMessage());
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
        } catch (IOException e) {
            return "worker";
        }
    }

    /** Reports over the worker API, every call for the claimed attempt. */
    private final class Reporter implements BuildReporter {

        private final String id;
        private final int attempt;
        private final Duration every;
        private volatile Instant lastHeartbeat;

        Reporter(String id, int attempt, Duration every) {
            this.id = id;
            this.attempt = attempt;
            this.every = every;
            this.lastHeartbeat = clock.instant();
        }

        boolean heartbeatDue(Instant now) {
            return !now.isBefore(lastHeartbeat.plus(every));
        }

        @Override
        public void secrets(Collection<String> secrets) {
            // the server registered this build's credentials with its log masker when it handed them out in the claim
        }

        @Override
        public void stageStarted(String stage) {
            client.stage(id, attempt, stage, "running");
        }

        @Override
        public void stageEnded(String stage, String status) {
            client.stage(id, attempt, stage, status);
        }

        @Override
        public void logs(long firstSeq, List<BuildLogSink.LogLine> lines) {
            client.logs(id, attempt, firstSeq, lines);
        }

        @Override
        public String artifact(Path archive, String sha256, long size) throws IOException, ArtifactPackager.BadArchive {
            return client.artifact(id, attempt, archive, sha256);
        }

        @Override
        public boolean heartbeat() {
            boolean cancel = client.heartbeat(id, attempt);
            lastHeartbeat = clock.instant();
            return cancel;
        }
    }
}
