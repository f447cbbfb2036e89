package dev.traceflow.core.storage;

import dev.traceflow.core.event.Event;

import java.time.Instant;
import java.util.List;

/**
 * The write side of a storage backend.
 *
 * <p>Writing has two steps so that a journal can sit in front of the backend: {@link #encode}
 * turns events into the backend's own rows as bytes (on request threads, in parallel), and
 * {@link #writeEncoded} stores many such batches in one transaction together with the journal
 * position they came from, so that after a crash the journal replays exactly what is missing.
 *
 * <p>Not thread-safe except {@link #encode}: call the rest from one thread at a time (the thread
 * may change between calls, e.g. when the writer loop restarts). That lets a backend keep
 * thread-bound resources (DuckDB's Appender belongs to one thread).
 */
public interface EventWriter {

    /** The position stored when none was ever recorded. */
    long NO_POSITION = -1;

    /**
     * Encodes events as this backend's rows, in a form {@link #writeEncoded} reads back, also
     * after a restart (the bytes are kept in the journal). Thread-safe.
     */
    byte[] encode(List<Event> events);

    /**
     * Rows {@code from} (inclusive) to {@code to} (exclusive) of a batch made by {@link #encode},
     * as a batch of their own. Lets a caller split one batch across two {@link #writeEncoded}
     * transactions, e.g. to end a transaction on a storage block boundary. Thread-safe.
     *
     * @throws IllegalArgumentException when the range is not within the batch
     */
    byte[] slice(byte[] batch, int from, int to);

    /**
     * Stores the rows of the encoded batches in one transaction and returns once they are
     * durable: when this method returns normally, a crash loses none of them. Either all
     * non-duplicate rows are stored, or none is and an exception is thrown.
     *
     * <p>A row whose {@code eventId} was already stored for the same app (earlier, or earlier in
     * the same call) is not stored again and is reported in {@link WriteResult#duplicates()}, by
     * its position counted across all batches in order.
     *
     * @param position recorded in the same transaction and returned by {@link #storedPosition()}
     *                 afterwards; negative to leave the recorded position as it is
     * @throws StorageException when nothing was stored
     */
    WriteResult writeEncoded(List<byte[]> batches, long position);

    /** The position of the last committed {@link #writeEncoded} that recorded one, or {@link #NO_POSITION}. */
    long storedPosition();

    /** Encodes and stores the events in one transaction; see {@link #writeEncoded}. */
    default WriteResult write(List<Event> events) {
        return writeEncoded(List.of(encode(events)), NO_POSITION);
    }

    /**
     * Deletes the app's events whose event time is before {@code cutoff}.
     *
     * @return the number of events deleted
     */
    long deleteOlderThan(String appId, Instant cutoff);
}
