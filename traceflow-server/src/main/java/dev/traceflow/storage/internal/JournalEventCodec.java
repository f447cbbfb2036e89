package dev.traceflow.storage.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The journal's own format for a request's events, independent of any storage backend, so that
 * accepted events survive a change of {@code traceflow.storage.type} and of a backend's row
 * format. Every field of an {@link Event} is kept, the pipeline's enrichments included, except
 * its request index.
 *
 * <p>Format 2 (format 1 was DuckDB's rows, read by {@link JournalFormatV1}): a format byte, a
 * varint event count, then per event its fields in the order of {@link JournalEventWriter#event}. Strings are
 * a varint tag: 0 null, 1 "the same as this field of the previous event" (user agents, releases,
 * sessions repeat within a request), otherwise the UTF-8 length + 2 and the bytes. Never change
 * what a released format means: add format 3 and keep reading 2.
 */
final class JournalEventCodec {

    static final byte FORMAT = 2;

    /** Per-field slots for "same as the previous event" strings. */
    static final int APP = 0, EVENT_ID = 1, SESSION = 2, USER = 3, ANON = 4, URL = 5, REFERRER = 6, TITLE = 7,
            USER_AGENT = 8, RELEASE = 9, ENVIRONMENT = 10, PATH = 11, UTM_SOURCE = 12, UTM_MEDIUM = 13, UTM_CAMPAIGN = 14,
            TRAFFIC = 15, BROWSER = 16, BROWSER_VERSION = 17, OS = 18, OS_VERSION = 19, DEVICE = 20, COUNTRY = 21,
            FINGERPRINT = 22, SLOTS = 23;

    static final EventType[] TYPES = EventType.values();

    /**
     * Buffers to encode into, shared by the request threads: a request's events are encoded into
     * one, then copied out at their size. A buffer per request, sized for the worst case, was the
     * request path's third largest allocation (JFR), each one garbage once copied.
     */
    private static final ArrayBlockingQueue<byte[]> SCRATCH = new ArrayBlockingQueue<>(16);
    private static final int SCRATCH_BYTES = 32 * 1024;
    /** A buffer that grew past this (a request of large events) is left to the collector rather than kept. */
    private static final int MAX_SCRATCH_BYTES = 256 * 1024;

    private JournalEventCodec() {
    }

    /**
     * The events in format 2.
     *
     * @throws IllegalArgumentException when a property value is not JSON-like (map, collection,
     *                                  string, number, boolean, null)
     */
    static byte[] encode(List<Event> events) {
        byte[] scratch = SCRATCH.poll();
        JournalEventWriter out = new JournalEventWriter(scratch != null ? scratch : new byte[SCRATCH_BYTES]);
        out.writeByte(FORMAT);
        out.varint(events.size());
        for (Event e : events) {
            out.event(e);
        }
        byte[] encoded = out.toByteArray();
        if (out.buffer().length <= MAX_SCRATCH_BYTES) {
            SCRATCH.offer(out.buffer());
        }
        return encoded;
    }

    /**
     * Reads events written by {@link #encode}.
     *
     * @throws IllegalArgumentException when the bytes are not format 2 or are cut short
     */
    static List<Event> decode(byte[] bytes) {
        try {
            return read(bytes);
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("journal events are cut short", e);
        }
    }

    private static List<Event> read(byte[] bytes) {
        JournalEventReader in = new JournalEventReader(bytes);
        if (bytes.length == 0 || in.readByte() != FORMAT) {
            throw new IllegalArgumentException("not journal event format " + FORMAT);
        }
        int n = in.varint();
        List<Event> events = new ArrayList<>(Math.min(n, 1 << 16));
        for (int i = 0; i < n; i++) {
            events.add(in.event());
        }
        if (in.remaining() != 0) {
            throw new IllegalArgumentException(in.remaining() + " bytes after the last event");
        }
        return events;
    }
}
