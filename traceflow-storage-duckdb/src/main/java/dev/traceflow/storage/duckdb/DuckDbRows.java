package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails.ApiCallDetails;
import dev.traceflow.core.event.EventDetails.CustomEventDetails;
import dev.traceflow.core.event.EventDetails.ResourceDetails;
import dev.traceflow.core.event.EventDetails.WebVitalDetails;
import dev.traceflow.core.storage.PreparedEvents;
import dev.traceflow.core.storage.RecentEventIds;
import dev.traceflow.core.storage.StorageException;
import org.duckdb.DuckDBAppender;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * Rows of the {@code events} table as bytes: what {@link DuckDbEventConsumer#prepare} makes on
 * request threads and {@link DuckDbEventConsumer#store} appends. Everything costly (JSON columns,
 * UTF-8, the de-duplication hash) happens while encoding; appending only copies byte ranges,
 * because the Appender takes a VARCHAR as UTF-8 bytes. The bytes live only in memory: the journal
 * keeps events in its own, backend-neutral format.
 *
 * <p>Layout (big-endian): a format byte, the row count {@code n}, {@code n} de-duplication keys
 * (0 for an event without {@code eventId}), then the rows. A row is its columns in table order
 * (schema/V1__events.sql; V3 rebuilt the table in the same order): strings as a varint of length + 1 (0 for null) and the UTF-8 bytes,
 * {@code ts} as 8 bytes of epoch microseconds, {@code value} as a presence byte and 8 bytes.
 */
final class DuckDbRows {

    static final byte FORMAT = 1;

    private DuckDbRows() {
    }

    /** Encoded rows: a {@link PreparedEvents} of this backend. */
    record Batch(byte[] bytes, int size) implements PreparedEvents {

        @Override
        public PreparedEvents slice(int from, int to) {
            return DuckDbRows.slice(this, from, to);
        }
    }

    /** The de-duplication key of an event id: never 0, which stands for "no id". */
    static long idKey(String appId, String eventId) {
        long key = RecentEventIds.key(appId, eventId);
        return key == 0 ? 1 : key;
    }

    static Batch encode(List<Event> events) {
        Encoder out = new Encoder(events.size() * 512 + 16);
        out.writeByte(FORMAT);
        out.writeInt(events.size());
        for (Event e : events) {
            long key = 0;
            if (e.eventId() != null) {
                key = idKey(e.appId(), e.eventId());
            }
            out.writeLong(key);
        }
        EventDataJson json = new EventDataJson();
        for (Event e : events) {
            encodeRow(out, e, json);
        }
        return new Batch(out.toByteArray(), events.size());
    }

    /**
     * Rows {@code from} (inclusive) to {@code to} (exclusive) of an encoded batch, as a batch of
     * their own: their keys and their bytes, copied as they are.
     */
    static Batch slice(Batch whole, int from, int to) {
        PreparedEvents.checkRange(from, to, whole.size());
        byte[] batch = whole.bytes();
        Reader reader = new Reader(whole);
        long[] keys = reader.keys();
        for (int i = 0; i < from; i++) {
            reader.skipRow();
        }
        int start = reader.pos;
        for (int i = from; i < to; i++) {
            reader.skipRow();
        }
        int end = reader.pos;
        Encoder out = new Encoder(1 + 4 + 8 * (to - from) + (end - start));
        out.writeByte(FORMAT);
        out.writeInt(to - from);
        for (int i = from; i < to; i++) {
            out.writeLong(keys[i]);
        }
        out.writeBytes(batch, start, end - start);
        return new Batch(out.toByteArray(), to - from);
    }

    private static void encodeRow(Encoder out, Event e, EventDataJson json) {
        out.writeString(e.appId());
        out.writeString(e.type().wireName());
        out.writeLong(e.timestamp() * 1000);
        out.writeString(e.eventId());
        out.writeString(e.sessionId());
        out.writeString(e.userId());
        out.writeString(e.anonymousId());
        out.writeString(e.path());
        String name = null;
        Double value = null;
        switch (e.details()) {
            case CustomEventDetails c -> name = c.name();
            case WebVitalDetails w -> {
                name = w.name();
                value = w.value();
            }
            case ResourceDetails r -> {
                name = r.timing().name();
                value = r.timing().duration();
            }
            case ApiCallDetails api -> {
                name = api.url();
                value = api.duration();
            }
            default -> {
            }
        }
        out.writeString(name);
        if (value == null) {
            out.writeByte((byte) 0);
        } else {
            out.writeByte((byte) 1);
            out.writeLong(Double.doubleToRawLongBits(value));
        }
        out.writeString(e.fingerprint());
        out.writeString(e.release());
        out.writeString(e.environment());
        out.writeString(e.browser());
        out.writeString(e.os());
        out.writeString(e.deviceType());
        out.writeString(e.country());
        out.writeString(e.trafficSource());
        if (!json.json(e.properties(), out::writeUtf8)) {
            out.writeString(null);
        }
        json.data(e, out::writeUtf8);
    }

    /** Reads one encoded batch: its keys first, then its rows in order. */
    static final class Reader {
        private final byte[] buf;
        private int pos;
        private final int rows;

        Reader(Batch encoded) {
            byte[] batch = encoded.bytes();
            this.buf = batch;
            if (batch.length < 5 || batch[0] != FORMAT) {
                throw new StorageException("an encoded event batch has an unknown format ("
                        + (batch.length == 0 ? "empty" : "format " + batch[0]) + ")");
            }
            this.pos = 1;
            this.rows = readInt();
            if (rows < 0 || (long) rows * 8 > batch.length - 5) {
                throw new StorageException("an encoded event batch is corrupt (row count " + rows + ")");
            }
        }

        int rows() {
            return rows;
        }

        /** The de-duplication keys, one per row; call once, before {@link #appendRow}. */
        long[] keys() {
            long[] keys = new long[rows];
            for (int i = 0; i < rows; i++) {
                keys[i] = readLong();
            }
            return keys;
        }

        /** Appends the next row, or only reads past it when {@code append} is false. */
        void appendRow(DuckDBAppender a, boolean append) throws SQLException {
            if (!append) {
                skipRow();
                return;
            }
            a.beginRow();
            appendString(a); // app_id
            appendString(a); // type
            a.appendEpochMicros(readLong());
            for (int i = 0; i < 6; i++) { // event_id, session_id, user_id, anonymous_id, path, name
                appendString(a);
            }
            if (buf[pos++] != 0) {
                a.append(Double.longBitsToDouble(readLong()));
            } else {
                a.append((Double) null);
            }
            for (int i = 0; i < 10; i++) { // fingerprint ... traffic_source, properties, data
                appendString(a);
            }
            a.endRow();
        }

        private void skipRow() {
            skipString();
            skipString();
            pos += 8;
            for (int i = 0; i < 6; i++) {
                skipString();
            }
            pos += buf[pos] != 0 ? 9 : 1;
            for (int i = 0; i < 10; i++) {
                skipString();
            }
        }

        private void appendString(DuckDBAppender a) throws SQLException {
            int lengthPlusOne = readVarint();
            if (lengthPlusOne == 0) {
                a.append((byte[]) null);
                return;
            }
            int length = lengthPlusOne - 1;
            if (length > buf.length - pos) {
                throw new StorageException("an encoded event batch is corrupt (a string runs past its end)");
            }
            a.append(Arrays.copyOfRange(buf, pos, pos + length));
            pos += length;
        }

        private void skipString() {
            int lengthPlusOne = readVarint();
            pos += Math.max(0, lengthPlusOne - 1);
            if (pos > buf.length) {
                throw new StorageException("an encoded event batch is corrupt (a string runs past its end)");
            }
        }

        /** Throws unless every row was read and nothing follows them. */
        void expectEnd() {
            if (pos != buf.length) {
                throw new StorageException("an encoded event batch is corrupt (" + (buf.length - pos) + " bytes after its rows)");
            }
        }

        private int readVarint() {
            int value = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                byte b = buf[pos++];
                value |= (b & 0x7f) << shift;
                if (b >= 0) {
                    return value;
                }
            }
            throw new StorageException("an encoded event batch is corrupt (varint)");
        }

        private int readInt() {
            int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
            pos += 4;
            return v;
        }

        private long readLong() {
            long hi = readInt() & 0xffffffffL;
            long lo = readInt() & 0xffffffffL;
            return (hi << 32) | lo;
        }
    }

    /** A growable big-endian byte buffer, a ByteArrayOutputStream without the locks. */
    private static final class Encoder {
        private byte[] buf;
        private int size;

        Encoder(int initial) {
            buf = new byte[initial];
        }

        void writeByte(byte b) {
            ensure(1);
            buf[size++] = b;
        }

        void writeInt(int v) {
            ensure(4);
            buf[size] = (byte) (v >>> 24);
            buf[size + 1] = (byte) (v >>> 16);
            buf[size + 2] = (byte) (v >>> 8);
            buf[size + 3] = (byte) v;
            size += 4;
        }

        void writeLong(long v) {
            writeInt((int) (v >>> 32));
            writeInt((int) v);
        }

        void writeBytes(byte[] bytes, int offset, int length) {
            ensure(length);
            System.arraycopy(bytes, offset, buf, size, length);
            size += length;
        }

        void writeString(String s) {
            if (s == null) {
                writeByte((byte) 0);
                return;
            }
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            writeUtf8(utf8, utf8.length);
        }

        /** A string column given as the first {@code length} bytes of {@code utf8}. */
        void writeUtf8(byte[] utf8, int length) {
            int v = length + 1;
            ensure(5 + length);
            while ((v & ~0x7f) != 0) {
                buf[size++] = (byte) ((v & 0x7f) | 0x80);
                v >>>= 7;
            }
            buf[size++] = (byte) v;
            System.arraycopy(utf8, 0, buf, size, length);
            size += length;
        }

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }
    }
}
