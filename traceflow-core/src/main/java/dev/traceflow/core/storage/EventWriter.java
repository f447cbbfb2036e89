package dev.traceflow.core.storage;

import dev.traceflow.core.event.Event;

import java.time.Instant;
import java.util.List;

/**
 * The write side of a storage backend.
 *
 * <p>Not thread-safe: call it from one thread at a time (the thread may change between calls, e.g.
 * when the writer loop restarts). The server drives it from a single writer thread, which lets a backend
 * keep thread-bound resources (DuckDB's Appender belongs to one thread) and group many
 * requests into one transaction.
 */
public interface EventWriter {

    /**
     * Stores the events in one transaction and returns once they are durable: when this method
     * returns normally, a crash loses none of them. Either all non-duplicate events are stored,
     * or none is and an exception is thrown.
     *
     * <p>An event whose {@code eventId} was already stored for the same app (earlier, or earlier
     * in the same list) is not stored again and is reported in {@link WriteResult#duplicates()}.
     *
     * @throws StorageException when nothing was stored
     */
    WriteResult write(List<Event> events);

    /**
     * Optional work a backend can do per event before {@link #write}, on the caller's thread:
     * serialization, hashing. Unlike {@code write} it must be thread-safe, since request threads
     * call it concurrently; it is what lets the one writer thread keep up. The default does nothing.
     */
    default void prepare(List<Event> events) {
    }

    /**
     * Deletes the app's events whose event time is before {@code cutoff}.
     *
     * @return the number of events deleted
     */
    long deleteOlderThan(String appId, Instant cutoff);
}
