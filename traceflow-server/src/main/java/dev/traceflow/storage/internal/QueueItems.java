package dev.traceflow.storage.internal;

import dev.traceflow.core.storage.EventConsumer;
import dev.traceflow.core.storage.PreparedEvents;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** What travels from request threads through the journal thread to the loader. */
final class QueueItems {

    private QueueItems() {
    }

    /** Something the loader takes in order: a journaled request, or a task on the consumer. */
    sealed interface ForLoader permits Journaled, Task {
    }

    /**
     * One request on its way to the journal: its events in the journal's format (dropped once
     * written), in the backend's prepared form, and the facts for {@code EventsStored}.
     *
     * @param heapBytes what the request reserved of the queue's byte bound ({@link QueueBudget#heapBytes})
     */
    record Pending(String appId, int events, long heapBytes, byte[] journalBytes, PreparedEvents prepared, StoredFacts facts,
                   CompletableFuture<Void> done) {
    }

    /**
     * Events {@code from} to {@code to} of a journaled request: usually all of them, but a
     * transaction may end inside a request ({@link BatchingPolicy#cut}). The store then records as
     * its position the record's start plus the events stored so far, a position strictly inside
     * the record (a record takes more bytes than it has events), which a replay after a crash
     * reads as "skip that many events of this request".
     *
     * @param prepared  the whole request's events; {@link #batch()} is this piece of them
     * @param heapBytes what the whole request holds of the queue's byte bound
     * @param start     the journal position where the request's record starts
     * @param position  the journal position just after it
     */
    record Journaled(String appId, PreparedEvents prepared, long heapBytes, StoredFacts facts, long start, long position, int from,
                     int to) implements ForLoader {

        static Journaled whole(String appId, PreparedEvents prepared, long heapBytes, StoredFacts facts, long start, long position) {
            return new Journaled(appId, prepared, heapBytes, facts, start, position, 0, prepared.size());
        }

        int events() {
            return to - from;
        }

        /**
         * The bytes to give back once this piece is stored: the request's, with its last piece,
         * since its pieces share one prepared batch that stays in memory until then.
         */
        long bytesFreedWhenStored() {
            return to == prepared.size() ? heapBytes : 0;
        }

        PreparedEvents batch() {
            return from == 0 && to == prepared.size() ? prepared : prepared.slice(from, to);
        }

        StoredFacts factsOfPiece() {
            return from == 0 && to == prepared.size() ? facts : facts.slice(from, to);
        }

        /** Where the store is once this piece is stored: the record's end, or inside it. */
        long storedPosition() {
            return to == prepared.size() ? position : start + to;
        }

        Journaled head(int events) {
            return new Journaled(appId, prepared, heapBytes, facts, start, position, from, from + events);
        }

        Journaled tail(int headEvents) {
            return new Journaled(appId, prepared, heapBytes, facts, start, position, from + headEvents, to);
        }
    }

    /** Work on the consumer that must come after every event acknowledged before it (deletions). */
    record Task<T>(Function<EventConsumer, T> work, CompletableFuture<T> done) implements ForLoader {
        void run(EventConsumer consumer) {
            try {
                done.complete(work.apply(consumer));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }
    }
}
