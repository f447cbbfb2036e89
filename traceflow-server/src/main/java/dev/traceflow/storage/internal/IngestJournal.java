package dev.traceflow.storage.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * An append-only log of accepted ingest requests, written and fsynced before the 202, so that the
 * answer does not wait for the event store's (much dearer) commit. A loader moves records into the
 * store later, in big transactions, and records there how far it got; after a crash the journal
 * replays only the records after that position.
 *
 * <p>Records live in segment files named by the journal position where they start
 * ({@code 00000000000000000000.journal}); a position is a byte offset over all records ever
 * written, so it only grows. A record is {@code [int length][int crc32c][payload]}; the payload is
 * {@code [short appId length][appId UTF-8][int events][batch]}, the batch being the events in a
 * format that starts with its format byte ({@link JournalEventCodec}; format 1, DuckDB's rows, is
 * still read by {@link JournalFormatV1}). A record's position is the offset just after it.
 *
 * <p>Segment format 2 (since 2026-12-07): a segment starts with a header, {@code "TFJRNL"}, the
 * format as a short and the segment's position, and each record's CRC also covers the position
 * where the record starts. Loaded segments are kept as spares ({@code <name>.spare}, at most
 * {@value #SPARES}) and renamed into the next segment, whose records then overwrite the old ones
 * instead of growing a file: ext4 commits its own journal for every size change, and an
 * {@code fdatasync} after an append cost twice what it costs after an overwrite (README, "Query
 * benchmark", nineteenth session). The old records left after the last new one cannot pass for
 * new ones, since their CRC covers another position. Segments of format 1 (no header; written
 * before) are still read, never written to again.
 *
 * <p>One thread appends. {@link #deleteLoadedSegments} may run on another (the loader): it only
 * retires segments that end at or before the loaded position, which no append touches again,
 * since a segment is closed for writing before the next one (whose name is its end) exists; and
 * the appending thread only takes spares, which the other never touches once made.
 */
final class IngestJournal implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IngestJournal.class);
    private static final String SUFFIX = ".journal";
    private static final String SPARE_SUFFIX = ".spare";
    /** Loaded segments kept for reuse: at the maximum ingest rate a 64 MiB segment fills in ~3 s, about a load's period. */
    static final int SPARES = 2;
    private static final int HEADER = 8;
    private static final byte[] MAGIC = "TFJRNL".getBytes(StandardCharsets.US_ASCII);
    private static final short SEGMENT_FORMAT = 2;
    /** A format-2 segment's header: the magic, the format, the segment's position. */
    static final int SEGMENT_HEADER = MAGIC.length + 2 + 8;
    /** The app id's length and the event count: a shorter "record" is zeros, or garbage. */
    private static final int MIN_PAYLOAD = 2 + 4;
    /** Bigger records than this cannot come from a request (10 MiB decompressed at most). */
    private static final int MAX_RECORD = 64 << 20;

    /** One accepted request: its app, how many events, and the events in a journal format. */
    record Entry(String appId, int events, byte[] batch) {
    }

    /** An entry read back at start, with its position and the position where its record starts. */
    record Replayed(Entry entry, long start, long position) {
    }

    private final JournalFiles files;
    private final long segmentBytes;
    private JournalFiles.Segment active;
    /** Read by the loader thread in deleteLoadedSegments while the journal thread rolls. */
    private volatile long activeBase;
    private long end;
    /** The active segment holds no record: its header goes with the next append. */
    private boolean headerPending;
    /** The last append failed: the next one starts a fresh segment first (see {@link #append}). */
    private boolean failed;

    private IngestJournal(JournalFiles files, long segmentBytes) {
        this.files = files;
        this.segmentBytes = segmentBytes;
    }

    /** {@link #open(JournalFiles, long, long, Consumer)} on the real files of {@code dir}, created when missing. */
    static IngestJournal open(Path dir, long segmentBytes, long loadedPosition, Consumer<Replayed> replay) throws IOException {
        return open(new FileJournalFiles(dir), segmentBytes, loadedPosition, replay);
    }

    /**
     * Opens the journal and hands every record after {@code loadedPosition} to {@code replay},
     * oldest first. A record cut short or garbled by a crash (it was never acknowledged: the answer
     * waits for the force) ends its segment's replay: in a segment of format 1 it is cut off the
     * file with everything after it, in one of format 2 the next append overwrites it.
     */
    static IngestJournal open(JournalFiles files, long segmentBytes, long loadedPosition, Consumer<Replayed> replay)
            throws IOException {
        IngestJournal journal = new IngestJournal(files, segmentBytes);
        List<Long> bases = segmentBases(files.list());
        long end = 0;
        boolean lastHeaded = false;
        for (int i = 0; i < bases.size(); i++) {
            long base = bases.get(i);
            if (base < end) {
                throw new IOException("journal segment " + name(base) + " overlaps the one before it; the journal folder "
                        + files.describe() + " was modified by hand");
            }
            Scanned scanned = journal.scan(base, loadedPosition, replay);
            end = scanned.end();
            lastHeaded = scanned.headed();
        }
        journal.end = end;
        if (end < loadedPosition) {
            // the store is ahead of this journal (its folder was emptied): continue after the
            // store's position, or new records would look loaded already after a crash
            journal.end = loadedPosition;
            journal.roll(false);
        } else if (lastHeaded && end - bases.getLast() < segmentBytes) {
            JournalFiles.Segment last = files.open(name(bases.getLast()), false);
            journal.start(last, bases.getLast());
        } else {
            // a segment of format 1 is not written to again: records of two formats in one file
            // would have to be told apart by more than their CRC
            journal.roll(false);
        }
        return journal;
    }

    /**
     * Reads one segment, replays its records past {@code loadedPosition}; returns its end. In a
     * segment of format 1 a torn tail is cut; the cut is not forced on its own: should a crash
     * bring the torn bytes back, the next start cuts them again. A segment of format 2 keeps what
     * follows its last record (a torn record, or a spare's old records): the next append
     * overwrites it, and no CRC of it matches its position.
     */
    private Scanned scan(long base, long loadedPosition, Consumer<Replayed> replay) throws IOException {
        String file = name(base);
        try (JournalFiles.Segment segment = files.open(file, false)) {
            long size = segment.size();
            int format = segmentFormat(segment, file);
            long first = format == 1 ? 0 : SEGMENT_HEADER;
            if (format == SEGMENT_FORMAT && headerPosition(segment) != base) {
                // renamed from a spare, and the power went before its new header was forced (so
                // before any of its records was acknowledged): it holds nothing yet
                return new Scanned(base, true);
            }
            long offset = first;
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            while (offset < size) {
                header.clear();
                if (size - offset < HEADER || segment.read(header, offset) < HEADER) {
                    break;
                }
                header.flip();
                int length = header.getInt();
                int crc = header.getInt();
                if (length < MIN_PAYLOAD || length > MAX_RECORD || size - offset - HEADER < length) {
                    break;
                }
                ByteBuffer payload = ByteBuffer.allocate(length);
                long start = base + offset - first;
                if (segment.read(payload, offset + HEADER) < length
                        || (format == 1 ? crc32c(payload.array(), length) : crc32c(start, payload.array(), length)) != crc) {
                    break;
                }
                offset += HEADER + length;
                long position = base + offset - first;
                if (position > loadedPosition) {
                    replay.accept(new Replayed(decode(payload.array()), start, position));
                }
            }
            if (format == 1 && offset < size) {
                log.warn("journal segment {}: cutting {} bytes of an unfinished record at offset {} (written by a crash "
                        + "before it was acknowledged)", file, size - offset, offset);
                segment.truncate(offset);
            }
            return new Scanned(base + offset - first, format == SEGMENT_FORMAT);
        }
    }

    /** A segment's end, and whether it has a header (format 2), so that records may follow. */
    private record Scanned(long end, boolean headed) {
    }

    /**
     * 1 for a segment without a header (format 1, or a file cut to nothing), 2 for one with the
     * header; refuses a format this build does not know, deleting nothing.
     */
    private int segmentFormat(JournalFiles.Segment segment, String file) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(MAGIC.length + 2);
        if (segment.read(head, 0) < head.capacity() || !Arrays.equals(head.array(), 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            // a format-1 segment starts with a record's length, at most 64 MiB: its first byte is
            // never the magic's 'T'
            return 1;
        }
        int format = head.getShort(MAGIC.length);
        if (format != SEGMENT_FORMAT) {
            throw new IOException("journal segment " + file + " is in segment format " + format + ", which this TraceFlow "
                    + "does not know (it reads formats 1 and " + SEGMENT_FORMAT + "). A newer TraceFlow wrote it: start that "
                    + "version again until it has stored its journal, or upgrade. Nothing was deleted.");
        }
        return format;
    }

    private static long headerPosition(JournalFiles.Segment segment) throws IOException {
        ByteBuffer position = ByteBuffer.allocate(8);
        return segment.read(position, MAGIC.length + 2) < 8 ? -1 : position.getLong(0);
    }

    /**
     * Appends the entries and makes them durable (force) before returning.
     *
     * @return each entry's position, in order
     */
    long[] append(List<Entry> entries) throws IOException {
        if (failed) {
            // After a failed write the segment may end in records we could not cut, or its file
            // may be unusable: continue in a new segment at the last good position (the same file
            // again when that segment held nothing good). Throws while the disk still refuses, so
            // each request in the meantime gets its own error.
            roll(true);
            failed = false;
        }
        long[] positions = new long[entries.size()];
        int first = headerPending ? 1 : 0;
        ByteBuffer[] buffers = new ByteBuffer[first + entries.size() * 2];
        if (headerPending) {
            buffers[0] = ByteBuffer.allocate(SEGMENT_HEADER).put(MAGIC).putShort(SEGMENT_FORMAT).putLong(activeBase).flip();
        }
        long offset = end;
        for (int i = 0; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            ByteBuffer head = head(entry, offset);
            buffers[first + 2 * i] = head;
            buffers[first + 2 * i + 1] = ByteBuffer.wrap(entry.batch());
            offset += head.remaining() + entry.batch().length;
            positions[i] = offset;
        }
        try {
            active.write(buffers, headerPending ? 0 : fileOffset(end));
            active.force();
            headerPending = false;
        } catch (IOException e) {
            // cut what part of the group reached the file: those records were not acknowledged,
            // and whole ones would pass their CRC at the next start
            try {
                active.truncate(fileOffset(end));
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            failed = true;
            throw e;
        }
        end = offset;
        if (end - activeBase >= segmentBytes) {
            try {
                roll(false);
            } catch (IOException e) {
                // the records are durable already: this append succeeded. Keep writing to the
                // current segment and try a new one after the next append.
                log.warn("starting a new journal segment failed, the current one grows: {}", e.getMessage());
            }
        }
        return positions;
    }

    /** The position after the last record written. */
    long end() {
        return end;
    }

    /**
     * Retires the segments whose records are all at or before {@code loadedPosition}, never the one
     * being written: the oldest become spares while fewer than {@value #SPARES} are kept, the rest
     * are deleted.
     */
    void deleteLoadedSegments(long loadedPosition) throws IOException {
        List<String> names = files.list();
        List<Long> bases = segmentBases(names);
        long spares = names.stream().filter(IngestJournal::isSpare).count();
        for (int i = 0; i + 1 < bases.size(); i++) {
            long segmentEnd = bases.get(i + 1);
            if (segmentEnd <= loadedPosition && bases.get(i) != activeBase) {
                String name = name(bases.get(i));
                if (spares < SPARES) {
                    // not forced: should the rename be lost, the segment is found loaded again at start
                    files.rename(name, name + SPARE_SUFFIX);
                    spares++;
                } else {
                    files.delete(name);
                }
            }
        }
    }

    /** Bytes on disk in all segments. */
    long diskBytes() {
        return files.bytes();
    }

    @Override
    public void close() throws IOException {
        if (active != null) {
            active.close();
            active = null;
        }
    }

    /**
     * Starts the next segment at {@link #end}, in a spare when there is one; the current one stays
     * in use when the new file cannot be made. After a failure, {@code emptied}: the file of that
     * name is used and emptied, whatever it held (see {@link #append}).
     */
    private void roll(boolean emptied) throws IOException {
        String name = name(end);
        JournalFiles.Segment next = emptied ? null : takeSpare(name);
        if (next == null) {
            next = files.open(name, true);
            if (emptied) {
                try {
                    next.truncate(0);
                } catch (IOException e) {
                    next.close();
                    throw e;
                }
            }
        }
        start(next, end);
        // the new file's folder entry must be durable too, or a power loss could lose the whole segment
        files.forceFolder();
    }

    /**
     * Makes {@code segment} the one written, from {@code base}. A segment that holds no record yet
     * gets a fresh header with its first records, forced with them; a header lost before that
     * names another position, which {@link #scan} reads as a segment holding nothing.
     */
    private void start(JournalFiles.Segment segment, long base) throws IOException {
        if (active != null && active != segment) {
            active.close();
        }
        active = segment;
        activeBase = base;
        headerPending = end == base;
    }

    /** A spare renamed to {@code name}, open; null when there is none (or the name is taken, or the rename failed). */
    private JournalFiles.Segment takeSpare(String name) {
        try {
            List<String> names = files.list();
            if (names.contains(name)) {
                return null;
            }
            for (String spare : names) {
                if (isSpare(spare)) {
                    files.rename(spare, name);
                    return files.open(name, false);
                }
            }
        } catch (IOException e) {
            log.warn("reusing a spare journal segment failed, starting a new file: {}", e.getMessage());
        }
        return null;
    }

    private long fileOffset(long position) {
        return position - activeBase + SEGMENT_HEADER;
    }

    private static boolean isSpare(String name) {
        return name.endsWith(SUFFIX + SPARE_SUFFIX);
    }

    private static List<Long> segmentBases(List<String> names) {
        return names.stream()
                .filter(n -> n.endsWith(SUFFIX) && n.length() == 20 + SUFFIX.length())
                .map(n -> Long.parseLong(n.substring(0, 20)))
                .sorted()
                .toList();
    }

    private static String name(long base) {
        return String.format("%020d%s", base, SUFFIX);
    }

    /**
     * A record up to its batch: the header, the app id and the event count; its CRC covers
     * {@code start}, the position where it starts. The batch follows it as it is (written from the
     * entry's own array, not copied into one buffer with the head: a record is a request's events,
     * ~8 KB in the ingest benchmark, and the copy was garbage per request).
     */
    private static ByteBuffer head(Entry entry, long start) {
        byte[] app = entry.appId().getBytes(StandardCharsets.UTF_8);
        byte[] batch = entry.batch();
        int length = 2 + app.length + 4 + batch.length;
        ByteBuffer b = ByteBuffer.allocate(HEADER + 2 + app.length + 4);
        b.putInt(length);
        b.putInt(0); // crc, below
        b.putShort((short) app.length).put(app).putInt(entry.events());
        CRC32C crc = positioned(start);
        crc.update(b.array(), HEADER, b.position() - HEADER);
        crc.update(batch, 0, batch.length);
        b.putInt(4, (int) crc.getValue());
        return b.flip();
    }

    private static Entry decode(byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(payload);
        int appLength = b.getShort() & 0xffff;
        if (appLength > payload.length - 6) {
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

    /** A format-2 segment's record's CRC: the position where it starts, then its payload. */
    private static int crc32c(long start, byte[] payload, int length) {
        CRC32C crc = positioned(start);
        crc.update(payload, 0, length);
        return (int) crc.getValue();
    }

    /** A format-2 record's CRC so far: the position where the record starts, which is what tells a spare's old records apart. */
    private static CRC32C positioned(long start) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(Long.BYTES).putLong(0, start));
        return crc;
    }
}
