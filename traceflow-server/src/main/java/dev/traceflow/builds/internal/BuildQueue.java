package dev.traceflow.builds.internal;

import dev.traceflow.builds.internal.run.BuildLogSink;
import dev.traceflow.ops.ReadinessCheck;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The queue's operations for workers, in-process or remote (issue 21 item 2): claim with a lease,
 * heartbeat, fenced stage and finish writes, and the reaper that re-queues builds whose lease ran
 * out (up to {@code maxAttempts} claims, then the build fails with {@code lease_lost}). Metrics:
 * {@code traceflow.builds.queue.length}, {@code .running}, {@code .wait} (queued to claimed),
 * {@code traceflow.builds.duration} and {@code traceflow.builds.finished{status, reason}}.
 */
@Component
class BuildQueue implements ReadinessCheck {

    private static final Logger log = LoggerFactory.getLogger(BuildQueue.class);
    /** Claimers pick at random among this many of the oldest queued builds, so that racing claimers rarely collide. */
    private static final int CLAIM_HEAD = 8;

    private final JdbcBuilds builds;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final BuildQueueProperties settings;
    private final BuildLogSink logs;
    private final MeterRegistry metrics;
    private final Timer wait;
    private final Timer duration;
    private final Counter claims;
    private final Counter lostClaims;
    private final Counter atLimit;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong running = new AtomicLong();

    BuildQueue(JdbcBuilds builds, TransactionTemplate tx, Clock clock, BuildQueueProperties settings, BuildLogSink logs,
               MeterRegistry metrics) {
        this.builds = builds;
        this.tx = tx;
        this.clock = clock;
        this.settings = settings;
        this.logs = logs;
        this.metrics = metrics;
        this.wait = Timer.builder("traceflow.builds.queue.wait").description("from queued to claimed").publishPercentiles(0.5, 0.99)
                .register(metrics);
        this.duration = Timer.builder("traceflow.builds.duration").description("from first claim to end").publishPercentiles(0.5, 0.99)
                .register(metrics);
        this.claims = metrics.counter("traceflow.builds.queue.claims");
        this.lostClaims = metrics.counter("traceflow.builds.queue.claim_races_lost");
        this.atLimit = metrics.counter("traceflow.builds.queue.claims_at_limit");
        Gauge.builder("traceflow.builds.queue.length", queued, AtomicLong::get).description("builds waiting").register(metrics);
        Gauge.builder("traceflow.builds.queue.running", running, AtomicLong::get).description("builds running").register(metrics);
    }

    /**
     * Claims the oldest claimable build for {@code owner}: queued, its project below
     * {@code maxRunningPerProject} running builds, and (when {@code maxRunning} is set) fewer than
     * {@code maxRunning} builds running overall.
     */
    Optional<Build.Claim> claim(String owner) {
        for (JdbcBuilds.Candidate candidate : JdbcBuilds.shuffledHead(builds.queued(CLAIM_HEAD * 4), CLAIM_HEAD)) {
            Instant now = clock.instant();
            Instant until = now.plus(settings.lease());
            Boolean won = tx.execute(t -> {
                if (settings.maxRunning() > 0) {
                    builds.lockClaims();
                    if (builds.count(Build.RUNNING) >= settings.maxRunning()) {
                        return null; // full: no other candidate can start either
                    }
                }
                if (!builds.lockCandidate(candidate)) {
                    lostClaims.increment(); // another claimer is taking it, or took it: no wait for its commit
                    return false;
                }
                builds.lockProject(candidate.projectId());
                if (builds.countRunning(candidate.projectId()) >= settings.maxRunningPerProject()) {
                    return false;
                }
                if (!builds.claim(candidate, owner, now, until)) {
                    lostClaims.increment();
                    return false;
                }
                if (candidate.attempt() > 0) {
                    // an earlier attempt's stages start over; a first claim finds them pending already
                    builds.resetStages(candidate.id(), candidate.attempt() + 1);
                }
                return true;
            });
            if (won == null) {
                atLimit.increment();
                return Optional.empty();
            }
            if (won) {
                claims.increment();
                wait.record(Duration.between(candidate.queuedAt(), now).isNegative() ? Duration.ZERO : Duration.between(candidate.queuedAt(), now));
                Build b = builds.find(candidate.id()).orElseThrow();
                return Optional.of(new Build.Claim(b, b.attempt(), until));
            }
        }
        return Optional.empty();
    }

    /**
     * Extends the attempt's lease.
     *
     * @return whether the build's cancel was asked for
     * @throws JdbcBuilds.LeaseLost when the attempt lost the build
     */
    boolean heartbeat(String buildId, int attempt) {
        return builds.heartbeat(buildId, attempt, clock.instant().plus(settings.lease()));
    }

    void stageStarted(String buildId, int attempt, String stage) {
        builds.stage(buildId, attempt, stage, "running", clock.instant(), null);
    }

    void stageEnded(String buildId, int attempt, String stage, Instant started, String status) {
        builds.stage(buildId, attempt, stage, status, started, clock.instant());
    }

    /**
     * Ends the build for the attempt that holds it, then lets the log sink archive the log.
     *
     * @param reason null on success; a short word ({@code command_failed, timeout, fetch_failed...}) otherwise
     * @throws JdbcBuilds.LeaseLost when the attempt lost the build (nothing written)
     */
    void finish(Build.Claim claim, String status, String reason, String message, String releaseName) {
        Instant now = clock.instant();
        tx.executeWithoutResult(t -> builds.finish(claim.build().id(), claim.attempt(), status, reason,
                message == null ? null : message.length() > 2000 ? message.substring(0, 2000) : message, releaseName, now));
        ended(claim.build().id(), status, reason, claim.build().startedAt() == null ? now : claim.build().startedAt(), now);
    }

    /** A queued build canceled before any worker took it: its log is closed as a finished one. */
    void canceledWhileQueued(String buildId) {
        ended(buildId, Build.CANCELED, "canceled", null, clock.instant());
    }

    private void ended(String buildId, String status, String reason, Instant started, Instant now) {
        if (started != null) {
            duration.record(Duration.between(started, now));
        }
        metrics.counter("traceflow.builds.finished", "status", status, "reason", reason == null ? "none" : reason).increment();
        try {
            builds.logsRef(buildId, logs.finish(buildId, status));
        } catch (RuntimeException e) {
            // the build's outcome stands; the log stays readable from the store even without its archive
            log.warn("build {}: the log could not be archived: {}", buildId, e.getClass().getSimpleName());
        }
    }

    /**
     * Re-queues builds whose lease ran out (their worker died or stalled); a build that used all its
     * attempts fails with {@code lease_lost}. Each change is fenced by the attempt read, so a heartbeat
     * that arrives meanwhile wins or loses cleanly.
     *
     * @return builds re-queued or failed
     */
    int reap(Instant now) {
        int n = 0;
        for (JdbcBuilds.Expired e : builds.expired(now, 100)) {
            if (e.attempt() >= e.maxAttempts()) {
                try {
                    Build b = builds.find(e.id()).orElseThrow();
                    finish(new Build.Claim(b, e.attempt(), now), Build.FAIL, "lease_lost",
                            "the worker stopped answering " + e.attempt() + " times", null);
                    n++;
                } catch (JdbcBuilds.LeaseLost lost) {
                    // the worker came back and finished it first
                }
            } else if (Boolean.TRUE.equals(tx.execute(t -> builds.requeue(e, now)))) {
                metrics.counter("traceflow.builds.queue.requeued").increment();
                n++;
            }
        }
        return n;
    }

    @Scheduled(fixedDelayString = "${traceflow.builds.queue.reaper-period:5s}", initialDelayString = "${traceflow.builds.queue.reaper-period:5s}")
    void reapNow() {
        try {
            reap(clock.instant());
        } catch (RuntimeException e) {
            log.warn("the build reaper failed this round: {}", e.toString());
        }
    }

    Instant now() {
        return clock.instant();
    }

    @Override
    public String name() {
        return "buildQueue";
    }

    @Override
    public String backend() {
        return "jdbc";
    }

    @Override
    public void check() {
        status();
    }

    /** Refreshes the gauges (and is what /health shows). */
    @Override
    public Map<String, Object> status() {
        long q = builds.count(Build.QUEUED);
        long r = builds.count(Build.RUNNING);
        queued.set(q);
        running.set(r);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("queued", q);
        s.put("running", r);
        s.put("oldestQueuedSeconds", builds.oldestQueued().map(t -> Math.max(0, Duration.between(t, clock.instant()).toSeconds())).orElse(0L));
        return s;
    }

    @Scheduled(fixedDelay = 10, timeUnit = TimeUnit.SECONDS)
    void refreshGauges() {
        try {
            status();
        } catch (RuntimeException e) {
            log.debug("build queue gauges not refreshed: {}", e.toString());
        }
    }
}
