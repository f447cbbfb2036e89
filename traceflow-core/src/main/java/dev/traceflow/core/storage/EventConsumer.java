package dev.traceflow.core.storage;

import dev.traceflow.core.event.Event;

import java.time.Instant;
import java.util.List;

/**
 * The write side of a storage backend (Zipkin's {@code SpanConsumer} shape): it stores batches of
 * {@link Event}s, reports duplicates, and deletes by app and by age. Durability in front of it
 * (the server's journal) is not its business beyond keeping the opaque position it is given.
 *
 * <p>Threads: {@link #prepare} is thread-safe (request threads call it in parallel); every other
 * method is called from one thread at a time, which may change between calls (a restarted loader
 * runs on a new thread). That lets a backend keep thread-bound resources (DuckDB's Appender).
 */
public interface EventConsumer {

    /** The position {@link #storedPosition()} answers when none was ever recorded. */
    long NO_POSITION = -1;

    /**
     * How many events one {@link #store} call should carry for this backend to store them most
     * cheaply (DuckDB: a row group, which it writes straight to its file). The loader in front
     * ends a transaction on a multiple of it when it has more than one hint's worth waiting.
     *
     * @return at least 1; 1 means no preference
     */
    default int batchSizeHint() {
        return 1;
    }

    /**
     * An optimisation a backend may offer: turns events into its own form on the caller's thread,
     * so that {@link #store} does less on the one thread that stores. The result lives only in
     * memory (the journal keeps events in a backend-neutral format). Thread-safe.
     */
    default PreparedEvents prepare(List<Event> events) {
        return PreparedEvents.of(events);
    }

    /**
     * Stores the batches in one transaction, together with {@code position}, and returns once they
     * are durable: when it returns normally, a crash loses none of them. Either all non-duplicate
     * events are stored, or none is and a {@link StorageException} is thrown.
     *
     * <p>An event whose {@code eventId} was already stored for the same app (earlier, or earlier in
     * the same call) is not stored again and is reported in {@link WriteResult#duplicates()} by its
     * position counted across all batches in order. A backend states how far back it remembers ids.
     *
     * @param batches  made by {@link #prepare} of this backend, or {@link PreparedEvents#of}
     * @param position recorded in the same transaction, returned by {@link #storedPosition()}
     *                 afterwards; negative to leave the recorded position as it is
     * @throws StorageException when nothing was stored
     */
    WriteResult store(List<PreparedEvents> batches, long position);

    /** Stores the events in one transaction without recording a position; see {@link #store(List, long)}. */
    default WriteResult accept(List<Event> events) {
        return store(List.of(prepare(events)), NO_POSITION);
    }

    /** The position of the last committed {@link #store} that recorded one, or {@link #NO_POSITION}. */
    long storedPosition();

    /**
     * Deletes every stored event of the app (the app was deleted).
     *
     * @return the number of events deleted
     */
    long deleteApp(String appId);

    /**
     * Deletes the app's events whose event time is before {@code cutoff} (retention).
     *
     * @return the number of events deleted
     */
    long deleteOlderThan(String appId, Instant cutoff);

    /**
     * Deletes every stored event of one person of an app (they opted out): events whose
     * {@code userId} equals {@code userId}, or whose {@code anonymousId} equals {@code anonymousId};
     * a null argument matches nothing. Runs on the writer thread, like the other deletes.
     *
     * @return the number of events deleted
     */
    default long deleteUser(String appId, String userId, String anonymousId) {
        throw new UnsupportedOperationException("this event store cannot delete one user's events");
    }
}
