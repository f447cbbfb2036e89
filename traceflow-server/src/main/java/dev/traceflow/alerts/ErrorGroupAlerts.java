package dev.traceflow.alerts;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.errors.ErrorGroupCreated;
import dev.traceflow.errors.ErrorGroupRegressed;
import dev.traceflow.errors.ErrorGroupStatusChanged;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Feeds error-group changes to the event-driven rules. The changes arrive on the thread that
 * delivers stored events (the loader's side): they are only queued here, bounded, and matched on
 * one thread of this feature, so an app with many rules or a slow metadata database never holds
 * up loading. A change that finds the queue full is dropped and counted
 * ({@code traceflow.alerts.dropped{reason=queue_full}}).
 */
@Component
class ErrorGroupAlerts implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ErrorGroupAlerts.class);

    private final AlertEngine engine;
    private final Clock clock;
    private final int capacity;
    private final Counter dropped;
    private final Counter droppedStopped;
    // made at each start: a context may be stopped and started again (the test context cache pauses
    // contexts it is not using), and a shut-down executor cannot be restarted
    private volatile ThreadPoolExecutor executor;
    private volatile boolean running;

    ErrorGroupAlerts(AlertEngine engine, Clock clock, TraceFlowProperties properties, MeterRegistry registry) {
        this.engine = engine;
        this.clock = clock;
        this.capacity = properties.alerts().eventQueue();
        this.dropped = registry.counter("traceflow.alerts.dropped", "reason", "queue_full");
        this.droppedStopped = registry.counter("traceflow.alerts.dropped", "reason", "stopped");
        registry.gauge("traceflow.alerts.error_group_queue", this, a -> {
            ThreadPoolExecutor e = a.executor;
            return e == null ? 0 : e.getQueue().size();
        });
    }

    @EventListener
    void created(ErrorGroupCreated e) {
        submit(() -> engine.errorGroupChanged(AlertKind.NEW_ERROR_GROUP, e.appId(), e.groupId(), e.fingerprint(),
                "new error " + describe(e.errorType(), e.message()), e.firstSeen(), clock.instant()));
    }

    @EventListener
    void regressed(ErrorGroupRegressed e) {
        submit(() -> engine.errorGroupChanged(AlertKind.REGRESSION, e.appId(), e.groupId(), e.fingerprint(),
                "regression of " + describe(e.errorType(), e.message()) + " (" + e.regressions() + ". time)", e.lastSeen(),
                clock.instant()));
    }

    @EventListener
    void statusChanged(ErrorGroupStatusChanged e) {
        if (e.after().equals("resolved") || e.after().equals("ignored")) {
            submit(() -> engine.errorGroupClosed(e.appId(), e.groupId(), e.after(), clock.instant()));
        }
    }

    private void submit(Runnable task) {
        ThreadPoolExecutor e = executor;
        if (e == null || !running) {
            droppedStopped.increment();
            return;
        }
        try {
            e.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException ex) {
                    log.error("An error-group alert could not be processed", ex);
                }
            });
        } catch (RejectedExecutionException ex) {
            dropped.increment();
        }
    }

    static String describe(String type, String message) {
        String m = message == null ? "" : message.length() > 200 ? message.substring(0, 200) + "..." : message;
        return (type == null ? "Error" : type) + (m.isEmpty() ? "" : ": " + m);
    }

    /** Waits until every queued change has been matched (tests, and a clean stop). */
    boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        ThreadPoolExecutor e = executor;
        while (e != null && e.getQueue().size() + e.getActiveCount() > 0) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(capacity),
                Thread.ofPlatform().name("alerts-error-groups").daemon().factory());
        running = true;
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        ThreadPoolExecutor executor = this.executor;
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("{} error-group changes were not matched against alert rules at shutdown", executor.getQueue().size());
                executor.shutdownNow();
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
