package dev.traceflow.storage.internal;

import dev.traceflow.storage.EventsStored;
import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Hands {@link EventsStored} to the listeners on a thread of its own, so a slow listener does not
 * hold up the loader. Bounded: one signal per load, and loads are few per second, so the queue
 * only fills when listeners are stuck; then the loader waits (counted) rather than drop a signal,
 * since listeners count events from them.
 */
final class EventsStoredPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventsStoredPublisher.class);
    private static final Object STOP = new Object();

    private final Consumer<EventsStored> listener;
    private final LoadProgress progress;
    private final Counter waits;
    private final BlockingQueue<Object> queue;
    private final Thread thread;

    EventsStoredPublisher(Consumer<EventsStored> listener, LoadProgress progress, int capacity, Counter waits) {
        this.listener = listener;
        this.progress = progress;
        this.waits = waits;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = Thread.ofPlatform().name("traceflow-events-stored").daemon().start(this::deliver);
    }

    /**
     * Queues the signal of a load that reached journal position {@code position} (null when there
     * is nothing to tell, only the position to pass on); waits only while the listeners are
     * {@code capacity} signals behind.
     */
    void publish(EventsStored signal, long position) throws InterruptedException {
        Signal next = new Signal(signal, position);
        if (!queue.offer(next)) {
            waits.increment();
            queue.put(next);
        }
    }

    private record Signal(EventsStored stored, long position) {
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
