package dev.traceflow.realtime.internal.broker;

import io.github.bucket4j.TimeMeter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A clock that only moves when a test moves it, and the broker's timers on it: {@link #advance}
 * runs every task that falls due, in time order, so redelivery, expiry and sweeps are tested
 * without waiting.
 */
final class ManualTime extends Clock implements Timers, TimeMeter {

    private final class Task implements Scheduled {
        final long at;
        final long order;
        final Runnable body;
        boolean cancelled;

        Task(long at, long order, Runnable body) {
            this.at = at;
            this.order = order;
            this.body = body;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    private long nowMillis = Instant.parse("2026-05-01T10:00:00Z").toEpochMilli();
    private long order;
    private final List<Task> tasks = new ArrayList<>();

    @Override
    public synchronized Scheduled schedule(Duration delay, Runnable body) {
        Task task = new Task(nowMillis + delay.toMillis(), order++, body);
        tasks.add(task);
        return task;
    }

    /** Moves time forward, running each task when its time comes (tasks may schedule more). */
    void advance(Duration by) {
        long until;
        synchronized (this) {
            until = nowMillis + by.toMillis();
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream().filter(t -> !t.cancelled && t.at <= until)
                        .min(Comparator.<Task>comparingLong(t -> t.at).thenComparingLong(t -> t.order)).orElse(null);
                if (next == null) {
                    nowMillis = until;
                    tasks.removeIf(t -> t.cancelled);
                    return;
                }
                tasks.remove(next);
                nowMillis = Math.max(nowMillis, next.at);
            }
            next.body.run();
        }
    }

    @Override
    public synchronized Instant instant() {
        return Instant.ofEpochMilli(nowMillis);
    }

    @Override
    public synchronized long millis() {
        return nowMillis;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public long currentTimeNanos() {
        return millis() * 1_000_000L;
    }

    @Override
    public boolean isWallClockBased() {
        return true;
    }
}
