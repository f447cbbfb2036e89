package dev.traceflow.storage;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.storage.StorageException;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The bounded way into event storage. A request hands its events over and waits until they are
 * durable (journaled and fsynced), which is when it may answer 202; a loader moves them into the
 * event store shortly after, in big transactions, and then publishes {@link EventsStored}. Reads
 * that must see everything acknowledged so far call {@link #awaitStored} first.
 */
public interface EventWriteQueue {

    /**
     * Makes one request's events durable.
     *
     * @param appId  the app all the events belong to
     * @return completes once the events are durable (a crash after it loses none of them), or
     *         exceptionally with a {@link StorageException} when they are not and nothing of them
     *         will be stored
     * @throws QueueFullException at once when the queue cannot take {@code events.size()} more
     *                            events, or the heap they take (nothing of the request is queued)
     */
    CompletableFuture<Void> submit(String appId, List<Event> events);

    /**
     * Deletes every stored event of the app, after every event acknowledged before the call is
     * stored (so none of them outlives the app).
     *
     * @return completes with the number of events deleted
     */
    CompletableFuture<Long> deleteApp(String appId);

    /**
     * Deletes the app's events with an event time before {@code cutoff} (retention), after every
     * event acknowledged before the call is stored.
     *
     * @return completes with the number of events deleted
     */
    CompletableFuture<Long> deleteOlderThan(String appId, Instant cutoff);

    /**
     * Deletes one person's events of the app (an opt-out; see
     * {@link dev.traceflow.core.storage.EventConsumer#deleteUser}), after every event acknowledged
     * before the call is stored.
     *
     * @return completes with the number of events deleted
     */
    CompletableFuture<Long> deleteUser(String appId, String userId, String anonymousId);

    /**
     * Waits until every event acknowledged before this call is in the event store (read your
     * writes), without waiting for the loader's usual pause.
     *
     * @return false when the timeout passed first
     */
    boolean awaitStored(Duration timeout) throws InterruptedException;

    /**
     * Admission control, before a request does any work: waits while the queue is more than half
     * full (in events or in bytes), so that under overload the CPU goes to storing events instead
     * of parsing requests that would be refused anyway.
     *
     * @return false when the queue is still more than half full after {@code maxWait}
     */
    boolean awaitRoom(Duration maxWait) throws InterruptedException;

    /** Events acknowledged or waiting for the journal, not yet in the event store. */
    int queuedEvents();

    /**
     * Why the last attempt to move events into the event store failed, or null when it worked.
     * The events wait in the journal and are retried; health reports storage down meanwhile.
     */
    String loadError();

    /** Thrown when the queue is full: the caller answers 503 with Retry-After. */
    final class QueueFullException extends RuntimeException {
        public QueueFullException(String message) {
            super(message, null, false, false);
        }
    }
}
