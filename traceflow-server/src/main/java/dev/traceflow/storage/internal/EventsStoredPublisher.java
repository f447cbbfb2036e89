package dev.traceflow.storage.internal;

import dev.traceflow.storage.EventsStored;
import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Hands {@link EventsStored} to the listeners on a thread of its own, so a slow listener does not
 * hold up the loader. Bounded twice: in signals (one per load, and loads are few per second) and in
 * the stored events the queued signals carry, since one load can carry hundreds of thousands of
 * {@link EventsStored.SessionEvent}s outside the write queue's byte budget: a count of signals
 * alone would let stuck listeners hold tens of millions of events. Either bound only fills when
 * listeners are stuck; then the loader waits (counted) rather than drop a signal, since listeners
 * count events from them. A signal larger than the event bound is taken once the queue is empty.
 */
final class EventsStoredPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventsStoredPublisher.class);
    private static final Object STOP = new Object();

    private final Consumer<EventsStored> listener;
    private final LoadProgress progress;
    private final Counter waits;
    private final BlockingQueue<Object> queue;
    private final long maxQueuedEvents;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition eventsTaken = lock.newCondition();
    /** Stored events of the signals queued or being delivered; guarded by {@link #lock}. */
    private long queuedEvents;
    private final Thread thread;

    EventsStoredPublisher(Consumer<EventsStored> listener, LoadProgress progress, int capacity, long maxQueuedEvents,
                          Counter waits) {
        if (maxQueuedEvents < 1) {
            throw new IllegalArgumentException("maxQueuedEvents must be positive: " + maxQueuedEvents);
        }
        this.listener = listener;
        this.progress = progress;
        this.waits = waits;
        this.maxQueuedEvents = maxQueuedEvents;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = Thread.ofPlatform().name("traceflow-events-stored").daemon().start(this::deliver);
    }

    /**
     * Queues the signal of a load that reached journal position {@code position} (null when there
     * is nothing to tell, only the position to pass on); waits only while the listeners are
     * {@code capacity} signals or {@code maxQueuedEvents} stored events behind.
     */
    void publish(EventsStored signal, long position) throws InterruptedException {
        Signal next = new Signal(signal, position, weight(signal));
        boolean waited = reserve(next.events());
        if (!queue.offer(next)) {
            waited = true;
            queue.put(next);
        }
        if (waited) {
            waits.increment();
        }
    }

    private record Signal(EventsStored stored, long position, long events) {
    }

    private static long weight(EventsStored signal) {
        if (signal == null) {
            return 0;
        }
        long events = 0;
        for (EventsStored.AppEvents app : signal.apps()) {
            events += Math.max(app.stored(), app.sessionEvents().size());
        }
        return events;
    }

    /** Takes {@code events} of the bound, waiting while they would pass it; true if it waited. */
    private boolean reserve(long events) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            boolean waited = false;
            while (queuedEvents > 0 && queuedEvents + events > maxQueuedEvents) {
                waited = true;
                eventsTaken.await();
            }
            queuedEvents += events;
            return waited;
        } finally {
            lock.unlock();
        }
    }

    private void release(long events) {
        if (events == 0) {
            return;
        }
        lock.lock();
        try {
            queuedEvents -= events;
            eventsTaken.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stored events of the signals queued or being delivered. */
    long queuedEvents() {
        lock.lock();
        try {
            return queuedEvents;
        } finally {
            lock.unlock();
        }
    }

    int backlog() {
        return queue.size();
    }

    private void deliver() {
        while (true) {
            Object next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (next == STOP) {
                return;
            }
            Signal signal = (Signal) next;
            try {
                if (signal.stored() != null) {
                    listener.accept(signal.stored());
                }
            } catch (RuntimeException e) {
                log.warn("an EventsStored listener failed: {}", e.getMessage());
            } finally {
                release(signal.events());
            }
            progress.announced(signal.position());
        }
    }

    /** Delivers what is queued, then stops. */
    @Override
    public void close() {
        try {
            queue.put(STOP);
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
