package dev.traceflow.storage.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The queue's bounds, in events and in bytes of heap: a request reserves room for its events
 * before they are prepared for the store, and the loader gives it back once they are stored (or
 * the request failed). The event bound keeps the backlog short; the byte bound keeps a few
 * requests of large events (10 KiB properties, long stacks) from filling the heap while their
 * count is far from the event bound. Thread-safe, lock-free.
 */
final class QueueBudget {

    /**
     * Heap an event takes in the queue beyond its journal bytes: the prepared form's references,
     * array headers and per-row columns, and the facts kept for {@code EventsStored}. The journal
     * form writes a string repeated within a request once, the prepared form keeps a reference per
     * row; README "How events are stored" has the measured figures this is taken from.
     */
    static final int OVERHEAD_PER_EVENT = 320;

    /** What a reservation found. */
    enum Admission {
        TAKEN,
        /** refused: the events would pass the event bound */
        FULL_OF_EVENTS,
        /** refused: the events' bytes would pass the byte bound */
        FULL_OF_BYTES
    }

    /** What the queue holds; immutable, so both counts change in one step. */
    private record Held(int events, long bytes) {
    }

    private final int capacityEvents;
    private final long capacityBytes;
    private final AtomicReference<Held> held = new AtomicReference<>(new Held(0, 0));
    private final Object released = new Object();

    QueueBudget(int capacityEvents, long capacityBytes) {
        if (capacityEvents < 1 || capacityBytes < 1) {
            throw new IllegalArgumentException("the storage queue needs room for at least one event and one byte");
        }
        this.capacityEvents = capacityEvents;
        this.capacityBytes = capacityBytes;
    }

    /**
     * The heap a request's events take while queued, estimated from their journal form (which
     * {@code submit} makes anyway) and their number; see {@link #OVERHEAD_PER_EVENT}.
     */
    static long heapBytes(int events, int journalBytes) {
        return journalBytes + (long) events * OVERHEAD_PER_EVENT;
    }

    /**
     * Reserves room for {@code events} taking {@code bytes}. A request bigger than the whole queue
     * (in either bound) is taken when the queue is empty, so that no request is refused forever.
     *
     * @return {@link Admission#TAKEN}, or why nothing was reserved
     */
    Admission tryReserve(int events, long bytes) {
        while (true) {
            Held current = held.get();
            if (current.events() > 0) {
                if (current.events() + events > capacityEvents) {
                    return Admission.FULL_OF_EVENTS;
                }
                if (current.bytes() + bytes > capacityBytes) {
                    return Admission.FULL_OF_BYTES;
                }
            }
            if (held.compareAndSet(current, new Held(current.events() + events, current.bytes() + bytes))) {
                return Admission.TAKEN;
            }
        }
    }

    /** Gives room back: the events are stored, or will never be. */
    void release(int events, long bytes) {
        add(-events, -bytes);
        synchronized (released) {
            released.notifyAll();
        }
    }

    /** Counts events the queue holds without a request having reserved them (replayed at start). */
    void hold(int events, long bytes) {
        add(events, bytes);
    }

    private void add(int events, long bytes) {
        held.updateAndGet(h -> new Held(h.events() + events, h.bytes() + bytes));
    }

    /**
     * Waits while the queue is more than half full, in events or in bytes.
     *
     * @param stillAccepting false once the queue stops, which ends the wait
     * @return false when it is still more than half full after {@code maxWait}
     */
    boolean awaitBelowHalf(Duration maxWait, BooleanSupplier stillAccepting) throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        synchronized (released) {
            while (isMoreThanHalfFull()) {
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
        Held current = held.get();
        return current.events() > capacityEvents / 2 || current.bytes() > capacityBytes / 2;
    }

    int queuedEvents() {
        return held.get().events();
    }

    long queuedBytes() {
        return held.get().bytes();
    }

    int capacityEvents() {
        return capacityEvents;
    }

    long capacityBytes() {
        return capacityBytes;
    }
}
