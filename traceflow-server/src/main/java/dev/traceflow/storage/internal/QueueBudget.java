package dev.traceflow.storage.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The queue's bound, in events: a request reserves room for its events before anything is done
 * with them and the loader gives it back once they are stored (or the request failed).
 * Thread-safe.
 */
final class QueueBudget {

    private final int capacityEvents;
    private final AtomicInteger queued = new AtomicInteger();
    private final Object released = new Object();

    QueueBudget(int capacityEvents) {
        if (capacityEvents < 1) {
            throw new IllegalArgumentException("the storage queue needs room for at least one event");
        }
        this.capacityEvents = capacityEvents;
    }

    /**
     * Reserves room for {@code events}. A request bigger than the whole queue is taken when the
     * queue is empty, so that no request is refused forever.
     *
     * @return false, reserving nothing, when the queue cannot take them now
     */
    boolean tryReserve(int events) {
        while (true) {
            int current = queued.get();
            if (current + events > capacityEvents && current > 0) {
                return false;
            }
            if (queued.compareAndSet(current, current + events)) {
                return true;
            }
        }
    }

    /** Gives room back: the events are stored, or will never be. */
    void release(int events) {
        queued.addAndGet(-events);
        synchronized (released) {
            released.notifyAll();
        }
    }

    /** Counts events the queue holds without a request having reserved them (replayed at start). */
    void hold(int events) {
        queued.addAndGet(events);
    }

    /**
     * Waits while the queue is more than half full.
     *
     * @param stillAccepting false once the queue stops, which ends the wait
     * @return false when it is still more than half full after {@code maxWait}
     */
    boolean awaitBelowHalf(Duration maxWait, BooleanSupplier stillAccepting) throws InterruptedException {
        int highWater = capacityEvents / 2;
        long deadline = System.nanoTime() + maxWait.toNanos();
        synchronized (released) {
            while (queued.get() > highWater) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !stillAccepting.getAsBoolean()) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(released, left);
            }
        }
        return true;
    }

    boolean isMoreThanHalfFull() {
        return queued.get() > capacityEvents / 2;
    }

    int queuedEvents() {
        return queued.get();
    }

    int capacityEvents() {
        return capacityEvents;
    }
}
