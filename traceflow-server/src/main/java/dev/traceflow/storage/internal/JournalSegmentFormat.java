package dev.traceflow.storage.internal;

import dev.traceflow.storage.internal.IngestJournal.Entry;
import dev.traceflow.storage.internal.IngestJournal.Replayed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * How a journal segment file is laid out: its header, its records and their CRCs, in the two
 * segment formats there have been. {@link IngestJournal} decides which files exist and where the
 * next records go; this class only reads and writes their bytes.
 *
 * <p>A record is {@code [int length][int crc32c][payload]}; the payload is {@code [short appId
 * length][appId UTF-8][int events][batch]}, the batch being the events in a format that starts
 * with its format byte ({@link JournalEventCodec}).
 *
 * <ul>
 * <li>Format 1 (before 2026-12-07): no header; a record's CRC covers its payload.</li>
 * <li>Format 2: a header, {@code "TFJRNL"}, the format as a short and the segment's position; a
 *     record's CRC also covers the position where the record starts, so the old records a reused
 *     file still holds after the last new one cannot pass for new ones.</li>
 * </ul>
 */
final class JournalSegmentFormat {

    /** The segment format this build writes. */
    static final int CURRENT = 2;
    private static final byte[] MAGIC = "TFJRNL".getBytes(StandardCharsets.US_ASCII);
    /** A format-2 segment's header: the magic, the format, the segment's position. */
    static final int HEADER_BYTES = MAGIC.length + 2 + 8;
    /** A record's length and CRC. */
    private static final int RECORD_HEADER = 8;
    /** The app id's length and the event count: a shorter "record" is zeros, or garbage. */
    private static final int MIN_PAYLOAD = 2 + 4;
    /** Bigger records than this cannot come from a request (10 MiB decompressed at most). */
    private static final int MAX_RECORD = 64 << 20;

    private JournalSegmentFormat() {
    }

    /** The header that starts a segment of the current format whose first record is at {@code base}. */
    static ByteBuffer header(long base) {
        return ByteBuffer.allocate(HEADER_BYTES).put(MAGIC).putShort((short) CURRENT).putLong(base).flip();
    }

    /**
     * 1 for a segment without a header (format 1, or a file cut to nothing), 2 for one with the
     * header; refuses a format this build does not know, so that nothing is deleted.
     */
    static int of(JournalFiles.Segment segment, String file) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(MAGIC.length + 2);
        if (segment.read(head, 0) < head.capacity() || !Arrays.equals(head.array(), 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            // a format-1 segment starts with a record's length, at most 64 MiB: its first byte is
            // never the magic's 'T'
            return 1;
        }
        int format = head.getShort(MAGIC.length);
        if (format != CURRENT) {
            throw new IOException("journal segment " + file + " is in segment format " + format + ", which this TraceFlow "
                    + "does not know (it reads formats 1 and " + CURRENT + "). A newer TraceFlow wrote it: start that "
                    + "version again until it has stored its journal, or upgrade. Nothing was deleted.");
        }
        return format;
    }

    /** The position a format-2 segment's header names; -1 when the header is cut short. */
    static long headerPosition(JournalFiles.Segment segment) throws IOException {
        ByteBuffer position = ByteBuffer.allocate(8);
        return segment.read(position, MAGIC.length + 2) < 8 ? -1 : position.getLong(0);
    }

    /** Where a segment's first record starts in its file. */
    static long firstRecord(int format) {
        return format == 1 ? 0 : HEADER_BYTES;
    }

    /**
     * Reads the whole records of a segment of {@code format} whose first record is at position
     * {@code base}, and hands those ending after {@code after} to {@code replay}, oldest first. The
     * first record that is cut short, garbled or from another position ends the reading.
     *
     * @return the file offset just after the last whole record
     */
    static long readRecords(JournalFiles.Segment segment, int format, long base, long after, Consumer<Replayed> replay)
            throws IOException {
        long size = segment.size();
        long first = firstRecord(format);
        long offset = first;
        ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER);
        while (offset < size) {
            header.clear();
            if (size - offset < RECORD_HEADER || segment.read(header, offset) < RECORD_HEADER) {
                break;
            }
            header.flip();
            int length = header.getInt();
            int crc = header.getInt();
            if (length < MIN_PAYLOAD || length > MAX_RECORD || size - offset - RECORD_HEADER < length) {
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            long start = base + offset - first;
            if (segment.read(payload, offset + RECORD_HEADER) < length
                    || (format == 1 ? crc32c(payload.array(), length) : crc32c(start, payload.array(), length)) != crc) {
                break;
            }
            offset += RECORD_HEADER + length;
            long position = base + offset - first;
            if (position > after) {
                replay.accept(new Replayed(decode(payload.array()), start, position));
            }
        }
        return offset;
    }

    /**
     * A record of the current format up to its batch: the length, the CRC, the app id and the event
     * count; its CRC covers {@code start}, the position where it starts. The batch follows it as it
     * is (written from the entry's own array, not copied into one buffer with the head: a record is a
     * request's events, and the copy was garbage per request).
     */
    static ByteBuffer recordHead(Entry entry, long start) {
        byte[] app = entry.appId().getBytes(StandardCharsets.UTF_8);
        byte[] batch = entry.batch();
        int length = 2 + app.length + 4 + batch.length;
        ByteBuffer b = ByteBuffer.allocate(RECORD_HEADER + 2 + app.length + 4);
        b.putInt(length);
        b.putInt(0); // crc, below
        b.putShort((short) app.length).put(app).putInt(entry.events());
        CRC32C crc = positioned(start);
        crc.update(b.array(), RECORD_HEADER, b.position() - RECORD_HEADER);
        crc.update(batch, 0, batch.length);
        b.putInt(4, (int) crc.getValue());
        return b.flip();
    }

    private static Entry decode(byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(payload);
        int appLength = b.getShort() & 0xffff;
        if (appLength > payload.length - MIN_PAYLOAD) {
            throw new IOException("a journal record is malformed (app id length " + appLength + ")");
        }
        String appId = new String(payload, 2, appLength, StandardCharsets.UTF_8);
        b.position(2 + appLength);
        int events = b.getInt();
        byte[] batch = new byte[b.remaining()];
        b.get(batch);
        return new Entry(appId, events, batch);
    }

    /** A format-1 record's CRC: its payload's. */
    private static int crc32c(byte[] payload, int length) {
        CRC32C crc = new CRC32C();
        crc.update(payload, 0, length);
        return (int) crc.getValue();
    }

    /** A format-2 record's CRC: the position where it starts, then its payload. */
    private static int crc32c(long start, byte[] payload, int length) {
        CRC32C crc = positioned(start);
        crc.update(payload, 0, length);
        return (int) crc.getValue();
    }

    /** A format-2 record's CRC so far: the position where the record starts, which is what tells a reused file's old records apart. */
    private static CRC32C positioned(long start) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(Long.BYTES).putLong(0, start));
        return crc;
    }
}
