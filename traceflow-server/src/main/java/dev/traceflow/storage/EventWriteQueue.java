package dev.traceflow.storage;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.storage.EventWriter;
import dev.traceflow.core.storage.WriteResult;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The bounded queue in front of storage. Requests hand their events over and wait for the
 * commit; one writer thread drains the queue and commits many requests in one transaction.
 */
public interface EventWriteQueue {

    /**
     * Queues the events for the next commit.
     *
     * @return completes with what was written once the events are durable, or exceptionally
     *         with a {@link dev.traceflow.core.storage.StorageException} when nothing was
     * @throws QueueFullException at once when the queue cannot take {@code events.size()} more
     *                            events (nothing of the request is queued)
     */
    CompletableFuture<WriteResult> submit(List<Event> events);

    /** Runs a task on the writer thread, between commits (retention deletes). */
    <T> CompletableFuture<T> onWriter(Function<EventWriter, T> task);

    /** Events waiting now. */
    int queuedEvents();

    /** Thrown when the queue is full: the caller answers 503 with Retry-After. */
    final class QueueFullException extends RuntimeException {
        public QueueFullException(String message) {
            super(message, null, false, false);
        }
    }
}
