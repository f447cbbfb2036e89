package dev.traceflow.storage.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
 * ({@code 00000000000000000000.journal}); a position is a byte offset over all segments ever
 * written, so it only grows. A record is {@code [int length][int crc32c][payload]}; the payload is
 * {@code [short appId length][appId UTF-8][int events][batch]}, the batch being the events in a
 * format that starts with its format byte ({@link JournalEventCodec}; format 1, DuckDB's rows, is
 * still read by {@link JournalFormatV1}). A record's position is the offset just after it.
 *
 * <p>One thread appends. {@link #deleteLoadedSegments} may run on another (the loader): it only
 * deletes segments that end at or before the loaded position, which no append touches again,
 * since a segment is closed for writing before the next one (whose name is its end) exists.
 */
final class IngestJournal implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IngestJournal.class);
    private static final String SUFFIX = ".journal";
    private static final int HEADER = 8;
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
     * waits for the force) is cut off the file, with everything after it in its segment.
     */
    static IngestJournal open(JournalFiles files, long segmentBytes, long loadedPosition, Consumer<Replayed> replay)
            throws IOException {
        IngestJournal journal = new IngestJournal(files, segmentBytes);
        List<Long> bases = journal.segmentBases();
        long end = 0;
        for (int i = 0; i < bases.size(); i++) {
            long base = bases.get(i);
            if (base < end) {
                throw new IOException("journal segment " + name(base) + " overlaps the one before it; the journal folder "
                        + files.describe() + " was modified by hand");
            }
            end = journal.scan(base, loadedPosition, replay);
        }
        journal.end = end;
        if (end < loadedPosition) {
            // the store is ahead of this journal (its folder was emptied): continue after the
            // store's position, or new records would look loaded already after a crash
            journal.end = loadedPosition;
            journal.roll();
        } else if (!bases.isEmpty() && end - bases.getLast() < segmentBytes) {
            journal.activeBase = bases.getLast();
            journal.active = files.open(name(journal.activeBase), false);
        } else {
            journal.roll();
        }
        return journal;
    }

    /**
     * Reads one segment, replays its records past {@code loadedPosition}, cuts a torn tail; returns
     * its end. The cut is not forced on its own: should a crash bring the torn bytes back, the next
     * start cuts them again, and the next append's force makes the file's new size durable with it.
     */
    private long scan(long base, long loadedPosition, Consumer<Replayed> replay) throws IOException {
        String file = name(base);
        try (JournalFiles.Segment segment = files.open(file, false)) {
            long size = segment.size();
            long offset = 0;
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            while (offset < size) {
                header.clear();
                if (size - offset < HEADER || segment.read(header, offset) < HEADER) {
                    break;
                }
                header.flip();
                int length = header.getInt();
                int crc = header.getInt();
                if (length < 0 || length > MAX_RECORD || size - offset - HEADER < length) {
                    break;
                }
                ByteBuffer payload = ByteBuffer.allocate(length);
                if (segment.read(payload, offset + HEADER) < length || crc32c(payload.array(), 0, length) != crc) {
                    break;
                }
                long start = base + offset;
                offset += HEADER + length;
                long position = base + offset;
                if (position > loadedPosition) {
                    replay.accept(new Replayed(decode(payload.array()), start, position));
                }
            }
            if (offset < size) {
                log.warn("journal segment {}: cutting {} bytes of an unfinished record at offset {} (written by a crash "
                        + "before it was acknowledged)", file, size - offset, offset);
                segment.truncate(offset);
            }
            return base + offset;
        }
    }

    /**
     * Appends the entries and makes them durable (force) before returning.
     *
     * @return each entry's position, in order
     */
    long[] append(List<Entry> entries) throws IOException {
        long[] positions = new long[entries.size()];
        ByteBuffer[] buffers = new ByteBuffer[entries.size() * 2];
        long offset = end;
        for (int i = 0; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            ByteBuffer head = head(entry);
            buffers[2 * i] = head;
            buffers[2 * i + 1] = ByteBuffer.wrap(entry.batch());
            offset += head.remaining() + entry.batch().length;
            positions[i] = offset;
        }
        if (failed) {
            // After a failed write the segment may end in a torn record we could not cut, or its
            // file may be unusable: continue in a new segment at the last good position (the same
            // file again when that segment held nothing good, hence the truncate). Throws while the
            // disk still refuses, so each request in the meantime gets its own error.
            roll();
            active.truncate(0);
            failed = false;
        }
        try {
            active.append(buffers);
            active.force();
        } catch (IOException e) {
            // cut what part of the group reached the file, or the next group would follow a torn
            // record and a replay would stop there
            try {
                active.truncate(end - activeBase);
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            failed = true;
            throw e;
        }
        end = offset;
        if (end - activeBase >= segmentBytes) {
            try {
                roll();
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

    /** Deletes the segments whose records are all at or before {@code loadedPosition}; never the one being written. */
    void deleteLoadedSegments(long loadedPosition) throws IOException {
        List<Long> bases = segmentBases();
        for (int i = 0; i + 1 < bases.size(); i++) {
            long segmentEnd = bases.get(i + 1);
            if (segmentEnd <= loadedPosition && bases.get(i) != activeBase) {
                files.delete(name(bases.get(i)));
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

    /** Starts the next segment; the current one stays in use when the new file cannot be made. */
    private void roll() throws IOException {
        JournalFiles.Segment next = files.open(name(end), true);
        if (active != null) {
            active.close();
        }
        active = next;
        activeBase = end;
        // the new file's folder entry must be durable too, or a power loss could lose the whole segment
        files.forceFolder();
    }

    private List<Long> segmentBases() throws IOException {
        return files.list().stream()
                .filter(n -> n.endsWith(SUFFIX) && n.length() == 20 + SUFFIX.length())
                .map(n -> Long.parseLong(n.substring(0, 20)))
                .sorted()
                .toList();
    }

    private static String name(long base) {
        return String.format("%020d%s", base, SUFFIX);
    }

    /**
     * A record up to its batch: the header, the app id and the event count. The batch follows it as
     * it is (written from the entry's own array, not copied into one buffer with the head: a record
     * is a request's events, ~8 KB in the ingest benchmark, and the copy was garbage per request).
     */
    private static ByteBuffer head(Entry entry) {
        byte[] app = entry.appId().getBytes(StandardCharsets.UTF_8);
        byte[] batch = entry.batch();
        int length = 2 + app.length + 4 + batch.length;
        ByteBuffer b = ByteBuffer.allocate(HEADER + 2 + app.length + 4);
        b.putInt(length);
        b.putInt(0); // crc, below
        b.putShort((short) app.length).put(app).putInt(entry.events());
        CRC32C crc = new CRC32C();
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

    private static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
