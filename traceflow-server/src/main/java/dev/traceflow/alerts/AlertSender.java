package dev.traceflow.alerts;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.outbound.OutboundGuard;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers alert notifications (webhook, e-mail) off the caller's thread: {@link #submit} queues
 * and returns at once, so a slow or dead receiver never holds up alert evaluation.
 *
 * <p>A few threads ({@code traceflow.alerts.delivery.threads}) make the attempts. A failed
 * attempt is retried after {@link RetryBackoff}'s wait when it may succeed later (HTTP 408, 429,
 * 5xx, timeouts, connection errors, SMTP 4xx) until {@code max-attempts}; anything else (other
 * 4xx, a redirect, an address the {@link OutboundGuard} refuses, SMTP 5xx) ends it. Every attempt
 * is reported to the {@link DeliveryRecorder}, the last with {@code last = true}.
 *
 * <p>Deliveries submitted and not yet finished (queued, in flight, waiting to retry) are bounded
 * by {@code queue-capacity}. At shutdown the attempts in flight finish (within the request
 * timeout); deliveries still queued or waiting for a retry are recorded as given up.
 *
 * <p>Metrics: {@code traceflow.alerts.deliveries{type=webhook|email, outcome}} counts deliveries
 * {@code delivered}, {@code failed} (for good) and {@code queue_full} (refused by submit), and
 * attempts {@code retried}; the gauge {@code traceflow.alerts.delivery.queue} the unfinished deliveries.
 */
@Component
class AlertSender implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AlertSender.class);
    private static final List<String> TYPES = List.of("webhook", "email");
    private static final List<String> OUTCOMES = List.of("delivered", "retried", "failed", "queue_full");
    private static final String STOPPING = "not attempted: the server stopped";

    private final TraceFlowProperties.Delivery settings;
    private final ObjectProvider<DeliveryRecorder> recorders;
    private final Clock clock;
    private final RetryBackoff backoff;
    private final OutboundGuard guard;
    // made at each start and shut down at each stop: a context may be stopped and started again
    // (Spring's test context cache pauses the contexts it is not using), and a stopped executor
    // cannot be restarted
    private volatile ThreadPoolExecutor workers;
    private volatile ScheduledThreadPoolExecutor timers;
    private volatile WebhookPoster webhooks;
    private final SmtpMailer mail;
    private final AtomicInteger unfinished = new AtomicInteger();
    /** Deliveries waiting for their next attempt; whoever removes one (its timer or stop) owns it. */
    private final Set<Pending> waiting = ConcurrentHashMap.newKeySet();
    private final Map<String, Counter> counters = new HashMap<>();
    private final AtomicLong lastFullWarning = new AtomicLong(System.nanoTime() - TimeUnit.MINUTES.toNanos(2));
    private volatile boolean running;
    private volatile boolean stopping;

    AlertSender(TraceFlowProperties properties, OutboundGuard guard, ObjectProvider<DeliveryRecorder> recorders,
                MeterRegistry registry, Clock clock) {
        this.settings = properties.alerts().delivery();
        this.recorders = recorders;
        this.clock = clock;
        this.backoff = new RetryBackoff(settings.baseDelay(), settings.maxDelay());
        this.mail = new SmtpMailer(properties.smtp());
        this.guard = guard;
        for (String type : TYPES) {
            for (String outcome : OUTCOMES) {
                counters.put(type + '/' + outcome, Counter.builder("traceflow.alerts.deliveries")
                        .description("Alert deliveries delivered, failed for good or refused for a full queue, and attempts retried")
                        .tag("type", type).tag("outcome", outcome).register(registry));
            }
        }
        Gauge.builder("traceflow.alerts.delivery.queue", unfinished, AtomicInteger::get)
                .description("Alert deliveries queued, in flight or waiting for a retry").register(registry);
        Gauge.builder("traceflow.alerts.delivery.queue.capacity", settings, TraceFlowProperties.Delivery::queueCapacity)
                .description("Alert deliveries that may be unfinished at once").register(registry);
    }

    /**
     * Queues a delivery and returns at once.
     *
     * @return true when accepted: the recorder hears of every attempt, the last one with {@code last = true};
     *         false when the queue is full (counted as {@code queue_full}) or the server is stopping:
     *         nothing was attempted or recorded, the caller keeps the delivery's state
     */
    boolean submit(AlertMessage message) {
        Objects.requireNonNull(message, "message");
        if (stopping || !running) {
            log.warn("Alert delivery {} not accepted: the server is stopping or not started", message.deliveryId());
            return false;
        }
        if (unfinished.incrementAndGet() > settings.queueCapacity()) {
            unfinished.decrementAndGet();
            count(message, "queue_full");
            long now = System.nanoTime();
            long last = lastFullWarning.get();
            // once a minute at most: a flood of alerts must not become a flood of log lines
            if (now - last > TimeUnit.MINUTES.toNanos(1) && lastFullWarning.compareAndSet(last, now)) {
                log.warn("Alert delivery queue full ({} deliveries): delivery {} refused; more are counted in "
                        + "traceflow_alerts_deliveries_total{outcome=\"queue_full\"}", settings.queueCapacity(), message.deliveryId());
            }
            return false;
        }
        try {
            workers.execute(new Attempt(new Pending(message, 1)));
            return true;
        } catch (RejectedExecutionException e) {
            unfinished.decrementAndGet();
            return false;
        }
    }

    /** Whether e-mail channels can deliver: {@code TRACEFLOW_SMTP_HOST} is set. */
    boolean emailConfigured() {
        return mail.configured();
    }

    private void attempt(Pending p) {
        AlertMessage m = p.message();
        Instant at = clock.instant();
        AttemptOutcome outcome;
        try {
            outcome = switch (m.target()) {
                case ChannelTarget.Webhook webhook -> webhooks.post(m.deliveryId(), webhook, m.jsonBody(), at);
                case ChannelTarget.Email email -> mail.send(m.deliveryId(), email, m.subject(), m.textBody(), at);
            };
        } catch (RuntimeException e) {
            log.error("Alert delivery {} attempt {} failed unexpectedly", m.deliveryId(), p.attempt(), e);
            outcome = AttemptOutcome.giveUp("internal error (" + e.getClass().getSimpleName() + ")");
        }
        switch (outcome.kind()) {
            case DELIVERED -> {
                record(p, at, true, true, outcome.detail());
                count(m, "delivered");
                log.debug("Alert delivery {} ({} channel {}) delivered on attempt {}: {}", m.deliveryId(), m.target().type(),
                        m.channelId(), p.attempt(), outcome.detail());
                finish();
            }
            case RETRY -> {
                if (p.attempt() >= settings.maxAttempts() || stopping) {
                    fail(p, at, outcome.detail() + (stopping ? "; given up: the server stopped"
                            : "; given up after " + p.attempt() + (p.attempt() == 1 ? " attempt" : " attempts")));
                } else {
                    Duration delay = backoff.delay(p.attempt(), outcome.retryAfter(), ThreadLocalRandom.current().nextDouble());
                    record(p, at, false, false, outcome.detail());
                    count(m, "retried");
                    log.info("Alert delivery {} ({} channel {}) attempt {} failed: {}; next in {} ms", m.deliveryId(),
                            m.target().type(), m.channelId(), p.attempt(), outcome.detail(), delay.toMillis());
                    retryLater(p.next(), delay);
                }
            }
            case FINAL -> fail(p, at, outcome.detail());
        }
    }

    private void fail(Pending p, Instant at, String detail) {
        AlertMessage m = p.message();
        record(p, at, false, true, detail);
        count(m, "failed");
        log.warn("Alert delivery {} ({} channel {}) failed for good on attempt {}: {}", m.deliveryId(), m.target().type(),
                m.channelId(), p.attempt(), detail);
        finish();
    }

    private void retryLater(Pending p, Duration delay) {
        waiting.add(p);
        try {
            timers.schedule(() -> {
                if (waiting.remove(p)) {
                    attemptSoon(p);
                }
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            if (waiting.remove(p)) {
                fail(p, clock.instant(), STOPPING);
            }
        }
    }

    private void attemptSoon(Pending p) {
        try {
            workers.execute(new Attempt(p));
        } catch (RejectedExecutionException e) {
            fail(p, clock.instant(), STOPPING);
        }
    }

    private void record(Pending p, Instant at, boolean delivered, boolean last, String detail) {
        DeliveryAttempt attempt = new DeliveryAttempt(p.message().deliveryId(), p.attempt(), at, delivered, last, detail);
        DeliveryRecorder recorder = recorders.getIfAvailable();
        if (recorder == null) {
            return; // logged by the caller and counted
        }
        try {
            recorder.attempted(attempt);
        } catch (RuntimeException e) {
            log.warn("Could not record attempt {} of alert delivery {}: {}", p.attempt(), p.message().deliveryId(), e.toString());
        }
    }

    private void count(AlertMessage m, String outcome) {
        counters.get(m.target().type() + '/' + outcome).increment();
    }

    private void finish() {
        unfinished.decrementAndGet();
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        workers = new ThreadPoolExecutor(settings.threads(), settings.threads(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), threads("alert-delivery-"));
        timers = new ScheduledThreadPoolExecutor(1, threads("alert-delivery-timer-"));
        timers.setRemoveOnCancelPolicy(true);
        webhooks = new WebhookPoster(guard, settings, timers);
        stopping = false;
        running = true;
    }

    /**
     * Stops taking deliveries; gives up those queued or waiting for a retry (recorded as such),
     * lets the attempts in flight end (each within the request timeout), then closes the client.
     */
    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        stopping = true;
        for (Pending p : List.copyOf(waiting)) {
            if (waiting.remove(p)) {
                fail(p, clock.instant(), STOPPING);
            }
        }
        List<Runnable> queued = new ArrayList<>();
        workers.getQueue().drainTo(queued);
        for (Runnable r : queued) {
            fail(((Attempt) r).pending(), clock.instant(), STOPPING);
        }
        workers.shutdown();
        try {
            Duration grace = settings.connectTimeout().plus(settings.requestTimeout()).plusSeconds(1);
            if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Alert delivery attempts still running at shutdown after {} ms; not waiting for them", grace.toMillis());
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timers.shutdownNow();
        // a retry scheduled by an attempt that ended while the loop above ran
        for (Pending p : List.copyOf(waiting)) {
            if (waiting.remove(p)) {
                fail(p, clock.instant(), STOPPING);
            }
        }
        webhooks.close();
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Stops after the web server and the schedulers that submit alerts, and before the database
     * the recorder writes to closes (beans are destroyed after every lifecycle phase has stopped).
     */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 2048;
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** A delivery and the number of its next attempt; identity matters (the waiting set), not value. */
    private static final class Pending {

        private final AlertMessage message;
        private final int attempt;

        Pending(AlertMessage message, int attempt) {
            this.message = message;
            this.attempt = attempt;
        }

        AlertMessage message() {
            return message;
        }

        int attempt() {
            return attempt;
        }

        Pending next() {
            return new Pending(message, attempt + 1);
        }
    }

    private final class Attempt implements Runnable {

        private final Pending pending;

        Attempt(Pending pending) {
            this.pending = pending;
        }

        Pending pending() {
            return pending;
        }

        @Override
        public void run() {
            attempt(pending);
        }
    }
}
