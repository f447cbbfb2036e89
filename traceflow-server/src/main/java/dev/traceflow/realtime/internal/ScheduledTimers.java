package dev.traceflow.realtime.internal;

import dev.traceflow.realtime.internal.broker.Timers;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The broker's timers on one platform thread: its tasks are short (they queue messages or hand
 * blocking work to the broker's executor), and cancelled ones leave the queue at once, so the
 * many redelivery and expiry timers of many connections cost nothing once settled.
 */
final class ScheduledTimers implements Timers, AutoCloseable {

    private final ScheduledThreadPoolExecutor scheduler;

    ScheduledTimers() {
        scheduler = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "realtime-timers");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
    }

    @Override
    public Scheduled schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> future = scheduler.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(ScheduledTimers.class).warn("A realtime timer task failed", e);
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
